"""The systemd units in ops/, checked by the real systemd-analyze: they verify cleanly once
installed into a throw-away root, the timers fire at 07:00 and 08:00 UTC in that order (also
when both catch up after a boot), and
each service's offline security exposure stays within 2.0 and matches ops/README.md."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from ops_tree import (
    OPS,
    SERVICES,
    TEMPLATE,
    TIMERS,
    UNITS,
    add_stock_units,
    make_tree,
    read_unit,
    require_tool,
    run_install,
)

EXPOSURE_TARGET = 2.0


@pytest.fixture(scope="module")
def analyze() -> str:
    return require_tool("systemd-analyze")


@pytest.fixture(scope="module")
def installed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("systemctl")
    root = make_tree(tmp_path_factory.mktemp("root"))
    add_stock_units(root)
    result = run_install("--root", root)
    assert result.returncode == 0, result.stderr
    return root


def _analyze(analyze: str, *args: str | Path, tz: str = "UTC") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": tz, "SYSTEMD_COLORS": "0"}
    return subprocess.run([analyze, *map(str, args)], capture_output=True, text=True, timeout=60, env=env, check=False)


def _seconds(analyze: str, span: str) -> float:
    out = _analyze(analyze, "timespan", span).stdout
    return int(re.search(r"μs:\s*(\d+)", out).group(1)) / 1e6


@pytest.mark.parametrize(
    "unit",
    [*SERVICES, *TIMERS, *(f"llm-health-check-failure@{service}.service" for service in SERVICES)],
)
def test_units_verify_cleanly_when_installed(analyze: str, installed_root: Path, unit: str) -> None:
    result = _analyze(analyze, "verify", f"--root={installed_root}", unit)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not [line for line in output.splitlines() if "llm-" in line or "/opt/" in line], output


def test_verify_notices_a_missing_executable(analyze: str, tmp_path: Path) -> None:
    """Control for the test above: verify really checks the installed ExecStart paths."""
    require_tool("systemctl")
    root = make_tree(tmp_path)
    add_stock_units(root)
    assert run_install("--root", root).returncode == 0
    (root / "opt/llm-bench-ops/.venv/bin/llm-discovery").unlink()
    result = _analyze(analyze, "verify", f"--root={root}", "llm-discovery.service")
    assert result.returncode != 0
    assert "/opt/llm-bench-ops/.venv/bin/llm-discovery" in result.stderr


@pytest.mark.parametrize(("timer", "hour"), [("llm-discovery.timer", "07"), ("llm-health-check.timer", "08")])
def test_timers_fire_daily_in_utc(analyze: str, timer: str, hour: str) -> None:
    settings = read_unit(OPS / timer)["Timer"]
    assert settings["Persistent"] == ["true"]
    (calendar,) = settings["OnCalendar"]
    result = _analyze(analyze, "calendar", "--iterations=3", calendar, tz="Asia/Tokyo")
    assert result.returncode == 0, result.stderr
    assert f"Normalized form: *-*-* {hour}:00:00 UTC" in result.stdout
    in_utc = re.findall(r"\(in UTC\): \w{3} \d{4}-\d\d-\d\d (\d\d:\d\d:\d\d) UTC", result.stdout)
    assert in_utc == [f"{hour}:00:00"] * 3, result.stdout
    assert read_unit(OPS / timer)["Install"]["WantedBy"] == ["timers.target"]


def test_discovery_finishes_before_the_health_check_starts(analyze: str) -> None:
    discovery_timeout = _seconds(analyze, read_unit(OPS / "llm-discovery.service")["Service"]["TimeoutStartSec"][0])
    assert 7 * 3600 + discovery_timeout < 8 * 3600


def test_catch_up_after_boot_runs_discovery_first() -> None:
    """Both catch-ups are due at the same moment only without a random delay; then the health
    service's After= holds them in order (tests/test_systemd_e2e.py checks it under systemd)."""
    for timer in TIMERS:
        assert read_unit(OPS / timer)["Timer"].get("RandomizedDelaySec", ["0"]) == ["0"], timer
    assert "llm-discovery.service" in read_unit(OPS / "llm-health-check.service")["Unit"]["After"][0].split()
    assert read_unit(OPS / "llm-health-check.timer")["Unit"]["After"] == ["llm-discovery.timer"]


@pytest.mark.parametrize("name", [*SERVICES, TEMPLATE])
def test_services_run_unprivileged_from_the_deployed_venv(name: str) -> None:
    unit = read_unit(OPS / name)
    service = unit["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["TimeoutStartSec"] and service["TimeoutStartSec"][0] != "infinity"
    assert service["WorkingDirectory"] == ["/opt/llm-bench-ops"]
    assert service["EnvironmentFile"] == ["/opt/llm-bench-ops/.env"]
    assert service["User"] == ["llm-bench"]
    for command in service["ExecStart"] + service.get("ExecStartPre", []) + service.get("ExecStopPost", []):
        assert shlex.split(command.lstrip("-"))[0].startswith("/opt/llm-bench-ops/.venv/bin/")
    if name in SERVICES:
        assert unit["Unit"]["OnFailure"] == ["llm-health-check-failure@%n.service"]
        # The pings are ignored on failure ("-") so they can never fail the job.
        assert service["ExecStartPre"] == ["-/opt/llm-bench-ops/.venv/bin/python -m api.llm_bench.ping start"]
        assert service["ExecStopPost"] == ["-/opt/llm-bench-ops/.venv/bin/python -m api.llm_bench.ping finish"]


def test_every_unit_is_shipped() -> None:
    assert sorted(p.name for p in OPS.iterdir() if p.suffix in (".service", ".timer")) == sorted(UNITS)


@pytest.mark.parametrize("name", [*SERVICES, TEMPLATE])
def test_security_exposure_within_target_and_documented(analyze: str, name: str) -> None:
    result = _analyze(analyze, "security", "--offline=yes", OPS / name)
    assert result.returncode == 0, result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert match, result.stdout
    exposure = float(match.group(1))
    assert exposure <= EXPOSURE_TARGET
    readme = (OPS / "README.md").read_text()
    assert re.search(rf"\| `{re.escape(name)}` \| {exposure:.1f} \|", readme), f"ops/README.md must record {exposure}"
