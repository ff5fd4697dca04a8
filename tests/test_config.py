"""Settings.from_env with an explicit mapping: defaults, overrides, blanks, and the require_* checks."""

from __future__ import annotations

import dataclasses

import pytest

from api.llm_bench.config import Collections, Settings
from api.llm_bench.errors import ConfigError
from api.llm_bench.exit_codes import ExitStatus

COLLECTION_VARIABLES = {
    "ERRORS_COLLECTION": "errors",
    "METRICS_COLLECTION": "successes",
    "ROLLUPS_COLLECTION": "rollups",
    "MODELS_COLLECTION": "models",
    "CATALOG_COLLECTION": "catalog",
    "CATALOG_RUNS_COLLECTION": "catalog_runs",
    "HEALTH_RUNS_COLLECTION": "health_runs",
    "ERROR_CLASSES_COLLECTION": "error_classes",
    "PROVIDER_MODELS_COLLECTION": "provider_models",
    "SOURCE_RUNS_COLLECTION": "source_runs",
    "PROBE_RESULTS_COLLECTION": "probe_results",
    "SILENCES_COLLECTION": "silences",
}


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.mongodb_uri is None
    assert settings.mongodb_db == "llm-bench"
    assert settings.openai_api_key is None
    assert settings.openai_base_url is None
    assert settings.openai_model == "gpt-4o-mini"
    assert settings.openai_timeout == 60.0
    assert settings.notify_email is None
    assert settings.mail_from is None
    assert settings.msmtp_path == "msmtp"
    assert settings.msmtp_config is None
    assert settings.openrouter_models_url == "https://openrouter.ai/api/v1/models"
    assert settings.collections == Collections()


def test_default_collection_names() -> None:
    collections = Settings.from_env({}).collections
    assert dataclasses.asdict(collections) == {
        "errors": "errors_cloud",
        "successes": "metrics_cloud_v2",
        "rollups": "error_rollups",
        "models": "models",
        "catalog": "openrouter_catalog",
        "catalog_runs": "openrouter_runs",
        "health_runs": "health_runs",
        "error_classes": "error_classes",
        "provider_models": "provider_models",
        "source_runs": "source_runs",
        "probe_results": "probe_results",
        "silences": "health_silences",
    }


def test_model_sources_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GROQ_API_KEY": "gsk-test",
            "ANTHROPIC_API_KEY": " ",
            "TOGETHER_API_KEY": "tg",
            "TOGETHER_MODELS_URL": "http://127.0.0.1:9/v1/models",
            "AZURE_API_KEY": "x",
            "MODEL_REGISTRY_URL": "http://127.0.0.1:9/map.json",
        }
    )
    assert settings.provider_keys == {"groq": "gsk-test", "together": "tg"}
    assert settings.provider_list_urls == {"together": "http://127.0.0.1:9/v1/models"}
    assert settings.model_registry_url == "http://127.0.0.1:9/map.json"
    assert Settings.from_env({}).model_registry_url.endswith(
        "/BerriAI/litellm/main/model_prices_and_context_window.json"
    )


def test_every_variable_can_be_overridden() -> None:
    env = {
        "MONGODB_URI": "mongodb://db.example.test:27017/?replicaSet=rs0",
        "MONGODB_DB": "bench-prod",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
        "OPENAI_MODEL": "gpt-4o",
        "OPENAI_TIMEOUT": "12.5",
        "NOTIFY_EMAIL": "ops@example.test",
        "MAIL_FROM": "bench@example.test",
        "MSMTP_PATH": "/usr/local/bin/msmtp",
        "MSMTP_CONFIG": "/etc/llm-bench/msmtprc",
        "OPENROUTER_MODELS_URL": "http://127.0.0.1:8081/api/v1/models",
    }
    settings = Settings.from_env(env)
    assert settings.mongodb_uri == env["MONGODB_URI"]
    assert settings.mongodb_db == "bench-prod"
    assert settings.openai_api_key == "test-key"
    assert settings.openai_base_url == "http://127.0.0.1:8080/v1"
    assert settings.openai_model == "gpt-4o"
    assert settings.openai_timeout == 12.5
    assert settings.notify_email == "ops@example.test"
    assert settings.mail_from == "bench@example.test"
    assert settings.msmtp_path == "/usr/local/bin/msmtp"
    assert settings.msmtp_config == "/etc/llm-bench/msmtprc"
    assert settings.openrouter_models_url == "http://127.0.0.1:8081/api/v1/models"


def test_every_collection_name_can_be_overridden() -> None:
    env = {variable: f"custom_{attr}" for variable, attr in COLLECTION_VARIABLES.items()}
    collections = Settings.from_env(env).collections
    assert dataclasses.asdict(collections) == {attr: f"custom_{attr}" for attr in COLLECTION_VARIABLES.values()}


@pytest.mark.parametrize(("variable", "attr"), COLLECTION_VARIABLES.items())
def test_one_collection_override_leaves_the_others_alone(variable: str, attr: str) -> None:
    collections = Settings.from_env({variable: "renamed"}).collections
    expected = dataclasses.replace(Collections(), **{attr: "renamed"})
    assert collections == expected


def test_values_are_stripped() -> None:
    settings = Settings.from_env({"MONGODB_DB": "  bench \n", "OPENAI_TIMEOUT": " 5 ", "ERRORS_COLLECTION": " e "})
    assert settings.mongodb_db == "bench"
    assert settings.openai_timeout == 5.0
    assert settings.collections.errors == "e"


@pytest.mark.parametrize("blank", ["", " ", "\t", "\n"])
def test_blank_values_count_as_unset(blank: str) -> None:
    names = [
        "MONGODB_URI",
        "MONGODB_DB",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "OPENAI_TIMEOUT",
        "NOTIFY_EMAIL",
        "MAIL_FROM",
        "MSMTP_PATH",
        "MSMTP_CONFIG",
        "OPENROUTER_MODELS_URL",
        *COLLECTION_VARIABLES,
    ]
    assert Settings.from_env(dict.fromkeys(names, blank)) == Settings.from_env({})


def test_unrelated_variables_are_ignored() -> None:
    assert Settings.from_env({"PATH": "/bin", "HOME": "/root", "OPENAI_ORG": "x"}) == Settings()


def test_from_env_reads_os_environ_without_a_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_DB", "from-os-environ")
    monkeypatch.setenv("OPENAI_TIMEOUT", "7")
    settings = Settings.from_env()
    assert settings.mongodb_db == "from-os-environ"
    assert settings.openai_timeout == 7.0


@pytest.mark.parametrize("value", ["abc", "10s", "1,5", "0x10"])
def test_non_numeric_timeout_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"OPENAI_TIMEOUT": value})
    assert "OPENAI_TIMEOUT" in str(info.value)
    assert repr(value) in str(info.value)
    assert info.value.status is ExitStatus.CONFIG_ERROR


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "-inf"])
def test_zero_negative_or_non_finite_timeout_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="OPENAI_TIMEOUT"):
        Settings.from_env({"OPENAI_TIMEOUT": value})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.mongodb_db = "other"  # type: ignore[misc]


def test_require_mongodb_uri() -> None:
    uri = "mongodb://127.0.0.1:27017/"
    assert Settings.from_env({"MONGODB_URI": uri}).require_mongodb_uri() == uri


def test_missing_mongodb_uri_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"MONGODB_URI": "  "}).require_mongodb_uri()
    message = str(info.value)
    assert "MONGODB_URI is not set" in message
    assert "--demo" not in message  # only the command that has --demo offers it
    assert "\n" not in message
    assert info.value.status is ExitStatus.CONFIG_ERROR
    with pytest.raises(ConfigError, match=r"\(or use --demo\)$"):
        Settings.from_env({}).require_mongodb_uri("or use --demo")


def test_require_recipient() -> None:
    assert Settings.from_env({"NOTIFY_EMAIL": "ops@example.test"}).require_recipient() == "ops@example.test"


def test_missing_recipient_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({}).require_recipient("use --dry-run to print instead")
    assert "NOTIFY_EMAIL is not set" in str(info.value)
    assert "(use --dry-run to print instead)" in str(info.value)
    assert info.value.status is ExitStatus.CONFIG_ERROR


@pytest.mark.parametrize(
    "value",
    [
        "a@example.test,b@example.test",
        "a@example.test; b@example.test",
        "a@example.test b@example.test",
        "Ops <ops@example.test>",
        "ops@example.test\nBcc: attacker@example.test",
        "ops@example.test\r\nBcc: attacker@example.test",
        "ops@example.test\tx",
        "not-an-address",
    ],
)
def test_recipient_must_be_one_plain_address(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings(notify_email=value).require_recipient()
    assert "NOTIFY_EMAIL must be one plain address" in str(info.value)
    assert "\n" not in str(info.value)  # the bad value is shown with repr, escapes included


def test_header_injection_through_the_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="NOTIFY_EMAIL must be one plain address"):
        Settings.from_env({"NOTIFY_EMAIL": "ops@example.test\nBcc: attacker@example.test\n"})


# --- upstream's collection variables ---------------------------------------------------------

UPSTREAM = [
    ("MONGODB_COLLECTION_ERRORS", "ERRORS_COLLECTION", "errors"),
    ("MONGODB_COLLECTION_ERROR_ROLLUPS", "ROLLUPS_COLLECTION", "rollups"),
    ("MONGODB_COLLECTION_CLOUD", "METRICS_COLLECTION", "successes"),
]


@pytest.mark.parametrize(("upstream", "own", "attr"), UPSTREAM)
def test_upstream_collection_variable_is_honoured(upstream: str, own: str, attr: str) -> None:
    collections = Settings.from_env({upstream: "staging_" + attr}).collections
    assert getattr(collections, attr) == "staging_" + attr


@pytest.mark.parametrize(("upstream", "own", "attr"), UPSTREAM)
def test_own_name_wins_over_upstream_with_a_warning(
    upstream: str, own: str, attr: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="llm_bench"):
        collections = Settings.from_env({upstream: "upstream_name", own: "own_name"}).collections
    assert getattr(collections, attr) == "own_name"
    assert f"both {own} and upstream's {upstream} are set: using {own}=own_name" in caplog.text


def test_blank_upstream_variable_is_unset(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="llm_bench"):
        assert (
            Settings.from_env({"MONGODB_COLLECTION_CLOUD": " ", "METRICS_COLLECTION": "m"}).collections.successes == "m"
        )
    assert caplog.text == ""


# --- invalid values: one ConfigError naming the variable -------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MONGODB_DB": "bad name"}, "MONGODB_DB is not a valid database name, got 'bad name'"),
        ({"MONGODB_DB": "llm.bench"}, "MONGODB_DB is not a valid database name"),
        ({"MONGODB_DB": "a/b"}, "MONGODB_DB is not a valid database name"),
        ({"MONGODB_DB": "$x"}, "MONGODB_DB is not a valid database name"),
        ({"MONGODB_DB": "x" * 64}, "MONGODB_DB is not a valid database name"),
        ({"MAIL_FROM": "bench@example.test\r\nBcc: attacker@example.test"}, "MAIL_FROM must be one plain address"),
        ({"MAIL_FROM": "bench@example.test\nX: y"}, "MAIL_FROM must be one plain address"),
        ({"MAIL_FROM": "Bench <bench@example.test>"}, "MAIL_FROM must be one plain address"),
        ({"MAIL_FROM": "bench"}, "MAIL_FROM must be one plain address"),
        ({"MONGODB_TIMEOUT_MS": "soon"}, "MONGODB_TIMEOUT_MS must be a whole number of milliseconds, got 'soon'"),
        ({"MONGODB_TIMEOUT_MS": "1.5"}, "MONGODB_TIMEOUT_MS must be a whole number"),
        ({"MONGODB_TIMEOUT_MS": "0"}, "MONGODB_TIMEOUT_MS must be a positive"),
        ({"SUBJECT_TAGS": "loud"}, "SUBJECT_TAGS must be one of project, upstream, got 'loud'"),
        ({"ERRORS_COLLECTION": "errors$x"}, "ERRORS_COLLECTION is not a valid collection name"),
        ({"MONGODB_COLLECTION_CLOUD": "system.views"}, "METRICS_COLLECTION is not a valid collection name"),
    ],
)
def test_invalid_values_are_config_errors(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert expected in str(info.value)
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    assert info.value.status is ExitStatus.CONFIG_ERROR


def test_new_settings_are_read() -> None:
    settings = Settings.from_env({"MONGODB_TIMEOUT_MS": "2500", "SUBJECT_TAGS": "Upstream"})
    assert settings.mongodb_timeout_ms == 2500
    assert settings.subject_tags == "upstream"
    assert Settings.from_env({}).mongodb_timeout_ms == 120_000
    assert Settings.from_env({}).subject_tags == "project"
