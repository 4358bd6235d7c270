"""frontwatch: turn war reporting into event data, offline and carefully."""

__version__ = "0.1.0"
