"""ops/ under a real systemd: a throwaway systemd booted as PID 1 in new namespaces
(tests/systemd_sandbox.py), deployed by running ops/README.md's own commands as written (its
code blocks are read from the guide), with loopback stand-ins for MongoDB (SecantusDB),
OpenRouter and the dead-man pings, and an SMTP sink writing a maildir.

What cannot run offline is replaced, line by line, by `STAND_INS` (a test below checks that
each replaced line is still in the guide): the packages are checked instead of installed, uv
is copied instead of downloaded, the checkout is copied instead of cloned, `uv sync` reads
uv's cache (a system uv.toml says offline), and `sudoedit` writes the file the test prepared.
The sandbox runs as root and has no sudo, so a stand-in `sudo` runs the command as root (or
with `-u`, as that user through runuser). The guide's Deploy (user, msmtp and its test mail,
`.env`, `install.sh --dry-run`, `install.sh`, the end-to-end check with both services and a
test crash alert, the same by hand) and its discovery by hand run in that order; then it
fails the health check and a
discovery that times out in ExecStartPre= and reads their crash mails, then reboots twice with
both daily runs missed and checks that discovery's catch-up finished before the health check's
started. Needs root (namespaces, mounts, cgroups); in CI (CI=true) it never skips.
"""

from __future__ import annotations

import mailbox
import os
import re
import shlex
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


GUIDE = ROOT / "ops" / "README.md"
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # Debian's, for root
#: Lines of the guide that cannot run in the offline sandbox -> what runs instead.
STAND_INS = {
    "sudo apt-get install -y git msmtp ca-certificates curl": "dpkg-query -W git msmtp ca-certificates curl",
    "curl -LsSf https://astral.sh/uv/install.sh | sudo env UV_INSTALL_DIR=/usr/local/bin sh": (
        f"install -m 755 {SHARE}/uv /usr/local/bin/uv"
    ),
    "sudo git clone https://github.com/OWNER/llm-bench-ops.git /opt/llm-bench-ops": (
        f"mkdir {APP} && tar -C {SHARE}/checkout -cf - . | tar -C {APP} -xf -"
    ),
}
#: What `sudoedit FILE` writes in the sandbox (the guide's own msmtprc relays to a real provider).
EDITS = {f"{APP}/.env": ENV, "/etc/llm-bench-ops/msmtprc": MSMTPRC, "/etc/llm-bench-ops/smtp-password": "unused\n"}
SUDO = """#!/bin/sh
# sandbox stand-in for sudo: the sandbox's commands already run as root
if [ "$1" = -u ]; then user=$2; shift 2; exec runuser -u "$user" -- "$@"; fi
exec "$@"
"""
SUDOEDIT = f"""#!/bin/sh
# sandbox stand-in for sudoedit: writes the prepared text, keeping the file's owner and mode
for file; do cat "{SHARE}/edits/$(printf %s "$file" | tr / _)" > "$file"; done
"""


def guide_blocks(section: str) -> list[str]:
    """The `sh` code blocks of one `## section` of ops/README.md, in order."""
    text = GUIDE.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end >= 0 else None]
    return re.findall(r"^```sh\n(.*?)^```", body, flags=re.MULTILINE | re.DOTALL)


def _command(line: str) -> str:
    return line.split("  #")[0].strip()


def offline(block: str) -> str:
    """The block with each line of STAND_INS replaced (every other line runs as written)."""
    return "\n".join(STAND_INS.get(_command(line), line) for line in block.splitlines())


def _guide(box: Sandbox, block: str, cwd: str = APP, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """One of the guide's blocks in a fresh bash (-e: a failing command fails the test)."""
    script = f"set -euo pipefail\ncd {shlex.quote(cwd)}\n{offline(block)}\n"
    return box.run("bash", "-c", script, HOME="/root", PATH=ROOT_PATH, timeout=timeout)


def _prepare(box: Sandbox) -> None:
    """The sandbox's stand-ins for the network and for sudo (nothing of it reaches the host)."""
    shutil.copy(str(_uv()), box.share / "uv")
    files = " ".join(CHECKOUT_FILES)
    (box.share / "checkout").mkdir()
    subprocess.run(
        f"tar -C {shlex.quote(str(ROOT))} --exclude=__pycache__ -cf - {files} | tar -C {box.share}/checkout -xf -",
        shell=True,
        check=True,
        timeout=60,
    )
    edits = box.share / "edits"
    edits.mkdir()
    for path, text in EDITS.items():
        (edits / path.replace("/", "_")).write_text(text)
    (box.share / "sudo").write_text(SUDO)
    (box.share / "sudoedit").write_text(SUDOEDIT)
    box.run("sh", "-c", f"[ -x /usr/bin/sudo ] || install -m 755 {SHARE}/sudo {SHARE}/sudoedit /usr/local/bin/")
    (box.share / "uv.toml").write_text(f'offline = true\ncache-dir = "{_uv_cache()}"\n')
    box.run("install", "-D", "-m", "644", f"{SHARE}/uv.toml", "/etc/uv/uv.toml")


def test_the_guide_still_has_every_line_the_sandbox_replaces() -> None:
    deploy, msmtp = guide_blocks("Deploy"), guide_blocks("msmtp")
    lines = {_command(line) for block in deploy for line in block.splitlines()}
    assert set(STAND_INS) <= lines
    assert "sudo systemd-sysusers /opt/llm-bench-ops/ops/llm-bench.sysusers" in lines
    edited = {
        name
        for block in deploy + msmtp
        for line in block.splitlines()
        if line.startswith("sudoedit ")
        for name in line.split()[1:]
    }
    assert edited == set(EDITS)
    assert "sudo -u llm-bench msmtp" in msmtp[1]
    assert "llm-discovery fetch" in guide_blocks("Check status")[2]


def test_install_run_fail_and_catch_up_in_order(sandbox: Sandbox) -> None:
    box = sandbox
    _prepare(box)
    deploy, msmtp = guide_blocks("Deploy"), guide_blocks("msmtp")

    # Deploy as the guide says: checkout, uv, the user; msmtp and its test mail; .env and install.sh.
    _guide(box, deploy[0], cwd="/root")
    assert box.run("id", "-un", "llm-bench").stdout.strip() == "llm-bench"
    _guide(box, msmtp[0])
    _guide(box, msmtp[1])
    _wait_for_mail(box, "msmtp test", set())
    installed = _guide(box, deploy[1])
    assert "dry run: nothing was changed" in installed.stdout
    assert "+ systemctl enable --now llm-discovery.timer llm-health-check.timer" in installed.stdout
    assert "readable by llm-bench" in installed.stdout
    assert "unchanged: user llm-bench exists" in installed.stdout
    assert box.run("stat", "-c", "%U %a", f"{APP}/.env").stdout.split() == ["llm-bench", "600"]

    # The end-to-end check: both jobs as the timers would start them, then a test crash alert
    # with the template's user, groups and environment file.
    seen = set(_mails(box))
    _guide(box, deploy[2])
    report = _wait_for_mail(box, "LLM Benchmarks Daily Health", seen)
    assert report["To"] == "oncall@example.test"
    requests = (box.share / "requests.log").read_text().splitlines()
    assert "GET /api/v1/models" in requests and requests.count("GET /ping/e2e-check/0") == 2
    uid = box.run("id", "-u", "llm-bench").stdout.strip()
    assert box.journal("-u", "llm-health-check.service", f"_UID={uid}", "-o", "cat").strip()
    test_alert = _wait_for_mail(box, "[TEST]", seen)
    assert "crash alert test for llm-health-check.service" in str(test_alert["Subject"])
    assert unflow(test_alert.get_content()).startswith("This is a TEST of the crash alert")
    assert "Exit status: exited with status 0 (OK)" in unflow(test_alert.get_content())

    # The same by hand, after the script: it changes nothing that matters and fails nowhere.
    _guide(box, deploy[3])

    # Discovery by hand, as the guide has an operator do it (stats, report, fetch).
    by_hand = _guide(box, guide_blocks("Check status")[2], timeout=300)
    assert "catalog" in by_hand.stdout.lower()

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
