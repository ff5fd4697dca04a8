"""Settings read from the environment once, at the CLI entry, into one frozen object.

Nothing here reads `.env` by itself: the CLIs call `load_dotenv()` first, so importing the
library never changes the process environment.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigError
from .mail import SUBJECT_TAGS, MailSettings
from .variables import API_BASES, BY_NAME, LISTED_PROVIDERS, default

log = logging.getLogger("llm_bench")

DEFAULT_DB = default("MONGODB_DB")
DEFAULT_OPENAI_MODEL = default("OPENAI_MODEL")
DEFAULT_OPENROUTER_MODELS_URL = default("OPENROUTER_MODELS_URL")
DEFAULT_MODEL_REGISTRY_URL = default("MODEL_REGISTRY_URL")

#: Collection attribute -> the variable that names it.
COLLECTION_VARIABLES = {
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
    "probe_results": "PROBE_RESULTS_COLLECTION",
    "silences": "SILENCES_COLLECTION",
}


@dataclass(frozen=True)
class Collections:
    """Collection names; each can be overridden with an environment variable."""

    errors: str = default("ERRORS_COLLECTION")
    successes: str = default("METRICS_COLLECTION")
    rollups: str = default("ROLLUPS_COLLECTION")
    models: str = default("MODELS_COLLECTION")
    catalog: str = default("CATALOG_COLLECTION")
    catalog_runs: str = default("CATALOG_RUNS_COLLECTION")
    health_runs: str = default("HEALTH_RUNS_COLLECTION")
    error_classes: str = default("ERROR_CLASSES_COLLECTION")
    provider_models: str = default("PROVIDER_MODELS_COLLECTION")
    source_runs: str = default("SOURCE_RUNS_COLLECTION")
    probe_results: str = default("PROBE_RESULTS_COLLECTION")
    silences: str = default("SILENCES_COLLECTION")


#: Upper bounds of the timeouts: a day, far beyond any job's own limit, and within what the
#: drivers accept (pymongo refuses a timeoutMS of a billion, a socket a timeout of 1e12 s).
MAX_TIMEOUT_S = 86_400.0
MAX_PROBE_USD = 100.0  # a spend ceiling per probe run beyond this is a typo, not a plan
MAX_TIMEOUT_MS = 86_400_000

# MongoDB refuses these in database names (on Linux), and an empty or over-long name.
_BAD_DB_CHARS = re.compile(r'[/\\. "$\x00]')


@dataclass(frozen=True)
class Settings:
    mongodb_uri: str | None = None
    mongodb_db: str = DEFAULT_DB
    mongodb_timeout_ms: int = int(default("MONGODB_TIMEOUT_MS"))
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_timeout: float = float(default("OPENAI_TIMEOUT"))
    notify_email: str | None = None
    mail_from: str | None = None
    msmtp_path: str = default("MSMTP_PATH")
    msmtp_config: str | None = None
    subject_tags: str = default("SUBJECT_TAGS")
    openrouter_models_url: str = DEFAULT_OPENROUTER_MODELS_URL
    model_registry_url: str = DEFAULT_MODEL_REGISTRY_URL
    #: provider -> API key, for the providers of LISTED_PROVIDERS whose key is set
    provider_keys: Mapping[str, str] = field(default_factory=dict)
    #: provider -> model-list URL, only where `<NAME>_MODELS_URL` overrides the default
    provider_list_urls: Mapping[str, str] = field(default_factory=dict)
    #: provider -> API base URL for the probe, only where `<NAME>_BASE_URL` overrides the public one
    #: (OpenAI's is `openai_base_url`)
    provider_base_urls: Mapping[str, str] = field(default_factory=dict)
    probe_max_usd: float = float(default("PROBE_MAX_USD"))
    collections: Collections = field(default_factory=Collections)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every variable; a bad value raises ConfigError naming it."""
        get = _reader(os.environ if env is None else env)
        return cls(
            mongodb_uri=get("MONGODB_URI"),
            mongodb_db=_database_name(get("MONGODB_DB") or DEFAULT_DB),
            mongodb_timeout_ms=int(
                _positive("MONGODB_TIMEOUT_MS", get, "a whole number of milliseconds", int, MAX_TIMEOUT_MS)
            ),
            openai_api_key=get("OPENAI_API_KEY"),
            openai_base_url=get("OPENAI_BASE_URL"),
            openai_model=get("OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
            openai_timeout=_positive("OPENAI_TIMEOUT", get, "a number of seconds", float, MAX_TIMEOUT_S),
            notify_email=_plain_address("NOTIFY_EMAIL", notify) if (notify := get("NOTIFY_EMAIL")) else None,
            mail_from=_plain_address("MAIL_FROM", mail_from) if (mail_from := get("MAIL_FROM")) else None,
            msmtp_path=get("MSMTP_PATH") or default("MSMTP_PATH"),
            msmtp_config=get("MSMTP_CONFIG"),
            subject_tags=_choice("SUBJECT_TAGS", get, tuple(SUBJECT_TAGS)),
            openrouter_models_url=_url("OPENROUTER_MODELS_URL", get),
            model_registry_url=_url("MODEL_REGISTRY_URL", get),
            provider_keys={p: k for p in LISTED_PROVIDERS if (k := get(f"{p.upper()}_API_KEY"))},
            provider_list_urls={
                p: listed
                for p in LISTED_PROVIDERS
                if (listed := _url(f"{p.upper()}_MODELS_URL", get)) != default(f"{p.upper()}_MODELS_URL")
            },
            provider_base_urls={
                p: u
                for p in LISTED_PROVIDERS
                if p != "openai" and (u := get(f"{p.upper()}_BASE_URL")) and u != default(f"{p.upper()}_BASE_URL")
            },
            probe_max_usd=_positive("PROBE_MAX_USD", get, "a number of US dollars", float, MAX_PROBE_USD),
            collections=Collections(**{attr: _collection_name(var, get) for attr, var in COLLECTION_VARIABLES.items()}),
        )

    def require_mongodb_uri(self, hint: str = "") -> str:
        """The connection string; `hint` (what else the command offers) is appended when missing."""
        if not self.mongodb_uri:
            raise ConfigError(
                "MONGODB_URI is not set: put it in the environment or .env" + (f" ({hint})" if hint else "")
            )
        return self.mongodb_uri

    def api_base(self, provider: str) -> str | None:
        """The API base a probe of `provider` calls: the overriding `<NAME>_BASE_URL` (OpenAI's:
        `OPENAI_BASE_URL`), else the public one; None for a provider without an API here."""
        if provider == "openai" and self.openai_base_url:
            return self.openai_base_url
        return self.provider_base_urls.get(provider) or API_BASES.get(provider)

    def keeps_key_at_gateway(self, provider: str) -> bool:
        """True when the provider's API base is overridden and its model-list URL is not: its key
        must not be sent to the public list."""
        overridden = self.openai_base_url if provider == "openai" else self.provider_base_urls.get(provider)
        return bool(overridden) and provider not in self.provider_list_urls

    @property
    def mail(self) -> MailSettings:
        """How msmtp is called (binary, configuration, sender)."""
        return MailSettings(self.msmtp_path, self.msmtp_config, self.mail_from)

    def require_msmtp_config(self) -> None:
        """Before a run that will send: the file MSMTP_CONFIG names (when set) can be read, so a
        typo fails at once (exit 3) instead of after the whole run (exit 5)."""
        path = self.msmtp_config
        if not path:
            return
        if not os.path.isfile(path):
            raise ConfigError(f"MSMTP_CONFIG={path} does not exist: set up msmtp first (ops/README.md, 'msmtp')")
        if not os.access(path, os.R_OK):
            raise ConfigError(f"MSMTP_CONFIG={path} is not readable by this user (ops/README.md, 'msmtp')")

    def require_recipient(self, hint: str = "") -> str:
        """The one recipient address; `hint` is appended to the error when it is missing."""
        if not self.notify_email:
            raise ConfigError(
                "NOTIFY_EMAIL is not set: it is the recipient of the mail" + (f" ({hint})" if hint else "")
            )
        return _plain_address("NOTIFY_EMAIL", self.notify_email)


Reader = Callable[[str], "str | None"]


def _reader(env: Mapping[str, str]) -> Reader:
    """`get(name)`: the stripped value, None when blank; upstream's alias when only it is set."""
    aliases = {v.alias_of: v.name for v in BY_NAME.values() if v.alias_of}

    def raw(name: str) -> str | None:
        return env.get(name, "").strip() or None

    def get(name: str) -> str | None:
        value, alias = raw(name), aliases.get(name)
        if alias is None or raw(alias) is None:
            return value
        if value is not None:
            log.warning("both %s and upstream's %s are set: using %s=%s", name, alias, name, value)
            return value
        return raw(alias)

    return get


def _positive(name: str, get: Reader, unit: str, kind: type[float] | type[int], maximum: float) -> float:
    text = get(name) or default(name)
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"{name} must be {unit}, got {text[:40]!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive, finite number ({unit}), got {text[:40]!r}")
    if value > maximum:
        raise ConfigError(f"{name} must be at most {int(maximum)} ({unit}: a day), got {text[:40]!r}")
    return value


def http_url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched as it is (None when it is an http or https URL with a host)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number from 0 to 65535
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "expected http:// or https://"
    if not parts.hostname:
        return "it names no host"
    return None


def _url(name: str, get: Reader) -> str:
    value = get(name) or default(name)
    problem = http_url_problem(value)
    if problem:
        raise ConfigError(f"{name} is not a URL to fetch: {problem}")  # the value may hold a token
    return value


def _choice(name: str, get: Reader, choices: tuple[str, ...]) -> str:
    value = (get(name) or default(name)).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _database_name(name: str) -> str:
    if _BAD_DB_CHARS.search(name) or len(name.encode()) > 63:
        raise ConfigError(
            f"MONGODB_DB is not a valid database name, got {name!r}: at most 63 bytes, "
            'without spaces or any of / \\ . " $'
        )
    return name


def _collection_name(variable: str, get: Reader) -> str:
    name = get(variable) or default(variable)
    if "$" in name or "\x00" in name or name.startswith("system."):
        raise ConfigError(f"{variable} is not a valid collection name, got {name!r}")
    return name


def _plain_address(variable: str, value: str) -> str:
    """One bare address, fit for a header as it is: no list, no display name, no character that
    is not printable (VT, NEL, U+2028 and the like end a header line for some readers) and no
    RFC 2047 encoded-word (`=?utf-8?q?...?=` may decode to a line break)."""
    if any(c in value for c in " ,;<>") or not value.isprintable() or "=?" in value or "@" not in value:
        raise ConfigError(f"{variable} must be one plain address, got {value!r}")
    return value
