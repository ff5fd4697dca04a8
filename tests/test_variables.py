"""The environment-variable table against everything that lists variables: Settings' defaults,
`.env.example`, the variable tables of README.md and ops/README.md and the tests' isolation list."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_VARIABLES, ROOT

from api.llm_bench.config import COLLECTION_VARIABLES, Collections, Settings
from api.llm_bench.variables import BY_NAME, VARIABLES, default

ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def markdown_table() -> str:
    """The README's Configuration table, as the variable table says it should read."""
    rows = ["| variable | default | meaning | used by |", "| --- | --- | --- | --- |"]
    for v in VARIABLES:
        shown = f"`{v.default}`" if v.default is not None else "—"
        rows.append(f"| `{v.name}` | {shown} | {v.meaning} | {v.used_by} |")
    return "\n".join(rows) + "\n"


def env_example() -> tuple[dict[str, str], set[str]]:
    """(assigned name -> value, names only mentioned in a commented-out assignment)."""
    assigned, commented = {}, set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        found = ASSIGNMENT.match(line)
        if found and found.group(1):
            commented.add(found.group(2))
        elif found:
            assigned[found.group(2)] = found.group(3)
    return assigned, commented


def test_names_are_unique_and_aliases_point_at_variables() -> None:
    assert len(BY_NAME) == len(VARIABLES)
    for v in VARIABLES:
        assert v.meaning and v.used_by and "|" not in v.meaning + v.used_by
        if v.alias_of:
            assert BY_NAME[v.alias_of].alias_of is None and v.default is None


@pytest.mark.parametrize("readme", ["README.md", "ops/README.md"])
def test_readme_variable_table_matches(readme: str) -> None:
    """Both guides carry the one table, whole: every variable, default and meaning."""
    text = (ROOT / readme).read_text()
    assert markdown_table() in text, f"{readme}'s variable table drifted; paste markdown_table()"
    assert text.count("| variable | default | meaning | used by |") == 1


def test_env_example_assigns_every_variable_and_mentions_every_alias() -> None:
    assigned, commented = env_example()
    assert set(assigned) == {v.name for v in VARIABLES if not v.alias_of}
    assert commented == {v.name for v in VARIABLES if v.alias_of}
    for name, value in assigned.items():
        if BY_NAME[name].default is not None:
            assert value in ("", BY_NAME[name].default), f"{name}={value} differs from the default"


def test_env_example_reads_back_as_the_defaults() -> None:
    assigned, _ = env_example()
    example = Settings.from_env({**assigned, "MONGODB_URI": ""})
    assert example == Settings()


def test_test_isolation_covers_every_variable() -> None:
    assert set(PROJECT_VARIABLES) == set(BY_NAME)


def test_collections_default_to_the_table() -> None:
    assert set(COLLECTION_VARIABLES.values()) == {v.name for v in VARIABLES if v.name.endswith("_COLLECTION")}
    for attr, name in COLLECTION_VARIABLES.items():
        assert getattr(Collections(), attr) == default(name)


def test_provider_list_urls_match_discovery() -> None:
    from api.llm_bench.discovery.provider_lists import SPECS

    for provider, spec in SPECS.items():
        assert default(f"{provider.upper()}_MODELS_URL") == spec.url


def test_a_models_url_equal_to_the_default_is_no_override() -> None:
    env = {"GROQ_MODELS_URL": default("GROQ_MODELS_URL"), "TOGETHER_MODELS_URL": "http://127.0.0.1:9/v1/models"}
    assert Settings.from_env(env).provider_list_urls == {"together": "http://127.0.0.1:9/v1/models"}


def _comment_above(name: str) -> str:
    """The comment lines right above `NAME=` in .env.example, joined."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
    above = []
    for line in reversed(lines[:at]):
        if not line.startswith("# ") or ASSIGNMENT.match(line[2:]):
            break
        above.insert(0, line[2:])
    return " ".join(above)


def test_env_example_says_which_mongodb_timeout_is_which() -> None:
    """Connecting is bounded by the URI's options (5 s), each operation by MONGODB_TIMEOUT_MS."""
    import inspect

    from api.llm_bench.repository import connect

    connect_ms = inspect.signature(connect).parameters["timeout_ms"].default
    uri, operation = _comment_above("MONGODB_URI"), _comment_above("MONGODB_TIMEOUT_MS")
    assert f"{connect_ms // 1000} s: the connect timeout" in uri and "serverSelectionTimeoutMS" in uri
    assert operation.startswith("The operation timeout, not the connect timeout")
    assert "connecting has its own 5 s bound" in BY_NAME["MONGODB_TIMEOUT_MS"].meaning
