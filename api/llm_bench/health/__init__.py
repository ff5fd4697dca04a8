"""The daily health check: collect a window of benchmark results, assess it, report it."""
