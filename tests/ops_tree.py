"""A throw-away filesystem root for the systemd units: the deployed checkout's paths with
stand-in executables, the host's stock units (so `systemd-analyze verify --root` can resolve
targets), and the units installed into it by the real `ops/install.sh --root`.

Also the unit-file reader the tests share, and `require_tool`, which fails in CI (CI=true)
instead of skipping when a system binary is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPS = ROOT / "ops"
INSTALL = OPS / "install.sh"
APP_DIR = "opt/llm-bench-ops"
VENV_TOOLS = ("python", "llm-health-check", "llm-discovery")
SERVICES = ("llm-discovery.service", "llm-health-check.service")
TIMERS = ("llm-discovery.timer", "llm-health-check.timer")
TEMPLATE = "llm-health-check-failure@.service"
# In ops/install.sh order.
UNITS = ("llm-discovery.service", "llm-discovery.timer", "llm-health-check.service", "llm-health-check.timer", TEMPLATE)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: .ci/run installs Debian's systemd")
        pytest.skip(f"{name} is not installed (apt-get install systemd)")
    return path


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """section -> key -> every value in file order (systemd allows repeated keys)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


ENV_TEXT = "MONGODB_URI=mongodb://127.0.0.1:27017/\nNOTIFY_EMAIL=ops@example.test\n"


def make_tree(
    root: Path, *, env_mode: int = 0o600, seed_user: bool = True, env_text: str = ENV_TEXT, uid: int | None = None
) -> Path:
    """Stand-in venv tools and .env under `root`; with `seed_user`, an llm-bench account with the
    current uid/gid (or `uid`), so install.sh finds .env already correctly owned without root."""
    bin_dir = root / APP_DIR / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in VENV_TOOLS:
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    env_file = root / APP_DIR / ".env"
    env_file.write_text(env_text)
    env_file.chmod(env_mode)
    if seed_user:
        etc = root / "etc"
        etc.mkdir(exist_ok=True)
        uid, gid = os.getuid() if uid is None else uid, os.getgid()
        (etc / "passwd").write_text(f"llm-bench:x:{uid}:{gid}:LLM benchmark jobs:/nonexistent:/usr/sbin/nologin\n")
        (etc / "group").write_text(f"llm-bench:x:{gid}:\n")
    return root


def add_stock_units(root: Path) -> None:
    """Copy the host's /usr/lib/systemd/system so targets like timers.target resolve."""
    stock = Path("/usr/lib/systemd/system")
    if not stock.is_dir():
        pytest.fail("/usr/lib/systemd/system is missing: install Debian's systemd package")
    shutil.copytree(stock, root / "usr/lib/systemd/system", symlinks=True)


def run_install(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """path -> (mode, uid, gid, content or link target): what "changes nothing" compares."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content = "-> " + os.readlink(path)
        elif path.is_file():
            content = path.read_text(errors="replace")
        else:
            content = "<dir>"
        state[str(path.relative_to(root))] = (info.st_mode, info.st_uid, info.st_gid, content)
    return state
