"""Start and stop the embedded MongoDB-compatible server (SecantusDB) used by --demo and tests.

SecantusDB is GPL-2.0-only, so it is never imported here: it runs as its own process
(`python -m secantus`) on 127.0.0.1 with in-memory storage and is reached over the wire like
any MongoDB. It comes with the optional `demo` extra.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from .errors import ConfigError, DatabaseUnavailable

INSTALL_HINT = "install the 'demo' extra: uv run --extra demo ... (or pip install 'llm-bench-ops[demo]')"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log_path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_path, encoding="utf-8", errors="replace") as log:
                tail = log.read()[-500:].strip()
            raise DatabaseUnavailable(f"the embedded database exited with status {process.returncode}: {tail}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise DatabaseUnavailable(f"the embedded database did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


@contextlib.contextmanager
def embedded_mongodb(timeout: float = 30.0) -> Iterator[str]:
    """Run SecantusDB on a free loopback port for the duration of the block; yield its URI."""
    if importlib.util.find_spec("secantus") is None:
        raise ConfigError(f"the embedded database (SecantusDB) is not installed: {INSTALL_HINT}")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="llm-bench-embedded-") as workdir:
        log_path = os.path.join(workdir, "server.log")
        config_path = os.path.join(workdir, "secantusd.toml")
        open(config_path, "w").close()  # an explicit empty config: no secantusd.toml is searched for
        argv = [
            sys.executable,
            "-m",
            "secantus",
            "--config",
            config_path,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            ":memory:",
            "--standalone",
            "--log-level",
            "WARNING",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir
            )
        try:
            _wait_for_port(port, process, log_path, timeout)
            yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
        finally:
            process.terminate()
            try:
                process.wait(timeout=3)  # in-memory storage: nothing to lose by not waiting longer
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
