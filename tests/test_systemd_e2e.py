"""ops/ under a real systemd: a throwaway systemd booted as PID 1 in new namespaces
(tests/systemd_sandbox.py), deployed the way ops/README.md says, with loopback stand-ins for
MongoDB (SecantusDB), OpenRouter and the dead-man pings, and an SMTP sink writing a maildir.

It installs with ops/install.sh (offline, from uv's cache), runs both services, sends a test
crash alert, runs discovery by hand as the service user, fails the health check and a
discovery that times out in ExecStartPre= and reads their crash mails, then reboots twice with
both daily runs missed and checks that discovery's catch-up finished before the health check's
started. Needs root (namespaces, mounts, cgroups); in CI (CI=true) it never skips.
"""

from __future__ import annotations

import mailbox
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from smtp_sink import unflow
from systemd_sandbox import SCRIPTS, Sandbox

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "tests" / "fixtures" / "openrouter" / "catalog-2026-01-06.json"
APP = "/opt/llm-bench-ops"
SHARE = "/llm-sandbox"
CHECKOUT_FILES = ("api", "ops", "pyproject.toml", "uv.lock", "README.md", "LICENSE")
BOOT_SECONDS = 60  # the whole boot-time catch-up of both jobs, without random delays
ENV = """MONGODB_URI=mongodb://127.0.0.1:27017/?directConnection=true
MONGODB_DB=llm-bench
NOTIFY_EMAIL=oncall@example.test
MAIL_FROM=llm-bench@example.test
MSMTP_CONFIG=/etc/llm-bench-ops/msmtprc
OPENROUTER_MODELS_URL=http://127.0.0.1:8080/api/v1/models
HEALTHCHECK_PING_URL=http://127.0.0.1:8080/ping/e2e-check
"""
MSMTPRC = "defaults\nauth off\ntls off\n\naccount default\nhost 127.0.0.1\nport 2525\nfrom llm-bench@example.test\n"


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "needs root: it creates namespaces, mounts and a cgroup"
    for tool in ("unshare", "nsenter", "msmtp"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/lib/systemd/systemd").exists():
        return "/lib/systemd/systemd is missing (apt-get install systemd)"
    if not _uv():
        return "uv is not installed"
    return None


def _uv() -> str | None:
    """The uv binary itself (`uv run` exports it as UV), not a version manager's shim."""
    return os.environ.get("UV") or shutil.which("uv")


def _uv_cache() -> str:
    return subprocess.run(
        [str(_uv()), "cache", "dir"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()


def _stand_in_unit(name: str, command: str, port: int) -> str:
    """An enabled unit that comes up at every boot, before the jobs, once its port listens."""
    return (
        f"[Unit]\nDescription=sandbox stand-in: {name}\n"
        "Before=llm-discovery.service llm-health-check.service llm-health-check-failure@.service\n"
        f"[Service]\nType=exec\nExecStart={command}\n"
        f"ExecStartPost=/bin/bash -c 'until (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; do sleep 0.1; done'\n"
        "TimeoutStartSec=60\nEnvironment=PYTHONUNBUFFERED=1\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the systemd end-to-end test cannot run in CI: {reason}")
        pytest.skip(reason)
    box = Sandbox(
        tmp_path_factory.mktemp("systemd"), [ROOT, Path(sys.prefix), Path(sys.base_prefix), Path(_uv_cache())]
    )
    try:
        box.start()
        assert box.boot() == "running"
        _stand_ins(box)
        yield box
    finally:
        box.close()
    assert not box.cgroup.exists()


def _stand_ins(box: Sandbox) -> None:
    mailbox.Maildir(box.share / "maildir", create=True)
    (box.share / "secantusd.toml").write_text("")
    python = sys.executable
    units = {
        "llm-sandbox-mongo.service": _stand_in_unit(
            "MongoDB",
            f"{python} -m secantus --config {SHARE}/secantusd.toml --host 127.0.0.1 --port 27017 "
            "--storage-path :memory: --standalone --log-level WARNING",
            27017,
        ),
        "llm-sandbox-smtp.service": _stand_in_unit(
            "SMTP sink", f"{python} -m aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Mailbox {SHARE}/maildir", 2525
        ),
        "llm-sandbox-web.service": _stand_in_unit(
            "catalog and pings",
            f"{python} {SCRIPTS}/catalog_server.py 127.0.0.1 8080 {CATALOG} {SHARE}/requests.log",
            8080,
        ),
    }
    for name, text in units.items():
        (box.share / name).write_text(text)
    box.run("sh", "-c", f"cp {SHARE}/llm-sandbox-*.service /etc/systemd/system/ && systemctl daemon-reload")
    box.run("systemctl", "enable", "--now", *units, timeout=90)


def _mails(box: Sandbox) -> dict[str, EmailMessage]:
    """Every message the SMTP sink kept, by maildir key."""
    folder = mailbox.Maildir(box.share / "maildir", factory=None, create=False)
    parse = BytesParser(policy=policy.default).parsebytes
    return {key: parse(folder.get_bytes(key)) for key in folder.keys()}  # type: ignore[misc]  # noqa: SIM118


def _wait_for_mail(box: Sandbox, subject_part: str, seen: set[str], timeout: float = 60) -> EmailMessage:
    """The first new message (key not in `seen`) whose subject contains `subject_part`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [m for key, m in _mails(box).items() if key not in seen and subject_part in str(m["Subject"])]
        if fresh:
            return fresh[0]
        time.sleep(0.2)
    subjects = [str(m["Subject"]) for m in _mails(box).values()]
    raise AssertionError(f"no new mail with {subject_part!r} within {timeout:.0f}s; the sink has {subjects}")


def _start(box: Sandbox, unit: str, *, fails: bool = False) -> None:
    """`systemctl start unit` (it blocks until a oneshot ends); on a surprise, show its journal."""
    result = box.run("systemctl", "start", unit, timeout=120, check=False)
    if (result.returncode != 0) != fails:
        raise AssertionError(
            f"systemctl start {unit} exited {result.returncode}:\n" + box.journal("-u", unit, "-n", "150")
        )


def _deploy(box: Sandbox) -> None:
    """ops/README.md's Deploy, with a copy of this checkout for `git clone` and uv offline."""
    files = " ".join(CHECKOUT_FILES)
    box.run("sh", "-c", f"mkdir {APP} && tar -C {ROOT} --exclude=__pycache__ -cf - {files} | tar -C {APP} -xf -")
    box.run("systemd-sysusers", f"{APP}/ops/llm-bench.sysusers")
    box.run("install", "-d", "-m", "750", "-o", "root", "-g", "llm-bench", "/etc/llm-bench-ops")
    box.run("install", "-m", "600", "-o", "llm-bench", "-g", "llm-bench", "/dev/null", "/etc/llm-bench-ops/msmtprc")
    box.run("sh", "-c", f"printf '%s' '{MSMTPRC}' > /etc/llm-bench-ops/msmtprc")
    box.run(
        "sh",
        "-c",
        f"cd {APP} && {_uv()} sync --frozen --no-dev --offline --python /usr/bin/python3 -q",
        HOME="/root",
        UV_CACHE_DIR=_uv_cache(),
        timeout=120,
    )
    box.run("install", "-m", "600", "/dev/null", f"{APP}/.env")
    box.run("sh", "-c", f"printf '%s' '{ENV}' > {APP}/.env")


def test_install_run_fail_and_catch_up_in_order(sandbox: Sandbox) -> None:
    box = sandbox
    _deploy(box)
    dry = box.run(f"{APP}/ops/install.sh", "--dry-run")
    assert "dry run: nothing was changed" in dry.stdout
    installed = box.run(f"{APP}/ops/install.sh")
    assert "+ systemctl enable --now llm-discovery.timer llm-health-check.timer" in installed.stdout
    assert "readable by llm-bench" in installed.stdout
    assert "unchanged: user llm-bench exists" in installed.stdout

    # Both jobs, as the timers would start them.
    _start(box, "llm-discovery.service")
    _start(box, "llm-health-check.service")
    report = _wait_for_mail(box, "LLM Benchmarks Daily Health", set())
    assert report["To"] == "oncall@example.test"
    requests = (box.share / "requests.log").read_text().splitlines()
    assert "GET /api/v1/models" in requests and requests.count("GET /ping/e2e-check/0") == 2
    uid = box.run("id", "-u", "llm-bench").stdout.strip()
    assert box.journal("-u", "llm-health-check.service", f"_UID={uid}", "-o", "cat").strip()

    # The guide's test crash alert: the template's user, groups and environment file, --test.
    seen = set(_mails(box))
    box.run(
        "systemd-run",
        "--quiet",
        "--wait",
        "--pipe",
        "--collect",
        "-p",
        "User=llm-bench",
        "-p",
        "Group=llm-bench",
        "-p",
        "SupplementaryGroups=systemd-journal",
        "-p",
        f"WorkingDirectory={APP}",
        "-p",
        f"EnvironmentFile={APP}/.env",
        f"{APP}/.venv/bin/python",
        "-m",
        "api.llm_bench.crash_alert",
        "--test",
        "llm-health-check.service",
        timeout=60,
    )
    test_alert = _wait_for_mail(box, "[TEST]", seen)
    assert "crash alert test for llm-health-check.service" in str(test_alert["Subject"])
    assert unflow(test_alert.get_content()).startswith("This is a TEST of the crash alert")
    assert "Exit status: exited with status 0 (OK)" in unflow(test_alert.get_content())

    # Discovery by hand, as the guide has an operator do it.
    by_hand = box.run("runuser", "-u", "llm-bench", "--", "sh", "-c", f"cd {APP} && .venv/bin/llm-discovery stats")
    assert "catalog" in by_hand.stdout.lower()
    box.run(
        "runuser",
        "-u",
        "llm-bench",
        "--",
        "sh",
        "-c",
        f"cd {APP} && .venv/bin/llm-discovery report --no-ai --max-matches 3",
        timeout=120,
    )

    # A failed run: MongoDB down. The alert shows this run only (one "Starting" line).
    seen = set(_mails(box))
    box.run("systemctl", "stop", "llm-sandbox-mongo.service")
    _start(box, "llm-health-check.service", fails=True)
    crash = unflow(_wait_for_mail(box, "llm-health-check.service failed", seen).get_content())
    assert "Exit status: exited with status 4 (DATABASE_UNAVAILABLE)" in crash
    assert crash.count("Starting llm-health-check.service") == 1, crash
    box.run("systemctl", "start", "llm-sandbox-mongo.service", timeout=90)

    # A timeout before the main command (what used to read "0 (OK)").
    seen = set(_mails(box))
    box.run(
        "sh",
        "-c",
        "mkdir -p /run/systemd/system/llm-discovery.service.d && printf "
        "'[Service]\\nTimeoutStartSec=3s\\nExecStartPre=/bin/sleep 60\\n' "
        "> /run/systemd/system/llm-discovery.service.d/hang.conf && systemctl daemon-reload",
    )
    _start(box, "llm-discovery.service", fails=True)
    hang = unflow(_wait_for_mail(box, "llm-discovery.service failed", seen).get_content())
    assert "Exit status: ExecStartPre= killed by signal TERM (timeout); the main command did not run" in hang
    box.run(
        "sh",
        "-c",
        "rm -r /run/systemd/system/llm-discovery.service.d && systemctl daemon-reload && systemctl reset-failed",
    )

    # Reboots with both daily runs missed: discovery's catch-up must finish first.
    for _ in range(2):
        _missed_both_runs(box)
        seen = set(_mails(box))
        box.poweroff()
        assert box.boot() == "running"
        discovery_done, health_started = _catch_up(box)
        assert discovery_done <= health_started, "the health check started before discovery finished"
        report = _wait_for_mail(box, "LLM Benchmarks Daily Health", seen)
        assert "Check the discovery job" not in unflow(report.get_content())


def _missed_both_runs(box: Sandbox) -> None:
    """The server was off since the day before yesterday: both timers' last runs are old."""
    box.run(
        "sh",
        "-c",
        "d=$(date -u -d '2 days ago' +%F) && "
        'touch -d "$d 07:00:30 UTC" /var/lib/systemd/timers/stamp-llm-discovery.timer && '
        'touch -d "$d 08:00:30 UTC" /var/lib/systemd/timers/stamp-llm-health-check.timer',
    )


def _catch_up(box: Sandbox) -> tuple[int, int]:
    """(when discovery finished, when the health check started), monotonic usec of this boot."""
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        stamps = {}
        for unit, prop in (
            ("llm-discovery.service", "InactiveEnterTimestampMonotonic"),
            ("llm-health-check.service", "InactiveExitTimestampMonotonic"),
            ("llm-health-check.service", "InactiveEnterTimestampMonotonic"),
        ):
            stamps[unit, prop] = int(box.run("systemctl", "show", "-p", prop, "--value", unit).stdout.strip() or 0)
        if (
            stamps["llm-health-check.service", "InactiveEnterTimestampMonotonic"]
            and stamps["llm-discovery.service", "InactiveEnterTimestampMonotonic"]
        ):
            return (
                stamps["llm-discovery.service", "InactiveEnterTimestampMonotonic"],
                stamps["llm-health-check.service", "InactiveExitTimestampMonotonic"],
            )
        if time.monotonic() > deadline:
            timers = box.run("systemctl", "list-timers", "--all", "llm-*").stdout
            raise AssertionError(f"both catch-up runs did not finish within {BOOT_SECONDS}s of boot:\n{timers}")
        time.sleep(0.5)
