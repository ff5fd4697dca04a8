"""The one table of environment variables: name, default, meaning and who reads it.

`Settings` (config.py) takes its defaults from here, and `.env.example`, the variable table of
README.md and of ops/README.md and the tests' isolation list are checked against it, so they
cannot drift apart. Upstream's older names are listed too, as aliases of the project's names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    name: str
    #: The value in force when the variable is unset or blank; None when there is none.
    default: str | None
    meaning: str
    used_by: str
    #: For upstream's names: the project's variable this one stands for (which wins when both are set).
    alias_of: str | None = None


def _collection(name: str, default: str, meaning: str, used_by: str) -> Variable:
    return Variable(name, default, f"collection: {meaning}", used_by)


def _upstream(name: str, alias_of: str) -> Variable:
    return Variable(name, None, f"upstream's name for `{alias_of}` (which wins when both are set)", "health", alias_of)


#: Providers whose own model list discovery reads when `<NAME>_API_KEY` is set (`<NAME>_MODELS_URL` overrides the URL).
LISTED_PROVIDERS = ("openai", "anthropic", "groq", "together", "fireworks", "deepinfra", "cerebras")
#: provider -> (its name in prose, the public URL of its model list).
_MODEL_LISTS = {
    "openai": ("OpenAI", "https://api.openai.com/v1/models"),
    "anthropic": ("Anthropic", "https://api.anthropic.com/v1/models"),
    "groq": ("Groq", "https://api.groq.com/openai/v1/models"),
    "together": ("Together", "https://api.together.xyz/v1/models"),
    "fireworks": ("Fireworks", "https://api.fireworks.ai/inference/v1/models"),
    "deepinfra": ("DeepInfra", "https://api.deepinfra.com/v1/openai/models"),
    "cerebras": ("Cerebras", "https://api.cerebras.ai/v1/models"),
}
#: provider -> the public API base `llm-discovery probe` sends its chat request to (OpenAI's is
#: `OPENAI_BASE_URL`, listed with the AI settings, unset meaning this one).
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "together": "https://api.together.xyz/v1",
    "fireworks": "https://api.fireworks.ai/inference/v1",
    "deepinfra": "https://api.deepinfra.com/v1/openai",
    "cerebras": "https://api.cerebras.ai/v1",
}


def _provider_list(provider: str) -> tuple[Variable, ...]:
    """`<NAME>_API_KEY` (OpenAI's is listed with the AI settings) and `<NAME>_MODELS_URL`."""
    name, (label, url) = provider.upper(), _MODEL_LISTS[provider]
    key = (
        ()
        if provider == "openai"
        else (
            Variable(
                f"{name}_API_KEY",
                None,
                f"{label} key, to read its model list (a list never calls a model)",
                "discovery fetch",
            ),
        )
    )
    base = (
        ()
        if provider == "openai"
        else (
            Variable(
                f"{name}_BASE_URL",
                API_BASES[provider],
                f"{label}'s API, for `llm-discovery probe` (overridden without `{name}_MODELS_URL`: "
                "the list is not fetched, the key stays at this host)",
                "discovery probe",
            ),
        )
    )
    return (*key, Variable(f"{name}_MODELS_URL", url, f"{label}'s model list", "discovery fetch"), *base)


BOTH = "both jobs"
MAIL = "health report, crash alert"

VARIABLES: tuple[Variable, ...] = (
    Variable("MONGODB_URI", None, "MongoDB connection string; required except with `--demo`", BOTH),
    Variable("MONGODB_DB", "llm-bench", "database name", BOTH),
    Variable(
        "MONGODB_TIMEOUT_MS",
        "120000",
        "milliseconds one MongoDB operation (a query, a write) may take once connected (`timeoutMS`, at most 86400000: a day;"
        " a `timeoutMS` in the URI wins); connecting has its own 5 s bound"
        " (`serverSelectionTimeoutMS` and `connectTimeoutMS` in the URI win)",
        BOTH,
    ),
    Variable(
        "OPENAI_API_KEY",
        None,
        "OpenAI key; without it the jobs use their rules only (also reads OpenAI's model list)",
        "health AI assessment, discovery",
    ),
    Variable(
        "OPENAI_BASE_URL",
        None,
        "an OpenAI-compatible gateway or local server (unset: OpenAI's API); also the probe's; "
        "set without `OPENAI_MODELS_URL`, OpenAI's list is not fetched (the key stays at the gateway)",
        BOTH,
    ),
    Variable("OPENAI_MODEL", "gpt-4o-mini", "model of the AI calls", BOTH),
    Variable("OPENAI_TIMEOUT", "60", "seconds before an OpenAI request is abandoned (at most 86400: a day)", BOTH),
    Variable("NOTIFY_EMAIL", None, "recipient, one plain address; required to send", MAIL),
    Variable("MAIL_FROM", None, "sender (envelope and `From:`); unset: the msmtp account's `from`", MAIL),
    Variable("MSMTP_PATH", "msmtp", "the msmtp binary", MAIL),
    Variable("MSMTP_CONFIG", None, "msmtp configuration file (`msmtp -C`); unset: msmtp's own lookup", MAIL),
    Variable(
        "SUBJECT_TAGS",
        "project",
        "subject tags: `project` ([CRITICAL], [WARNING], [HEALTHY]) or `upstream` ([URGENT], [INFO])",
        "health report",
    ),
    Variable(
        "OPENROUTER_MODELS_URL", "https://openrouter.ai/api/v1/models", "OpenRouter's public catalog", "discovery fetch"
    ),
    Variable(
        "MODEL_REGISTRY_URL",
        "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
        "the public model registry (LiteLLM's model map): ids the providers serve, prices, deprecations",
        "discovery fetch",
    ),
    *(variable for provider in LISTED_PROVIDERS for variable in _provider_list(provider)),
    Variable(
        "PROBE_MAX_USD",
        "0.05",
        "spend ceiling of one `llm-discovery probe` run, estimated from the registry's prices",
        "discovery probe",
    ),
    Variable(
        "HEALTHCHECK_PING_URL",
        None,
        "dead-man ping: `<url>/start`, then `<url>/<exit status>`; unset: off",
        "systemd units",
    ),
    Variable("JOURNALCTL_PATH", "journalctl", "journalctl binary, for the failed unit's last lines", "crash alert"),
    Variable("SYSTEMCTL_PATH", "systemctl", "systemctl binary, for the failed unit's exit status", "crash alert"),
    _collection("ERRORS_COLLECTION", "errors_cloud", "failed benchmark calls", "health"),
    _collection("METRICS_COLLECTION", "metrics_cloud_v2", "successful benchmark runs", "health"),
    _collection("ROLLUPS_COLLECTION", "error_rollups", "error patterns with first/last seen", "health"),
    _collection("MODELS_COLLECTION", "models", "the models the benchmark runs", BOTH),
    _collection("CATALOG_COLLECTION", "openrouter_catalog", "OpenRouter's catalog", "discovery (and health evidence)"),
    _collection("CATALOG_RUNS_COLLECTION", "openrouter_runs", "catalog fetches", "discovery (and health staleness)"),
    _collection("HEALTH_RUNS_COLLECTION", "health_runs", "the health check's run ledger", "health"),
    _collection("ERROR_CLASSES_COLLECTION", "error_classes", "AI classifications of error patterns", "health"),
    _collection(
        "PROVIDER_MODELS_COLLECTION", "provider_models", "the model registry and providers' model lists", "discovery"
    ),
    _collection("SOURCE_RUNS_COLLECTION", "source_runs", "model-source fetches", "discovery"),
    _collection(
        "PROBE_RESULTS_COLLECTION", "probe_results", "one chat request per proposed id and its outcome", "discovery"
    ),
    _collection("SILENCES_COLLECTION", "health_silences", "the health check's silences, with who made them", "health"),
    _upstream("MONGODB_COLLECTION_ERRORS", "ERRORS_COLLECTION"),
    _upstream("MONGODB_COLLECTION_ERROR_ROLLUPS", "ROLLUPS_COLLECTION"),
    _upstream("MONGODB_COLLECTION_CLOUD", "METRICS_COLLECTION"),
)

BY_NAME = {variable.name: variable for variable in VARIABLES}


def default(name: str) -> str:
    """The default of a variable that has one (a KeyError or ValueError is a bug in the caller)."""
    value = BY_NAME[name].default
    if value is None:
        raise ValueError(f"{name} has no default")
    return value
