"""Website tracker and cookie auditor.

>>> import scanner
>>> result = scanner.scan(scanner.ScanOptions(start_urls=("https://www.example.com/",)))
>>> scan = scanner.load_scan("reports/example")      # a saved scan, as pandas tables
"""

# The one place the version is written: pyproject.toml reads it (setuptools' dynamic version), and
# `scanner --version` prints it as "scanner (tracker-audit) X.Y.Z".
__version__ = "0.1.0"

# Imported on first use, so that `import scanner` (and `scanner --help`) stays fast.
_LAZY = {
    "scan": ("scanner.scanning", "scan"),
    "scan_async": ("scanner.scanning", "scan_async"),
    "interrupt_scans": ("scanner.scanning", "interrupt_scans"),
    "ScanOptions": ("scanner.options", "ScanOptions"),
    "BrowserOptions": ("scanner.browser", "BrowserOptions"),
    "LoginOptions": ("scanner.login", "LoginOptions"),
    "VisitTiming": ("scanner.crawl.visit", "VisitTiming"),
    "ScanResult": ("scanner.model", "ScanResult"),
    "VisitSink": ("scanner.sink", "VisitSink"),
    "JsonlSink": ("scanner.sink", "JsonlSink"),
    "MemorySink": ("scanner.sink", "MemorySink"),
    "load_scan": ("scanner.api", "load_scan"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")
