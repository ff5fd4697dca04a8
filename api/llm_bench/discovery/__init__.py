"""Model discovery: track OpenRouter's catalog and propose new models for the benchmark.

`openrouter` fetches and validates the catalog, `catalog` works out what changed, `matching`
maps candidates to a direct provider API, `commands` builds the copy-paste upsert, `render`
prints the results and `cli` wires them into the `llm-discovery` command.
"""
