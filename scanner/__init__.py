"""Website tracker and cookie auditor."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `scanner.load_scan` without importing pandas until it is used.
    if name == "load_scan":
        from scanner.api import load_scan

        return load_scan
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")
