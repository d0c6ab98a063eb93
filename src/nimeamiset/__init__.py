"""nimeamiset: nomination rounds for a regional council's bodies."""

__version__ = "0.1.0"
