"""A scripted HTTP/1.1 server on loopback for the client's transport tests: it records each
request and answers with whatever the test's `Responder` writes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Responder", "Seen", "Server", "ok"]


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Seen, asyncio.StreamWriter], Awaitable[bool]]


async def ok(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    body = b"echo:" + seen.body
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return True  # keep the connection


@dataclass
class Server:
    respond: Responder = ok
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    closed_by_client: int = 0
    port: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    self.closed_by_client += 1
                    return
                lines = head.decode().split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = dict(line.split(": ", 1) for line in lines[1:] if line)
                body = await reader.readexactly(int(headers.get("Content-Length", "0")))
                seen = Seen(method, target, headers, body)
                self.requests.append(seen)
                if not await self.respond(seen, writer):
                    return
                await writer.drain()
        except ConnectionError:
            self.closed_by_client += 1
        finally:
            self.open_now -= 1
            writer.close()
