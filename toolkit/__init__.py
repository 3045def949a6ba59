"""Customer journeys as code: load, check, compile and render journey projects."""

__version__ = "0.1.0"
