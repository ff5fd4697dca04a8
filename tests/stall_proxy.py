"""A loopback TCP proxy in front of a real server that can stop forwarding on request.

Once `stall()` is called, bytes from clients are read and dropped: connections stay open and the
handshake already happened, but no request reaches the server, so no reply ever comes. That is
a MongoDB that answered the handshake and then hangs an `aggregate` or a bulk write.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StallProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.stalled = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self.stalled.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if not (from_client and self.stalled.is_set()):
                    sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            sock.close()


@contextmanager
def stall_proxy(target: tuple[str, int]) -> Iterator[StallProxy]:
    proxy = StallProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
