"""llm-bench-ops: daily health check and model discovery for an LLM benchmarking service."""

__version__ = "0.1.0"
