"""Customer journeys as code: load, check, compile and render journey projects."""

# The one place of the version: pyproject.toml reads it from here when the package is built
# (dynamic version), `journey --version` prints it, CHANGELOG.md names it.
__version__ = "0.1.0"
