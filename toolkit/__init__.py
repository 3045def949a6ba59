"""Customer journeys as code: load, check, compile and render journey projects."""

__version__ = "0.1.0"

# The format's kinds load first: toolkit.models adds `kind: qualification` from
# toolkit.qualification, which builds on toolkit.models' types.
from toolkit import models as _models  # noqa: E402,F401
