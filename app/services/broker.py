"""Delivers live events to the Server-Sent Events streams open in this process.

The in-process broker is the embedded default. (Redis pub/sub or PostgreSQL LISTEN/NOTIFY carry
events between several server processes; see docs/operations.md.)"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict
from typing import Any

Message = tuple[str, str, dict[str, Any]]


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, channels: set[str]) -> None:
        self.loop = loop
        self.channels = channels
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=256)

    def offer(self, message: Message) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stalled client loses events, not our memory
            self.queue.put_nowait(message)


class InProcessBroker:
    """Subscribers keyed by channel; publish is safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[_Subscriber]] = defaultdict(set)

    def subscribe(self, channels: set[str]) -> _Subscriber:
        sub = _Subscriber(asyncio.get_running_loop(), channels)
        with self._lock:
            for channel in channels:
                self._by_channel[channel].add(sub)
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        with self._lock:
            for channel in sub.channels:
                subs = self._by_channel.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._by_channel[channel]

    def publish(self, channel: str, name: str, data: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._by_channel.get(channel, ()))
        message = (channel, name, data)
        for sub in subs:
            sub.loop.call_soon_threadsafe(sub.offer, message)

    def connections(self) -> int:
        with self._lock:
            return len({id(s) for subs in self._by_channel.values() for s in subs})


local = InProcessBroker()


def publish(channel: str, name: str, data: dict[str, Any]) -> None:
    """Tell every stream listening on this channel."""
    local.publish(channel, name, data)
