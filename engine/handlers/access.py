"""Who may call: the admin token's digest (the token itself is never stored)."""
from __future__ import annotations

from ..domain.commands import KeepAdminToken, Result
from ..domain.state import EngineState
from ..storage.store import ADMIN_TOKEN_KEY
from ..storage.tx import WriteTx


def keep_admin_token(state: EngineState, tx: WriteTx, command: KeepAdminToken) -> Result:
    stored = tx.raw("meta", ADMIN_TOKEN_KEY)
    if stored is not None:
        return Result(bytes(stored).decode())
    tx.put_raw("meta", ADMIN_TOKEN_KEY, command.digest.encode())
    return Result(command.digest)
