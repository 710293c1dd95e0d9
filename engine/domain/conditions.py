"""CEL conditions: compiled once when saved, evaluated per event object."""
from __future__ import annotations

import re
import sys
import types
from datetime import datetime, timezone
from typing import Any

# `import cel` also imports its interactive command line (typer, rich, prompt_toolkit):
# 0.2-0.5 s of every start, for a module nothing here uses. An empty stand-in is taken instead.
sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))
import cel  # noqa: E402

_SAMPLE_ADDRESS = {
    "name": "Ada", "line1": "1 Main St", "line2": "", "city": "Springfield", "region": "IL",
    "postalCode": "62701", "country": "US", "latitude": 39.8, "longitude": -89.6,
}
SAMPLE_ORDER = {
    "id": "T3JkZXI6MQ", "number": "SO-000001", "channel": "web", "externalId": "x-1",
    "status": "ALLOCATED", "currency": "USD", "subtotal": 10.0, "total": 10.0, "tags": ["vip"],
    "placedAt": datetime(2026, 1, 1, tzinfo=timezone.utc),
    "customer": {"email": "ada@example.com", "name": "Ada"},
    "shippingAddress": _SAMPLE_ADDRESS,
    "lines": [{"sku": "SKU-1", "quantity": 1, "unitPrice": 10.0}],
}


# `return` is a reserved word in CEL, yet the contract names the event's return `return`:
# conditions may say `return.status`; it is read as RETURN_ALIAS, outside string literals.
RETURN_ALIAS = "oms_return"
_STRINGS_OR_RETURN = re.compile(
    r'''(?P<string>[rRbB]{0,2}(?:"""(?:\\.|[^\\])*?"""|\'\'\'(?:\\.|[^\\])*?\'\'\'|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))'''
    r"|(?P<word>\breturn\b)"
)


def _alias_return(source: str) -> str:
    return _STRINGS_OR_RETURN.sub(lambda m: RETURN_ALIAS if m.group("word") else m.group(0), source)


def variables_for_cel(variables: dict[str, Any]) -> dict[str, Any]:
    if "return" in variables:
        return {**variables, RETURN_ALIAS: variables["return"]}
    return variables


def compile_condition(source: str, sample: dict[str, Any]) -> tuple[Any, str | None]:
    """(program, None) or (None, why it is refused)."""
    try:
        program = cel.compile(_alias_return(source))
    except ValueError as exc:
        return None, f"not a valid CEL expression: {str(exc).splitlines()[0][:300]}"
    try:
        result = program.execute(variables_for_cel(sample))
    except Exception as exc:  # the library raises KeyError/TypeError/RuntimeError alike
        return None, f"cannot be evaluated: {type(exc).__name__}: {str(exc)[:300]}"
    if not isinstance(result, bool):
        return None, "must be a boolean expression"
    return program, None


def holds(program: Any, variables: dict[str, Any]) -> bool:
    """A condition that cannot be evaluated on this object (null field, type clash) is false."""
    if program is None:
        return True
    try:
        return program.execute(variables_for_cel(variables)) is True
    except Exception:
        return False
