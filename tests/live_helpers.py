"""Helpers of the live-updates tests: a real server for streams, and a reader of text/event-stream."""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from app.services import broker

SESSION_COOKIE = "proxima_session"


def free_port() -> int:
    """A TCP port nobody listens on (yet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """An application served by uvicorn on a thread of the test process (streams need a real server)."""

    app: FastAPI
    base_url: str


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[LiveServer]:
    """Serve `app` on a free port until the block ends (open streams are cut at the end)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        broker.local.broadcast(broker.CLOSE)  # what SIGTERM does: the open streams end
        thread.join(5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
        sock.close()


class EventStream:
    """Reads a text/event-stream on a thread; each event is a dict of its fields (event, data, id, retry)."""

    def __init__(self, url: str, *, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.events: queue.Queue[dict[str, str]] = queue.Queue()
        self.status: int | None = None
        self.response_headers: httpx.Headers | None = None
        self.pings = 0
        self.ended = threading.Event()
        self._opened = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def open(self, timeout: float = 10) -> EventStream:
        """Connect and wait for the answer's status."""
        self._thread.start()
        assert self._opened.wait(timeout), f"no answer from {self.url}"
        return self

    def _read(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=10)) as client,
                client.stream("GET", self.url, headers=self.headers) as response,
            ):
                self.status = response.status_code
                self.response_headers = response.headers
                self._opened.set()
                if response.status_code != 200:
                    return
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line == "":
                        if fields:
                            self.events.put(fields)
                            fields = {}
                    elif line.startswith(":"):
                        self.pings += 1
                    else:
                        name, _sep, value = line.partition(":")
                        fields[name] = value[1:] if value.startswith(" ") else value
        except httpx.HTTPError:
            pass
        finally:
            self._opened.set()
            self.ended.set()

    def next(self, timeout: float = 5.0) -> dict[str, str]:
        """The next event (a retry hint counts as one), or fail after `timeout` seconds."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None

    def next_named(self, name: str, timeout: float = 5.0) -> dict[str, str]:
        """The next event called `name`; the others met on the way are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            event = self.next(left)
            if event.get("event") == name:
                return event

    def drain(self, seconds: float) -> list[dict[str, str]]:
        """Every event that arrives within `seconds`."""
        seen: list[dict[str, str]] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                seen.append(self.events.get(timeout=left))
            except queue.Empty:
                break
        return seen

    def close(self) -> None:
        """Stop reading and disconnect (within one heartbeat)."""
        self._stop.set()
        self._thread.join(10)

    def __enter__(self) -> EventStream:
        return self if self._thread.is_alive() or self.ended.is_set() else self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()


def wait_until(check: Any, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll `check()` until it is true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.02)
