"""Classifying placement answers: acknowledged, an expected refusal (INSUFFICIENT_STOCK on
a REJECT channel), or an error (transport, HTTP, GraphQL, unexpected userErrors)."""
from __future__ import annotations

from collections import defaultdict

from .graphql import Reply
from .recorder import Recorder


class Acknowledged:
    """(order id, channel, externalId) of every acknowledged order."""

    def __init__(self) -> None:
        self.orders: list[tuple[str, str, str]] = []

    def add(self, order_id: str, channel: str, external_id: str) -> None:
        self.orders.append((order_id, channel, external_id))

    def __len__(self) -> int:
        return len(self.orders)


def _expected_refusal(errors: list[dict], channel: str, reject_channels: set[str]) -> bool:
    return bool(errors) and channel in reject_channels and all(e.get("code") == "INSUFFICIENT_STOCK" for e in errors)


def _user_error_kind(errors: list[dict]) -> str:
    return "userError:" + ",".join(sorted({str(e.get("code")) for e in errors}))


def record_single(reply: Reply, order: dict, rec: Recorder, acked: Acknowledged, reject_channels: set[str]) -> dict | None:
    """One orderPlace answer; returns the placed order when acknowledged."""
    if reply.failure != "transport":
        rec.latency(reply.latency_s)
    if not reply.ok:
        rec.error(reply.failure, reply.message)
        return None
    payload = reply.data["orderPlace"]
    errors, placed = payload["userErrors"], payload["order"]
    if placed is not None and not errors:
        rec.done()
        acked.add(placed["id"], order["channel"], order["externalId"])
        return placed
    if placed is None and _expected_refusal(errors, order["channel"], reject_channels):
        rec.refused()
    else:
        rec.error(_user_error_kind(errors), str(errors))
    return None


def record_batch(reply: Reply, orders: list[dict], rec: Recorder, acked: Acknowledged, reject_channels: set[str]) -> int:
    """One ordersPlace answer (userError paths start with ["input", index]); returns orders acknowledged."""
    if reply.failure != "transport":
        rec.latency(reply.latency_s)
    if not reply.ok:
        rec.error(reply.failure, reply.message, count=1)
        return 0
    payload = reply.data["ordersPlace"]
    by_index: dict[int, list[dict]] = defaultdict(list)
    unplaced: list[dict] = []
    for e in payload["userErrors"]:
        field = e.get("field") or []
        if len(field) >= 2 and field[0] == "input" and str(field[1]).isdigit():
            by_index[int(field[1])].append(e)
        else:
            unplaced.append(e)
    if unplaced:
        rec.error(_user_error_kind(unplaced), str(unplaced))
    placed_count = 0
    for i, (order, placed) in enumerate(zip(orders, payload["orders"])):
        errors = by_index.get(i, [])
        if placed is not None and not errors:
            placed_count += 1
            acked.add(placed["id"], order["channel"], order["externalId"])
        elif placed is None and _expected_refusal(errors, order["channel"], reject_channels):
            rec.refused()
        elif placed is None and not errors and not unplaced:
            rec.error("missing", f"order {i} of the batch has neither an order nor a userError")
        elif errors:
            rec.error(_user_error_kind(errors), str(errors))
    if len(payload["orders"]) != len(orders):
        rec.error("batch-shape", f"{len(payload['orders'])} answers for {len(orders)} orders")
    rec.done(placed_count)
    return placed_count
