"""A raw-socket HTTP server on 127.0.0.1 that never finishes an answer, for the fetch deadline and cap.

`headers` sends a status line and then one header byte at a time; `body` sends full headers with a
huge Content-Length and then one body byte at a time; `flood` sends a close-delimited body (no
Content-Length) as fast as the client reads. Each byte comes well within any read timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

PATH = "/api/v1/models"


@dataclass
class Trickle:
    mode: str
    interval: float = 0.05
    declared_length: int = 1_000_000
    listener: socket.socket = field(default_factory=socket.socket)
    stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"http://{host}:{port}{PATH}"

    def start(self) -> Trickle:
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            try:
                if self.mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    self._drip(conn, b"a")
                elif self.mode == "body":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b'Content-Length: %d\r\n\r\n{"data": [' % self.declared_length
                    )
                    self._drip(conn, b" ")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                    while not self.stopped.is_set():
                        conn.sendall(b" " * 65536)
            except OSError:
                pass  # the client gave up, as it should

    def _drip(self, conn: socket.socket, byte: bytes) -> None:
        while not self.stopped.is_set():
            conn.sendall(byte)
            time.sleep(self.interval)
