"""Website tracker and cookie auditor."""

__version__ = "0.1.0"
