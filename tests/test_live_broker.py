"""The live-updates broker: fan-out in one process, the Redis and PostgreSQL buses between processes,
and publishing that never fails or waits for a request when the bus is away."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import pytest

from app.services import broker
from app.services.broker import Bus, PostgresBus, RedisBus
from app.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


def _pg_url() -> str | None:
    url = os.environ.get("PROXIMA_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, connect_timeout=2):
            return url
    except Exception:
        return None


class Listener:
    """A stream's subscription on an event loop of its own thread, collecting what it is given."""

    def __init__(self, channels: set[str]) -> None:
        self.got: list[broker.Message] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(channels,), daemon=True)
        self._thread.start()
        assert self.ready.wait(5)

    def _run(self, channels: set[str]) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            self.sub = broker.local.subscribe(channels)
            self.ready.set()
            while True:
                message = await self.sub.queue.get()
                if message is broker.CLOSE:
                    return
                self.got.append(message)

        self.loop.run_until_complete(main())

    def wait_for(self, count: int, timeout: float = 5.0) -> list[broker.Message]:
        deadline = time.monotonic() + timeout
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.got)

    def close(self) -> None:
        broker.local.unsubscribe(self.sub)
        self.loop.call_soon_threadsafe(self.sub.offer, broker.CLOSE)
        self._thread.join(5)
        self.loop.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    one = Listener({"user:7", "feed"})
    yield one
    one.close()


def test_a_listener_gets_the_events_of_its_channels_only(listener: Listener) -> None:
    broker.publish("user:8", "notifications", {})
    broker.publish("user:7", "notifications", {"n": 1})
    broker.publish("feed", "post", {"community_id": None, "author_id": 3})
    assert listener.wait_for(2) == [
        ("user:7", "notifications", {"n": 1}),
        ("feed", "post", {"community_id": None, "author_id": 3}),
    ]
    time.sleep(0.1)
    assert len(listener.got) == 2


def test_a_closed_event_loop_does_not_break_publishing() -> None:
    loop = asyncio.new_event_loop()

    async def subscribe() -> broker.Subscriber:
        return broker.local.subscribe({"user:99"})

    sub = loop.run_until_complete(subscribe())
    loop.close()  # its stream is gone without unsubscribing
    before = broker.local.connections()
    broker.publish("user:99", "notifications", {})
    assert broker.local.connections() == before - 1
    broker.local.unsubscribe(sub)


class _Flaky(Bus):
    """A bus that is away at first, then comes back."""

    kind = "flaky"

    def __init__(self) -> None:
        super().__init__("flaky")
        self.attempts = 0

    async def _listen(self) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise ConnectionError("the bus is away")
        self._on_subscribed()
        await asyncio.Event().wait()

    async def _send(self, payload: str) -> None:
        raise ConnectionError("the bus is away")


def test_streams_resync_when_the_bus_comes_back(listener: Listener) -> None:
    bus = _Flaky()
    bus.start()
    try:
        assert bus.subscribed.wait(5)
        assert listener.wait_for(1, timeout=2) == [broker.RESYNC]
        started = time.perf_counter()
        bus.publish(("feed", "post", {}))  # the send fails on the bus thread, never here
        assert time.perf_counter() - started < 0.05
    finally:
        bus.stop()


def test_publishing_neither_waits_nor_fails_when_redis_is_away(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = RedisBus("redis://127.0.0.1:1/0", "proxima_away")  # nothing listens on port 1
    bus.start()
    monkeypatch.setattr(broker, "_bus", bus)
    try:
        started = time.perf_counter()
        for _ in range(50):
            broker.publish("user:7", "notifications", {})
        assert time.perf_counter() - started < 0.2
        assert len(listener.wait_for(50)) == 50  # this process's streams are told all the same
    finally:
        bus.stop()


def _across(first: Bus, second: Bus, listener: Listener) -> None:
    """An event published on one bus reaches the listeners of the process of the other, once."""
    for bus in (first, second):
        bus.start()
    try:
        assert first.subscribed.wait(5) and second.subscribed.wait(5)
        first.publish(("user:7", "notifications", {"from": "elsewhere"}))
        assert listener.wait_for(1) == [("user:7", "notifications", {"from": "elsewhere"})]
        time.sleep(0.2)  # the first bus hears its own event too, and ignores it
        assert len(listener.got) == 1
    finally:
        first.stop()
        second.stop()


def test_redis_carries_events_between_processes(listener: Listener) -> None:
    if not _redis_answers():
        if os.environ.get("PROXIMA_REQUIRE_REDIS") == "1":
            pytest.fail("Redis does not answer on 127.0.0.1:6379 (PROXIMA_REQUIRE_REDIS=1)", pytrace=False)
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    channel = f"proxima_test_{os.getpid()}_{time.monotonic_ns()}"
    _across(RedisBus(REDIS_URL, channel), RedisBus(REDIS_URL, channel), listener)


def test_postgresql_carries_events_between_processes(listener: Listener) -> None:
    url = _pg_url()
    if url is None:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    channel = f"proxima_test_{os.getpid()}_{time.monotonic_ns()}"
    _across(PostgresBus(url, channel), PostgresBus(url, channel), listener)


def test_the_broker_follows_the_settings() -> None:
    def kind(database_url: str, redis_url: str | None = None, live_broker: str = "auto") -> str:
        return broker.kind_for(
            Settings(database_url=database_url, redis_url=redis_url, live_broker=live_broker)  # type: ignore[arg-type]
        )

    sqlite, pg = "sqlite:///x.db", "postgresql+psycopg://h/d"
    assert kind(sqlite) == "memory"
    assert kind(sqlite, REDIS_URL) == "redis"
    assert kind(pg) == "postgres"
    assert kind(pg, REDIS_URL) == "redis"
    assert kind(pg, live_broker="memory") == "memory"
