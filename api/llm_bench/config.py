"""Settings read from the environment once, at the CLI entry, into one frozen object.

Nothing here reads `.env` by itself: the CLIs call `load_dotenv()` first, so importing the
library never changes the process environment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ConfigError

DEFAULT_DB = "llm-bench"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_OPENROUTER_MODELS_URL = "https://openrouter.ai/api/v1/models"
DEFAULT_MODEL_REGISTRY_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
#: Providers whose own model list discovery reads when `<NAME>_API_KEY` is set (`<NAME>_MODELS_URL` overrides the URL).
LISTED_PROVIDERS = ("openai", "anthropic", "groq", "together", "fireworks", "deepinfra", "cerebras")


@dataclass(frozen=True)
class Collections:
    """Collection names; each can be overridden with an environment variable."""

    errors: str = "errors_cloud"
    successes: str = "metrics_cloud_v2"
    rollups: str = "error_rollups"
    models: str = "models"
    catalog: str = "openrouter_catalog"
    catalog_runs: str = "openrouter_runs"
    health_runs: str = "health_runs"
    error_classes: str = "error_classes"
    provider_models: str = "provider_models"
    source_runs: str = "source_runs"


_COLLECTION_ENV = {
    "errors": "ERRORS_COLLECTION",
    "successes": "METRICS_COLLECTION",
    "rollups": "ROLLUPS_COLLECTION",
    "models": "MODELS_COLLECTION",
    "catalog": "CATALOG_COLLECTION",
    "catalog_runs": "CATALOG_RUNS_COLLECTION",
    "health_runs": "HEALTH_RUNS_COLLECTION",
    "error_classes": "ERROR_CLASSES_COLLECTION",
    "provider_models": "PROVIDER_MODELS_COLLECTION",
    "source_runs": "SOURCE_RUNS_COLLECTION",
}


@dataclass(frozen=True)
class Settings:
    mongodb_uri: str | None = None
    mongodb_db: str = DEFAULT_DB
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_timeout: float = 60.0
    notify_email: str | None = None
    mail_from: str | None = None
    msmtp_path: str = "msmtp"
    msmtp_config: str | None = None
    openrouter_models_url: str = DEFAULT_OPENROUTER_MODELS_URL
    model_registry_url: str = DEFAULT_MODEL_REGISTRY_URL
    #: provider -> API key, for the providers of LISTED_PROVIDERS whose key is set
    provider_keys: Mapping[str, str] = field(default_factory=dict)
    #: provider -> model-list URL, only where `<NAME>_MODELS_URL` overrides the default
    provider_list_urls: Mapping[str, str] = field(default_factory=dict)
    collections: Collections = field(default_factory=Collections)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        names = {attr: get(var) for attr, var in _COLLECTION_ENV.items()}
        collections = Collections(**{k: v for k, v in names.items() if v})
        timeout = get("OPENAI_TIMEOUT")
        try:
            openai_timeout = float(timeout) if timeout else 60.0
        except ValueError:
            raise ConfigError(f"OPENAI_TIMEOUT must be a number of seconds, got {timeout!r}") from None
        if not math.isfinite(openai_timeout) or openai_timeout <= 0:
            raise ConfigError(f"OPENAI_TIMEOUT must be a positive, finite number of seconds, got {timeout!r}")
        return cls(
            mongodb_uri=get("MONGODB_URI"),
            mongodb_db=get("MONGODB_DB") or DEFAULT_DB,
            openai_api_key=get("OPENAI_API_KEY"),
            openai_base_url=get("OPENAI_BASE_URL"),
            openai_model=get("OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
            openai_timeout=openai_timeout,
            notify_email=get("NOTIFY_EMAIL"),
            mail_from=get("MAIL_FROM"),
            msmtp_path=get("MSMTP_PATH") or "msmtp",
            msmtp_config=get("MSMTP_CONFIG"),
            openrouter_models_url=get("OPENROUTER_MODELS_URL") or DEFAULT_OPENROUTER_MODELS_URL,
            model_registry_url=get("MODEL_REGISTRY_URL") or DEFAULT_MODEL_REGISTRY_URL,
            provider_keys={p: k for p in LISTED_PROVIDERS if (k := get(f"{p.upper()}_API_KEY"))},
            provider_list_urls={p: u for p in LISTED_PROVIDERS if (u := get(f"{p.upper()}_MODELS_URL"))},
            collections=collections,
        )

    def require_mongodb_uri(self) -> str:
        if not self.mongodb_uri:
            raise ConfigError(
                "MONGODB_URI is not set: put it in the environment or .env "
                "(or use --demo to run on the embedded database)"
            )
        return self.mongodb_uri

    def require_recipient(self, hint: str = "") -> str:
        """The one recipient address; `hint` is appended to the error when it is missing."""
        if not self.notify_email:
            raise ConfigError("NOTIFY_EMAIL is not set: it is the recipient of the mail" + (f" ({hint})" if hint else ""))
        if any(c in self.notify_email for c in " \t\r\n,;<>") or "@" not in self.notify_email:
            raise ConfigError(f"NOTIFY_EMAIL must be one plain address, got {self.notify_email!r}")
        return self.notify_email
