"""ops/install.sh against a throw-away root: the dry run prints every action and changes
nothing, a real run installs and enables, a second run changes nothing, and a missing or
loosely permitted .env stops it before anything is touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_tree import OPS, TIMERS, UNITS, make_tree, require_tool, run_install, snapshot


@pytest.fixture(autouse=True)
def _tools() -> None:
    require_tool("systemctl")
    require_tool("systemd-sysusers")


def _actions(stdout: str) -> list[str]:
    return [line[2:] for line in stdout.splitlines() if line.startswith("+ ")]


def test_dry_run_prints_every_action_and_changes_nothing(tmp_path: Path) -> None:
    root = make_tree(tmp_path, seed_user=False)
    before = snapshot(root)
    result = run_install("--dry-run", "--root", root)
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == before
    assert _actions(result.stdout) == [
        f"install -D -m 0644 {OPS}/llm-bench.sysusers {root}/etc/sysusers.d/llm-bench.conf",
        f"systemd-sysusers --root={root} llm-bench.conf",
        f"chown llm-bench:llm-bench {root}/opt/llm-bench-ops/.env",
        *(f"install -D -m 0644 {OPS}/{unit} {root}/etc/systemd/system/{unit}" for unit in UNITS),
        f"systemctl --root={root} enable {' '.join(TIMERS)}",
    ]
    assert "dry run: nothing was changed" in result.stdout


def test_install_then_reinstall_is_idempotent(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    first = run_install("--root", root)
    assert first.returncode == 0, first.stderr
    units = root / "etc/systemd/system"
    for unit in UNITS:
        assert (units / unit).read_bytes() == (OPS / unit).read_bytes()
        assert (units / unit).stat().st_mode & 0o777 == 0o644
    for timer in TIMERS:
        link = units / "timers.target.wants" / timer
        assert link.is_symlink() and str(link.readlink()) == f"/etc/systemd/system/{timer}"
    after_first = snapshot(root)

    second = run_install("--root", root)
    assert second.returncode == 0, second.stderr
    assert snapshot(root) == after_first
    # Only the (idempotent) enable is repeated; every file is reported unchanged.
    assert _actions(second.stdout) == [f"systemctl --root={root} enable {' '.join(TIMERS)}"]
    assert second.stdout.count("unchanged:") == len(UNITS) + 3


def test_a_changed_unit_is_copied_again(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert run_install("--root", root).returncode == 0
    stale = root / "etc/systemd/system/llm-health-check.timer"
    stale.write_text("[Timer]\nOnCalendar=hourly\n")
    result = run_install("--root", root)
    assert result.returncode == 0, result.stderr
    assert f"install -D -m 0644 {OPS}/llm-health-check.timer {stale}" in _actions(result.stdout)
    assert stale.read_bytes() == (OPS / "llm-health-check.timer").read_bytes()


@pytest.mark.parametrize("dry_run", [True, False])
def test_env_file_must_exist_with_mode_0600(tmp_path: Path, dry_run: bool) -> None:
    flags = ["--dry-run"] if dry_run else []
    loose = make_tree(tmp_path / "loose", env_mode=0o644)
    before = snapshot(loose)
    result = run_install(*flags, "--root", loose)
    assert result.returncode == 1
    assert "mode 644, it must be 600" in result.stderr and "chmod 600" in result.stderr
    assert snapshot(loose) == before and not result.stdout

    missing = make_tree(tmp_path / "missing")
    (missing / "opt/llm-bench-ops/.env").unlink()
    result = run_install(*flags, "--root", missing)
    assert result.returncode == 1
    assert f"{missing}/opt/llm-bench-ops/.env not found" in result.stderr
    assert not (missing / "etc/systemd").exists()


def test_missing_virtual_environment_is_named(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    (root / "opt/llm-bench-ops/.venv/bin/llm-health-check").unlink()
    result = run_install("--root", root)
    assert result.returncode == 1
    assert "uv sync --frozen --no-dev" in result.stderr


def test_unknown_argument_is_refused() -> None:
    result = run_install("--now")
    assert result.returncode == 1
    assert "unknown argument: --now" in result.stderr
