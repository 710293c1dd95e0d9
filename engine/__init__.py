"""The OMS engine: the domain and all its state. Imports nothing from api/.

Layers, each importing only those listed before it:
    kernel/    the Python side of the Cython kernels in ext/ (sort codes and flags defined once)
    domain/    pure: records, commands, events, errors, the order and stock rules, routing,
               conditions, validation, the writer's in-memory state. No lmdb, no clock, no threads.
    forecast/  pure: demand forecasting and replenishment math over numpy arrays (kernel/, limits)
    storage/   LMDB: keys, codecs, the write batch, loading, the audit, format migration
    handlers/  one module per domain: (state, batch, command) -> result plus events; time is
               the batch's `now`, read once by the writer
    writer/    the single writer thread: batches, commits, answers after commit, GC policy
    reads/     the read side: short read transactions
    remote/    the engine across processes: the writer process's command server, and the
               `RemoteEngine` an API worker uses in place of `Engine` (same read/run/listen)
               over a `CommandLink` (the transport's one interface; a Unix socket here)

What api/ may import: `Engine`, `RemoteEngine`, `CommandServer`, `WriterUnavailable`,
`FormatError`, `Overloaded`, `limits`, `rebuild_analytics` (the `oms analytics-rebuild` command), and the vocabulary of
`engine.domain` (commands, errors, ids, events, orders, routing records). Nothing else: the
handlers, the writer and the storage are reached through `Engine` only.
"""
from .domain import limits
from .engine import Engine
from .remote.command_server import CommandServer
from .remote.link import CommandLink, WriterUnavailable
from .remote.remote_engine import RemoteEngine
from .storage.maintenance import rebuild_analytics
from .storage.migration import FormatError
from .writer.sequencer import Overloaded

__all__ = ["CommandLink", "CommandServer", "Engine", "FormatError", "Overloaded", "RemoteEngine", "WriterUnavailable", "limits",
           "rebuild_analytics"]
