"""ops/install.sh against a throw-away root: the dry run prints every action and changes
nothing, a real run installs and enables, a second run changes nothing, and a missing or
loosely permitted .env, a missing or commented MONGODB_URI/NOTIFY_EMAIL, or an msmtp
configuration the service user cannot read stops it before anything is touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_tree import ENV_TEXT, OPS, TIMERS, UNITS, make_tree, require_tool, run_install, snapshot


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


def _refused(root: Path, *flags: str) -> str:
    """Run install.sh on `root`; it must fail with a message and leave the tree as it was."""
    before = snapshot(root)
    result = run_install(*flags, "--root", root)
    assert result.returncode == 1, result.stdout
    assert snapshot(root) == before and not result.stdout
    return result.stderr


@pytest.mark.parametrize(
    ("env_text", "message"),
    [
        ("NOTIFY_EMAIL=ops@example.test\n", "sets no MONGODB_URI"),
        ("MONGODB_URI=mongodb://127.0.0.1/\nNOTIFY_EMAIL=\n", "sets no NOTIFY_EMAIL"),
        (
            "MONGODB_URI=mongodb://127.0.0.1/\nNOTIFY_EMAIL=ops@example.test  # on call\n",
            "the NOTIFY_EMAIL line carries a comment",
        ),
        (
            "MONGODB_URI=mongodb://db.example.test/ #prod\nNOTIFY_EMAIL=ops@example.test\n",
            "the MONGODB_URI line carries a comment",
        ),
    ],
)
def test_env_needs_uri_and_recipient_without_inline_comments(tmp_path: Path, env_text: str, message: str) -> None:
    stderr = _refused(make_tree(tmp_path, env_text=env_text))
    assert message in stderr and "ops/README.md" in stderr


def _with_msmtprc(tmp_path: Path, *, mode: int, uid: int | None = None) -> Path:
    root = make_tree(tmp_path, env_text=ENV_TEXT + "MSMTP_CONFIG=/etc/llm-bench-ops/msmtprc\n", uid=uid)
    folder = root / "etc/llm-bench-ops"
    folder.mkdir(parents=True)
    folder.chmod(0o750)
    (folder / "msmtprc").write_text("account default\nhost 127.0.0.1\n")
    (folder / "msmtprc").chmod(mode)
    return root


def test_msmtp_config_must_exist(tmp_path: Path) -> None:
    root = _with_msmtprc(tmp_path, mode=0o600)
    (root / "etc/llm-bench-ops/msmtprc").unlink()
    assert "MSMTP_CONFIG=/etc/llm-bench-ops/msmtprc does not exist" in _refused(root)


def test_msmtp_config_readable_by_the_owner(tmp_path: Path) -> None:
    assert "not readable by llm-bench" in _refused(_with_msmtprc(tmp_path / "none", mode=0o000))
    result = run_install("--root", _with_msmtprc(tmp_path / "owner", mode=0o600))
    assert result.returncode == 0, result.stderr
    assert "/etc/llm-bench-ops/msmtprc readable by llm-bench" in result.stdout


def test_msmtp_config_readable_through_the_group_only(tmp_path: Path) -> None:
    """A user of another uid reads a 640 file (and passes a 750 folder) through its group."""
    group_readable = _with_msmtprc(tmp_path / "group", mode=0o640, uid=4242)
    result = run_install("--dry-run", "--root", group_readable)
    assert result.returncode == 0, result.stderr
    assert "not readable by llm-bench" in _refused(
        _with_msmtprc(tmp_path / "owner-only", mode=0o600, uid=4242), "--dry-run"
    )


def test_old_install_location_is_named(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    old = root / "opt/llm-benchmarks"
    old.mkdir(parents=True)
    (old / ".env").write_text("SHARED=1\n")
    result = run_install("--root", root)
    assert result.returncode == 0, result.stderr
    assert f"note: {old}/.env belongs to llm-bench" in result.stderr
    assert (old / ".env").read_text() == "SHARED=1\n"  # never touched


def test_a_real_install_runs_from_the_deployed_checkout() -> None:
    result = run_install("--dry-run")
    assert result.returncode == 1
    assert "but the units run /opt/llm-bench-ops: clone the project there" in result.stderr
