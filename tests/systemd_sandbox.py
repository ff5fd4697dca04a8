"""A throwaway systemd booted as PID 1 in new namespaces, for the end-to-end test of ops/.

`tests/systemd/holder.sh` holds private mount/UTS/IPC/network namespaces and an overlay root
(host `/` read-only below, a tmpfs above); each boot runs `tests/systemd/boot.sh` as PID 1 of a
new PID, mount and cgroup namespace rooted at a private cgroup2 sub-group, which becomes
`/lib/systemd/systemd`. Commands go in through `nsenter`, never to the host's systemd. The
upper layer survives reboots (it lives in the holder), so a reboot keeps installed state.
`close()` powers the sandbox off, ends the holder and removes the cgroup: nothing is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "systemd"
INSIDE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def _wait(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout:.0f}s")
        time.sleep(0.05)


def _cgroup2_mount() -> Path:
    """Where the host mounts the cgroup2 hierarchy (/sys/fs/cgroup or .../unified)."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        if right.split()[0] == "cgroup2":
            return Path(left.split()[4])
    raise RuntimeError("no cgroup2 hierarchy is mounted")


def _own_cgroup2() -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    raise RuntimeError("this process has no cgroup2 membership")


#: Where each boot mounts fresh file systems (tests/systemd/boot.sh): a path below them is hidden.
FRESH = ("/tmp/", "/run/", "/dev/")


def _foreign_mounts(paths: list[Path]) -> list[str]:
    """The paths the overlay (the root file system only, with a fresh /tmp, /run and /dev) would
    not show: they are bound in. A checkout cloned below /tmp is one of them."""
    root_dev = os.stat("/").st_dev
    return sorted(
        {
            str(path.resolve())
            for path in paths
            if os.stat(path).st_dev != root_dev or f"{path.resolve()}/".startswith(FRESH)
        }
    )


class Sandbox:
    def __init__(self, work: Path, visible: list[Path]) -> None:
        self.work = work
        self.share = work / "share"
        self.share.mkdir(parents=True, exist_ok=True)
        self.binds = _foreign_mounts(visible)
        self.cgroup = _cgroup2_mount() / _own_cgroup2().lstrip("/") / f"llm-sandbox-{os.getpid()}"
        self.holder: subprocess.Popen[bytes] | None = None
        self.launcher: subprocess.Popen[bytes] | None = None
        self.init_pid = 0
        self.boots = 0

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        log = open(self.work / "holder.log", "wb")  # noqa: SIM115 - kept by the child
        self.holder = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--uts",
                "--ipc",
                "--net",
                "--propagation",
                "private",
                "bash",
                str(SCRIPTS / "holder.sh"),
                str(self.work),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait(
            lambda: (self.work / "holder.ready").exists() or self.holder.poll() is not None,
            "the namespace holder came up",
            30,
        )
        if self.holder.poll() is not None:
            raise RuntimeError(f"namespace holder failed: {(self.work / 'holder.log').read_text()[-2000:]}")
        self.cgroup.mkdir(exist_ok=True)

    def boot(self) -> str:
        """Start systemd as PID 1 of a new PID namespace; return its state once booted."""
        assert self.holder is not None
        self.boots += 1
        log = open(self.work / f"boot{self.boots}.log", "wb")  # noqa: SIM115
        self.launcher = subprocess.Popen(
            [
                "bash",
                "-c",
                'echo $$ > "$1/cgroup.procs" && shift && exec nsenter -t "$1" -m -u -i -n -- '
                'unshare --pid --fork --mount --cgroup --propagation private bash "$2" "${@:3}"',
                "launch",
                str(self.cgroup),
                str(self.holder.pid),
                str(SCRIPTS / "boot.sh"),
                str(self.work),
                str(self.share),
                *self.binds,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait(self._find_init, "systemd started as the sandbox's PID 1", 30)
        _wait(
            lambda: Path(f"/proc/{self.init_pid}/root/run/systemd/private").exists(),
            "systemd opened its private socket",
            30,
        )
        state = self.run("systemctl", "is-system-running", "--wait", timeout=90, check=False)
        return state.stdout.strip()

    def _find_init(self) -> bool:
        assert self.launcher is not None
        if self.launcher.poll() is not None:
            raise RuntimeError(f"boot failed: {(self.work / f'boot{self.boots}.log').read_text()[-2000:]}")
        # The launcher execs nsenter, which forks unshare, which forks the new PID 1.
        for pid in self._descendants(self.launcher.pid):
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                    self.init_pid = pid
                    return True
        return False

    @staticmethod
    def _descendants(pid: int) -> list[int]:
        found, queue = [], [pid]
        while queue:
            current = queue.pop()
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{current}/task").iterdir():
                    children = [int(c) for c in (task / "children").read_text().split()]
                    found += children
                    queue += children
        return found

    def poweroff(self, timeout: float = 60) -> None:
        """Shut the sandbox's systemd down cleanly (SIGKILL to its PID 1 if it does not stop)."""
        if self.launcher is None or self.launcher.poll() is not None:
            return
        self.run("systemctl", "start", "--no-block", "--job-mode=replace-irreversibly", "poweroff.target", check=False)
        try:
            self.launcher.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.init_pid, signal.SIGKILL)
            self.launcher.wait(10)
        self.init_pid = 0

    def close(self) -> None:
        """Power off, end the holder (its namespaces and mounts go with it), remove the cgroup."""
        try:
            self.poweroff()
        finally:
            if self.holder is not None and self.holder.poll() is None:
                self.holder.kill()
                self.holder.wait(10)
            self._remove_cgroup()

    def _remove_cgroup(self) -> None:
        if not self.cgroup.exists():
            return
        with contextlib.suppress(OSError):
            (self.cgroup / "cgroup.kill").write_text("1")  # anything still in it, should any remain
        deadline = time.monotonic() + 10
        for directory in sorted((p for p in self.cgroup.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            with contextlib.suppress(OSError):
                directory.rmdir()
        while self.cgroup.exists():
            try:
                self.cgroup.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # --- inside -------------------------------------------------------------------------------
    def run(self, *argv: str, timeout: float = 60, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        """Run argv inside the sandbox (all its namespaces, its root) with a clean environment."""
        assert self.init_pid, "the sandbox is not running"
        variables = {
            "PATH": INSIDE_PATH,
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "SYSTEMD_PAGER": "",
            "SYSTEMD_COLORS": "0",
            **env,
        }
        command = [
            "nsenter",
            "-t",
            str(self.init_pid),
            "-m",
            "-u",
            "-i",
            "-n",
            "-p",
            "-C",
            "-r",
            "-w",
            "--",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in variables.items()),
            *argv,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def journal(self, *args: str) -> str:
        return self.run("journalctl", "--no-pager", "-o", "short-iso-precise", *args).stdout
