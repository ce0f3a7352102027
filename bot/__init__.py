"""docs-refresh: keeps ai-coders-context architecture docs true to the code."""

__version__ = "0.1.0"
