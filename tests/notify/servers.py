"""Local stand-ins for the places messages go: a webhook endpoint and an SMTP server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hook:
    """Answers POSTs with the next status in `script` (then 200), recording what arrived."""

    script: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    timed: list[tuple[float, dict[str, Any]]] = field(default_factory=list)  # monotonic time
    url: str = ""
    delay: float = 0.0  # seconds between receiving a message and answering


@contextmanager
def webhook(script: list[int] | None = None, delay: float = 0.0) -> Iterator[Hook]:
    hook = Hook(list(script or []), delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = hook.script.pop(0) if hook.script else 200
            if status == 200:
                message = json.loads(body or b"{}")
                hook.timed.append((time.monotonic(), message))
                hook.received.append((dict(self.headers), message))
            time.sleep(hook.delay)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    from tests.pg import free_port

    messages: list[Any] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            messages.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, messages
    finally:
        controller.stop()
