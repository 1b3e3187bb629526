"""Delivers live events to the Server-Sent Events streams of every server process.

`publish` is called from plain threads once a transaction has committed (`services/live.py`). It
hands the event at once to the streams of this process (`local`, the in-process broker), and, when
several processes serve Proxima, to a shared bus that the other processes listen to: Redis pub/sub
when `PROXIMA_REDIS_URL` is set, else PostgreSQL LISTEN/NOTIFY on PostgreSQL, else none (one
process). The bus runs on a thread and an event loop of its own, so publishing never waits for the
network and never raises into a request: when the bus is away, events for other processes are
logged and dropped, and the streams are told to re-fetch once it is back.

Events are "something changed, re-fetch" signals: what a page shows is always fetched over HTTP,
through the visibility rules. `viewer_scope` decides what one viewer's stream listens to and
`sse_stream` writes it (docs/operations.md, "Live updates").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from types import FrameType
from typing import Any, Final

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.models import User
from app.services.errors import NotFound
from app.services.visibility import get_visible_post, member_community_ids, public_community_ids
from app.settings import Settings

log = structlog.get_logger("proxima.live")

Message = tuple[str, str, dict[str, Any]]
CLOSE: Final[Message] = ("", "close", {})  # ends a stream: the server is stopping
RESYNC: Final[Message] = ("*", "resync", {})  # the bus was away: every stream re-fetches
QUEUE_SIZE = 64  # events waiting for one slow client; beyond, they are dropped (they are signals)
OUTBOX_SIZE = 10_000
NOTIFY_MAX_BYTES = 7_900  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more
MAX_POSTS_PER_STREAM = 10


# ---- the in-process broker ---------------------------------------------------------------------


class Subscriber:
    """One open stream: its channels, its event loop and the events waiting for it."""

    __slots__ = ("channels", "loop", "queue")

    def __init__(self, loop: asyncio.AbstractEventLoop, channels: frozenset[str]) -> None:
        self.loop = loop
        self.channels = channels
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def offer(self, message: Message) -> None:
        """Queue an event; a stalled client loses events, not our memory."""
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(message)


def _offer_all(subscribers: list[Subscriber], message: Message) -> None:
    for sub in subscribers:
        sub.offer(message)


class InProcessBroker:
    """Streams keyed by channel; `deliver` is safe from any thread and never blocks on a client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[Subscriber]] = defaultdict(set)
        self._all: set[Subscriber] = set()

    def subscribe(self, channels: Iterable[str]) -> Subscriber:
        """Open a subscription for the stream running on the current event loop."""
        sub = Subscriber(asyncio.get_running_loop(), frozenset(channels))
        with self._lock:
            self._all.add(sub)
            for channel in sub.channels:
                self._by_channel[channel].add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Close a subscription (idempotent)."""
        with self._lock:
            self._all.discard(sub)
            for channel in sub.channels:
                subs = self._by_channel.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._by_channel[channel]

    def deliver(self, message: Message) -> None:
        """Hand an event to every stream of this process listening on its channel."""
        with self._lock:
            subs = list(self._by_channel.get(message[0], ()))
        self._dispatch(subs, message)

    def broadcast(self, message: Message) -> None:
        """Hand an event to every stream of this process, whatever it listens to."""
        with self._lock:
            subs = list(self._all)
        self._dispatch(subs, message)

    def _dispatch(self, subs: list[Subscriber], message: Message) -> None:
        if not subs:
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscriber]] = defaultdict(list)
        for sub in subs:
            by_loop[sub.loop].append(sub)
        for loop, group in by_loop.items():
            if loop is running:
                _offer_all(group, message)
                continue
            try:  # one wake-up per event loop, however many streams it serves
                loop.call_soon_threadsafe(_offer_all, group, message)
            except RuntimeError:  # that loop is closed: its streams are gone
                for sub in group:
                    self.unsubscribe(sub)

    def connections(self) -> int:
        """How many streams are open in this process."""
        with self._lock:
            return len(self._all)


local = InProcessBroker()


# ---- the shared bus between processes ----------------------------------------------------------


def _encode(origin: str, message: Message) -> str:
    channel, name, data = message
    return json.dumps({"o": origin, "c": channel, "n": name, "d": data}, separators=(",", ":"))


def _decode(payload: str | bytes) -> tuple[str, Message] | None:
    try:
        raw = json.loads(payload)
        origin, channel, name, data = raw["o"], raw["c"], raw["n"], raw["d"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (isinstance(channel, str) and isinstance(name, str) and isinstance(data, dict)):
        return None
    return str(origin), (channel, name, data)


def _first_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


class Bus(ABC):
    """Carries events between processes, on a thread and event loop of its own.

    Each process publishes what its requests commit and listens to everyone's; it ignores its own
    events (already delivered locally) and hands the others to its local streams."""

    kind = "bus"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self.subscribed = threading.Event()  # the listener is connected (tests and bench wait on it)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._outbox: asyncio.Queue[str] | None = None
        self._stopping: asyncio.Event | None = None
        self._outage = False
        self._last_warning = 0.0

    # -- lifecycle (any thread)
    def start(self) -> None:
        """Run the listener and the publisher on the bus thread."""
        self._thread = threading.Thread(target=self._run, name=f"proxima-live-{self.kind}", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connections."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def publish(self, message: Message) -> None:
        """Queue an event for the other processes; returns at once."""
        payload = _encode(self.origin, message)
        if len(payload.encode()) > NOTIFY_MAX_BYTES:
            log.warning("live_event_too_large", channel=message[0], size=len(payload))
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            self._warn("live_bus_not_running", channel=message[0])
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: dropped
            loop.call_soon_threadsafe(self._enqueue, payload)

    # -- on the bus thread
    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._outbox = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._stopping = asyncio.Event()
        self._ready.set()
        tasks = [asyncio.create_task(self._listen_forever()), asyncio.create_task(self._publish_forever())]
        await self._stopping.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._close()

    def _enqueue(self, payload: str) -> None:
        assert self._outbox is not None
        try:
            self._outbox.put_nowait(payload)
        except asyncio.QueueFull:
            self._warn("live_bus_outbox_full")

    async def _publish_forever(self) -> None:
        assert self._outbox is not None
        while True:
            payload = await self._outbox.get()
            try:
                await self._send(payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the bus is away: this event is lost for the other processes
                self._warn("live_bus_publish_failed", error=_first_line(exc))

    async def _listen_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._warn("live_bus_listen_failed", error=_first_line(exc))
            if self.subscribed.is_set():
                delay = 0.5
            self.subscribed.clear()
            self._outage = True
            await asyncio.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 10.0)

    def _on_subscribed(self) -> None:
        self.subscribed.set()
        if self._outage:  # events may have been missed meanwhile: every stream re-fetches
            self._outage = False
            log.info("live_bus_back", kind=self.kind)
            local.broadcast(RESYNC)

    def _receive(self, payload: str | bytes) -> None:
        decoded = _decode(payload)
        if decoded is None:
            return
        origin, message = decoded
        if origin != self.origin:
            local.deliver(message)

    def _warn(self, event: str, **fields: Any) -> None:
        now = time.monotonic()
        if now - self._last_warning >= 10:  # at most one warning every 10 s while the bus is away
            self._last_warning = now
            log.warning(event, kind=self.kind, **fields)

    # -- what each bus does
    @abstractmethod
    async def _listen(self) -> None:
        """Receive the other processes' messages until cancelled (reconnecting is the caller's)."""

    @abstractmethod
    async def _send(self, payload: str) -> None:
        """Hand one message to the bus."""

    async def _close(self) -> None:  # noqa: B027 - an optional hook: nothing to close by default
        """Close the publishing connection."""


class RedisBus(Bus):
    """Redis pub/sub (PROXIMA_REDIS_URL). Pub/sub ignores the database number: installations
    sharing one Redis need different PROXIMA_LIVE_CHANNEL values."""

    kind = "redis"

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(channel)
        self.url = url
        self._client: Any = None

    def _connect(self) -> Any:
        from redis.asyncio import Redis

        return Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=15)

    async def _listen(self) -> None:
        client = self._connect()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
            self._on_subscribed()
            while True:
                # returns None when idle; the health check pings a silent connection every 15 s
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=10.0)
                if message is not None and message.get("type") == "message":
                    self._receive(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _send(self, payload: str) -> None:
        if self._client is None:
            self._client = self._connect()
        await self._client.publish(self.channel, payload)

    async def _close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class PostgresBus(Bus):
    """PostgreSQL LISTEN/NOTIFY: one listening connection per process, outside the request pool."""

    kind = "postgres"

    def __init__(self, database_url: str, channel: str) -> None:
        super().__init__(channel)
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self._conn: Any = None

    async def _connect(self) -> Any:
        import psycopg

        return await psycopg.AsyncConnection.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )

    async def _listen(self) -> None:
        from psycopg import sql

        conn = await self._connect()
        try:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._on_subscribed()
            async for notify in conn.notifies():
                self._receive(notify.payload)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _send(self, payload: str) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connect()
        try:
            await self._conn.execute("SELECT pg_notify(%s, %s)", (self.channel, payload))
        except Exception:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
            raise

    async def _close(self) -> None:
        if self._conn is not None:
            await self._conn.close()


# ---- this process's broker: started and stopped by the application's lifespan -----------------

_state_lock = threading.Lock()
_bus: Bus | None = None
_users = 0


def kind_for(settings: Settings) -> str:
    """Which broker the settings ask for: redis, postgres or memory (one process)."""
    if settings.live_broker != "auto":
        return settings.live_broker
    if settings.redis_url:
        return "redis"
    if not settings.is_sqlite:
        return "postgres"
    return "memory"


def _raise_open_files_limit() -> None:
    """Each open stream is a socket: allow as many as the system's hard limit (as Go does)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def start(settings: Settings) -> None:
    """Connect this process to the shared bus the settings name (once per process)."""
    global _bus, _users
    with _state_lock:
        _users += 1
        if _bus is not None:
            return
        _raise_open_files_limit()
        kind = kind_for(settings)
        bus: Bus | None = None
        if kind == "redis":
            if not settings.redis_url:
                raise ValueError("PROXIMA_LIVE_BROKER=redis needs PROXIMA_REDIS_URL")
            bus = RedisBus(settings.redis_url, settings.live_channel)
        elif kind == "postgres":
            bus = PostgresBus(settings.database_url, settings.live_channel)
        if bus is not None:
            bus.start()
            _bus = bus
            if not bus.subscribed.wait(3):  # serve anyway: the bus is retried in the background
                log.warning("live_bus_unavailable", kind=kind)
        log.debug("live_broker_started", kind=kind)


def stop() -> None:
    """Disconnect from the bus when the last application of this process stops."""
    global _bus, _users
    with _state_lock:
        _users = max(0, _users - 1)
        bus = _bus if _users == 0 else None
        if bus is not None:
            _bus = None
    if bus is not None:
        bus.stop()


def publish(channel: str, name: str, data: dict[str, Any]) -> None:
    """Tell every stream listening on this channel, in every process; never raises."""
    message = (channel, name, data)
    try:
        local.deliver(message)
        bus = _bus
        if bus is not None:
            bus.publish(message)
    except Exception:  # a live update is never worth failing the request that committed
        log.exception("live_publish_failed", channel=channel)


def close_streams_on_exit() -> None:
    """End the open streams as soon as the server is asked to stop.

    The server waits for open responses before it stops, and a stream never ends by itself: chained
    to its SIGINT/SIGTERM handlers, this tells the streams to finish (browsers reconnect elsewhere).
    Only where signals can be handled: the main thread of a server process."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if not callable(previous) or getattr(previous, "proxima_live", False):
            continue
        signal.signal(sig, _closing_handler(loop, previous))


def _closing_handler(
    loop: asyncio.AbstractEventLoop, previous: Callable[[int, FrameType | None], Any]
) -> Callable[[int, FrameType | None], Any]:
    def handler(signum: int, frame: FrameType | None) -> Any:
        with contextlib.suppress(RuntimeError):  # (no lock taken here: this runs inside a signal)
            loop.call_soon_threadsafe(local.broadcast, CLOSE)
        return previous(signum, frame)

    handler.proxima_live = True  # type: ignore[attr-defined]
    return handler


# ---- one viewer's stream -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one viewer's stream listens to, decided when it connects."""

    viewer_id: int
    channels: frozenset[str]
    readable_communities: frozenset[int]

    def wants(self, message: Message) -> bool:
        """Whether this viewer is told of an event of one of its channels."""
        channel, _name, data = message
        if channel == "feed":
            # someone else's post that the viewer may read; a community joined after the stream
            # opened is picked up when it reconnects
            community_id = data.get("community_id")
            return data.get("author_id") != self.viewer_id and (
                community_id is None or community_id in self.readable_communities
            )
        return channel in self.channels


def viewer_scope(db: Session, *, viewer: User, post_ids: Iterable[int] = ()) -> Scope:
    """The channels of a viewer's stream: their notifications, the feed, and the posts they may read."""
    channels = {f"user:{viewer.id}", "feed"}
    for post_id in list(dict.fromkeys(post_ids))[:MAX_POSTS_PER_STREAM]:
        try:
            get_visible_post(db, viewer, post_id)
        except NotFound:
            continue  # never tell what happens on a post the viewer may not read
        channels.add(f"post:{post_id}")
    readable = db.scalars(public_community_ids().union(member_community_ids(viewer.id))).all()
    return Scope(viewer.id, frozenset(channels), frozenset(readable))


_id_lock = threading.Lock()
_last_id = 0


def next_event_id() -> int:
    """A process-wide increasing event id: microseconds since the epoch, bumped when equal."""
    global _last_id
    with _id_lock:
        _last_id = max(_last_id + 1, time.time_ns() // 1000)
        return _last_id


def sse_event(name: str, data: dict[str, Any]) -> bytes:
    """One event in the text/event-stream format (data is one line of JSON)."""
    body = json.dumps(data, separators=(",", ":"))
    return f"id: {next_event_id()}\nevent: {name}\ndata: {body}\n\n".encode()


HEARTBEAT: Final = b": ping\n\n"


def _event_for(message: Message) -> bytes:
    channel, name, data = message
    if channel == "feed":  # the feed is told only that something was shared, never what or where
        return sse_event("feed", {})
    return sse_event(name, data)


async def sse_stream(scope: Scope, settings: Settings, *, catch_up: bool) -> AsyncIterator[bytes]:
    """One viewer's stream: a retry hint, the catch-up after a reconnection, their events, heartbeats.

    Subscribed while it runs; ends when the client goes, the server stops, or after
    `live_stream_seconds` (the browser then reconnects, possibly to another process)."""
    loop = asyncio.get_running_loop()
    lifetime = settings.live_stream_seconds * random.uniform(0.9, 1.1)  # spreads reconnections
    ends_at = loop.time() + lifetime
    sub = local.subscribe(scope.channels)
    try:
        yield f"retry: {settings.live_retry_ms}\n\n".encode()
        if catch_up:  # reconnected: what was missed meanwhile is re-fetched
            yield sse_event("notifications", {}) + sse_event("feed", {})
        while True:
            left = ends_at - loop.time()
            if left <= 0:
                return
            try:
                async with asyncio.timeout(min(settings.live_heartbeat_seconds, left)):  # no extra task
                    message = await sub.queue.get()
            except TimeoutError:
                yield HEARTBEAT
                continue
            if message is CLOSE:
                return
            if message is RESYNC:
                yield sse_event("notifications", {}) + sse_event("feed", {})
            elif scope.wants(message):
                yield _event_for(message)
    finally:
        local.unsubscribe(sub)
