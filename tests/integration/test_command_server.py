"""The writer process's command server over a real Unix socket, spoken to frame by frame as a
worker does: answers after commit, every commit's events to every connection, refusals that
cross as exceptions, and a connection that stops reading cut off at its bound."""
from __future__ import annotations

import asyncio
import pickle
import tempfile
from pathlib import Path

import pytest

from engine import CommandServer, Overloaded
from engine.domain import limits
from engine.domain.commands import ProductDraft, SetInventory, StockSetItem, UpsertChannel, UpsertLocation, UpsertProducts
from engine.remote import frames


@pytest.fixture
async def served(engine):
    path = Path(tempfile.mkdtemp(prefix="oms-test-")) / "writer.sock"  # short: a socket path has ~108 bytes
    server = CommandServer(engine, path, workers=2)
    await server.start()
    yield server
    await server.close()


async def connect(server: CommandServer):
    return await asyncio.open_unix_connection(str(server.path))


async def read_frame(reader: asyncio.StreamReader):
    """One frame, read by hand: this test is the worker."""
    (length,) = frames.LENGTH.unpack(await reader.readexactly(frames.LENGTH.size))
    return pickle.loads(await reader.readexactly(length))


async def next_of(reader, kind: int, timeout: float = 5.0, skipped: list | None = None) -> tuple:
    while True:
        message = await asyncio.wait_for(read_frame(reader), timeout)
        if message[0] == kind:
            return message
        if skipped is not None:
            skipped.append(message)


async def test_a_command_is_answered_after_its_commit_and_its_events_reach_every_connection(served, engine):
    engine.execute(UpsertLocation("L1", "One"))
    engine.execute(UpsertProducts([ProductDraft("S1", "One", price="1.00")]))
    (r1, w1), (r2, w2) = await connect(served), await connect(served)  # a writer dropped closes its socket
    w1.write(frames.encode((frames.RUN, 7, SetInventory([StockSetItem("S1", "L1", 5)]))))
    before_answer: list = []
    _, id_, failed, result = await next_of(r1, frames.ANSWER, skipped=before_answer)
    assert (id_, failed, result.errors) == (7, False, [])
    assert engine.read.stock_level("S1", "L1")["onHand"] == 5  # committed before the answer
    commits = [before_answer[0] if before_answer else await next_of(r1, frames.COMMIT), await next_of(r2, frames.COMMIT)]
    w2.close()
    for _, events, _changed in commits:
        assert [(e["type"], e["sku"], e["data"]["onHand"]) for e in events] == [("STOCK_CHANGED", "S1", 5)]


async def test_status_counts_the_workers_that_said_hello(served):
    reader, writer = await connect(served)
    writer.write(frames.encode((frames.STATUS, 1)))
    assert (await next_of(reader, frames.STATE))[2] == {"workers": 2, "ready": 0}
    writer.write(frames.encode((frames.HELLO, 0, 1234)) + frames.encode((frames.STATUS, 2)))
    assert (await next_of(reader, frames.STATE))[2] == {"workers": 2, "ready": 1}
    assert not served.ready()
    writer.close()
    await asyncio.sleep(0.1)
    assert served.serving == {}  # a worker whose connection is gone is not serving


async def test_a_full_writer_queue_crosses_as_overloaded(served, monkeypatch):
    monkeypatch.setattr(limits, "sequencer_queue_max", 0)
    reader, writer = await connect(served)
    writer.write(frames.encode((frames.RUN, 1, UpsertChannel("web", "Web", "STOREFRONT"))))
    _, _, failed, exc = await next_of(reader, frames.ANSWER)
    assert failed and isinstance(exc, Overloaded)


async def test_a_connection_that_stops_reading_is_cut_off_and_the_others_keep_their_events(served, engine, monkeypatch):
    monkeypatch.setattr(limits, "worker_lag_bytes_max", 64 << 10)
    skus = [f"S{i}" for i in range(50)]
    engine.execute(UpsertLocation("L1", "One"))
    engine.execute(UpsertProducts([ProductDraft(s, s, price="1.00") for s in skus]))
    (stalled_reader, stalled_writer), (reader, writer) = await connect(served), await connect(served)
    for i in range(200):  # each commit's 50 events go to both connections; one of them never reads
        writer.write(frames.encode((frames.RUN, i, SetInventory([StockSetItem(s, "L1", i + 1) for s in skus]))))
        await next_of(reader, frames.ANSWER)
    await asyncio.sleep(0.05)
    assert len(served.connections) == 1 and not stalled_writer.is_closing()
    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):  # what it had been sent, then the end
        while True:
            await read_frame(stalled_reader)


async def test_a_frame_over_the_bound_is_refused_before_it_is_read(served, monkeypatch):
    monkeypatch.setattr(limits, "frame_bytes_max", 100)
    with pytest.raises(frames.FrameTooLarge):
        frames.encode((frames.RUN, 1, "x" * 200))
    reader, writer = await connect(served)
    writer.write(frames.LENGTH.pack(101))  # a length over the bound: the writer hangs up at once
    assert await asyncio.wait_for(reader.read(), 5) == b""
    assert served.connections == set()


async def test_frames_split_anywhere_and_coalesced_arrive_whole(served, engine):
    engine.execute(UpsertLocation("L1", "One"))
    reader, writer = await connect(served)
    data = b"".join(frames.encode((frames.RUN, i, UpsertChannel(f"c{i}", "C", "STOREFRONT"))) for i in range(20))
    for k in range(0, len(data), 7):  # 7-byte pieces: headers and bodies cut in the middle
        writer.write(data[k : k + 7])
        await writer.drain()
    answers = sorted([(await next_of(reader, frames.ANSWER))[1] for _ in range(20)])
    assert answers == list(range(20))


async def test_on_ready_runs_once_when_every_worker_first_serves_before_a_status_says_so(engine):
    path = Path(tempfile.mkdtemp(prefix="oms-test-")) / "writer.sock"
    said: list[str] = []
    server = CommandServer(engine, path, workers=2, on_ready=lambda: said.append("serving"))
    await server.start()
    try:
        (r0, w0), (r1, w1) = await connect(server), await connect(server)
        w0.write(frames.encode((frames.HELLO, 0, 1)))
        w1.write(frames.encode((frames.HELLO, 1, 2)) + frames.encode((frames.STATUS, 9)))
        status = (await next_of(r1, frames.STATE))[2]
        assert status == {"workers": 2, "ready": 2} and said == ["serving"]  # said before the status was answered
        w1.close()
        (r1, w1) = await connect(server)  # a worker that restarts: not announced again
        w1.write(frames.encode((frames.HELLO, 1, 3)) + frames.encode((frames.STATUS, 10)))
        assert (await next_of(r1, frames.STATE))[2]["ready"] == 2 and said == ["serving"]
        w0.close()
        w1.close()
    finally:
        await server.close()
