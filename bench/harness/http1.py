"""A small HTTP/1.1 keep-alive client for the load loops: POSTs of one prebuilt request head,
bodies read by Content-Length or chunked, up to `limit` connections per pool.

aiohttp's client cost ~0.32 ms of CPU per orderPlace (py-spy and /proc on the place
scenario), a third of what the server spent; the load client shares the server's 2 cores,
so that cost came out of the measured throughput. The exchange measured is the same: the
request sent, the whole answer read.
"""
from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

header_bytes_max = 64 * 1024


class ProtocolError(Exception):
    """The server's answer is not HTTP/1.1 this client can read."""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Sends one request; returns (status, body, whether the connection may be reused)."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(head)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunks()
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()  # until the server closes
            return status, body, False
        return status, body, headers.get("connection", "").lower() != "close"

    async def _chunks(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers are sent to this client
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ProtocolError(f"bad status line: {lines[0][:100]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(rest[:3]), headers


class Pool:
    """Connections to one origin; a request waits for a free one past `limit`."""

    def __init__(self, url: str, limit: int, headers: dict[str, str]):
        parts = urlsplit(url)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
        self.head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)

    async def post(self, body: bytes) -> tuple[int, bytes]:
        async with self.slots:
            connection = self.idle.pop() if self.idle else await self._connect()
            try:
                status, answer, reusable = await connection.exchange(self.head + b"%d\r\n\r\n" % len(body) + body)
            except BaseException:
                connection.close()
                raise
            if reusable:
                self.idle.append(connection)
            else:
                connection.close()
            return status, answer

    async def _connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=header_bytes_max,
                                                       ssl=ssl.create_default_context() if self.tls else None)
        return Connection(reader, writer)

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            try:
                await connection.writer.wait_closed()
            except OSError:
                pass
