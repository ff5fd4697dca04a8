"""Loopback stand-in for OpenRouter's catalog and the dead-man ping service, run inside the
systemd sandbox as a unit: GET /api/v1/models serves a catalog file, GET /ping/... answers 200.
Each request's method and path is appended to a log file the test reads.

    python catalog_server.py HOST PORT CATALOG_FILE REQUEST_LOG
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(BaseHTTPRequestHandler):
    catalog: Path
    log: Path

    def do_GET(self) -> None:
        with self.log.open("a") as log:
            log.write(f"{self.command} {self.path}\n")
        if self.path == "/api/v1/models":
            self._reply(200, "application/json", self.catalog.read_bytes())
        elif self.path.startswith("/ping/"):
            self._reply(200, "text/plain", b"OK")
        else:
            self._reply(404, "text/plain", b"not found")

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main(host: str, port: str, catalog: str, log: str) -> None:
    Handler.catalog, Handler.log = Path(catalog), Path(log)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
