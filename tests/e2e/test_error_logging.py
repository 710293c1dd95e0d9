"""Client mistakes are not server errors: a request the client got wrong (bad `first`, a
malformed cursor or id, an unknown field, a syntax error, a limit) is answered with a GraphQL
error as always, but logged as at most one INFO line, never at ERROR with a traceback. A
fault of the server's own (a resolver bug) still logs at ERROR with its traceback."""
from __future__ import annotations

import logging
import re

import pytest
from graphql import GraphQLError

from engine import limits

# (query, variables): each one the client's fault. Documents that pass validation are sent
# twice, so the second request takes the prepared-document fast path.
BAD_REQUESTS: list[tuple[str, dict | None]] = [
    ("{ orders(first: -1) { totalCount } }", None),
    ("{ orders(first: 100000) { totalCount } }", None),
    ("query($f: Int) { orders(first: $f) { totalCount } }", {"f": 0}),
    ('{ orders(first: 1, after: "zz") { totalCount } }', None),
    ('{ shipments(first: 1, after: "zz") { pageInfo { hasNextPage } } }', None),
    ("query($c: String) { events(first: 1, after: $c) { pageInfo { hasNextPage } } }", {"c": "zz"}),
    ('{ stockLevels(first: 1, after: "zz") { pageInfo { hasNextPage } } }', None),  # refused by the resolver
    ('{ inventoryChanges(sku: "P1", after: "zz") { pageInfo { hasNextPage } } }', None),  # refused by the resolver too
    ("{ order { id } }", None),  # give id, number, or channel with externalId
    ("query($id: ID!) { node(id: $id) { id } }", {"id": None}),  # invalid id: variable coercion
    ("query($f: Int) { orders(first: $f) { totalCount } }", {"f": "ten"}),
    ("{ nope }", None),  # unknown field
    ("{ orders(first: ", None),  # syntax error
    ("{ orders { edges { node { id } } } ", None),  # syntax error at the end
    ("{ " + "orders { edges { node { " * 8 + "id" + " } } }" * 8 + " }", None),  # deeper than query_depth_max
]
PASS_VALIDATION = 9  # the first nine documents are valid; the fast path serves their repeats


def _requests() -> list[tuple[str, dict | None]]:
    return BAD_REQUESTS + BAD_REQUESTS[:PASS_VALIDATION]


def _log_lines_since(text: str, mark: str) -> list[str]:
    return [line for line in text.split(mark, 1)[1].splitlines() if line.strip()]


async def test_client_errors_log_one_info_line_each_and_no_traceback(server, client):
    mark = "=== bad requests start ==="
    with open(server.log_path, "a") as log:
        log.write(f"\n{mark}\n")
    sent = _requests()
    for query, variables in sent:
        status, body = await client.raw(query, variables)
        assert status in (200, 400), (query, status, body)
        assert isinstance(body, dict) and body.get("errors"), (query, body)
        assert all(isinstance(e.get("message"), str) and e["message"] for e in body["errors"]), body
    ok = await client.data("{ orders(first: 1) { totalCount } }")  # still serving, and a fence for the log
    assert ok["orders"]["totalCount"] == 0

    text = server.log_path.read_text(errors="replace")
    lines = _log_lines_since(text, mark)
    assert "Traceback" not in "\n".join(lines), "\n".join(lines)[:4000]
    assert not [line for line in lines if " ERROR " in line or " CRITICAL " in line], "\n".join(lines)[:4000]
    assert len(lines) <= len(sent), f"{len(lines)} log lines for {len(sent)} bad requests:\n" + "\n".join(lines)[:4000]
    assert all(" INFO " in line for line in lines), "\n".join(lines)[:4000]


# ---------------------------------------------------------------- in process: which errors are whose


def _schema_errors(caplog, errors: list[GraphQLError]) -> list[logging.LogRecord]:
    from api.schema import schema

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        schema._process_errors(errors)
    return list(caplog.records)


def _resolver_error(exc: Exception) -> GraphQLError:
    try:
        raise exc
    except Exception as raised:
        return GraphQLError(str(raised), path=["orders"], original_error=raised)


def test_a_refusal_is_one_info_line(caplog):
    records = _schema_errors(caplog, [GraphQLError(f"first must be between 1 and {limits.page_size_max}", path=["orders"])])
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)]
    assert records[0].getMessage() == f"client error: first must be between 1 and {limits.page_size_max} (orders)"


def test_a_huge_message_is_one_short_line(caplog):
    records = _schema_errors(caplog, [GraphQLError("Variable '$c' got invalid value '" + "U\n" * 100_000 + "'")])
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert "\n" not in records[0].getMessage() and len(records[0].getMessage()) < 600


@pytest.mark.parametrize("exc", [KeyError("number"), AssertionError("broken invariant"), TypeError("bug"),
                                 ZeroDivisionError("division by zero"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")])
def test_a_server_fault_keeps_error_and_traceback(caplog, exc):
    records = _schema_errors(caplog, [_resolver_error(exc)])
    assert len(records) == 1 and records[0].levelno == logging.ERROR
    assert records[0].exc_info and records[0].exc_info[1] is exc


def test_a_refusal_of_a_resolver_is_a_client_error_and_answered_as_before(caplog):
    from api.schema import schema

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        result = schema.execute_sync('{ stockLevels(first: 1, after: "zz") { pageInfo { hasNextPage } } }')
    assert [e.message for e in result.errors] == ["after is not a cursor of this connection"]
    assert [(r.levelno, r.exc_info, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, None, "client error: after is not a cursor of this connection (stockLevels)")]


def test_a_value_error_is_a_server_fault(caplog):
    records = _schema_errors(caplog, [_resolver_error(ValueError("invalid literal for int() with base 10: 'x'"))])
    assert [r.levelno for r in records] == [logging.ERROR] and records[0].exc_info


def test_a_resolver_bug_is_logged_at_error_and_answered_as_before(caplog):
    from api.schema import schema

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        result = schema.execute_sync('{ a: order(id: "x") { id } b: orders(first: 0) { totalCount } }')  # no context: a TypeError
    assert sorted(e.message for e in result.errors) == ["'NoneType' object is not subscriptable",
                                                        f"first must be between 1 and {limits.page_size_max}"]
    levels = sorted((r.levelno, bool(r.exc_info)) for r in caplog.records)
    assert levels == [(logging.INFO, False), (logging.ERROR, True)]


def test_several_client_errors_of_one_request_are_one_line(caplog):
    errors = [GraphQLError(f"Cannot query field 'f{i}' on type 'Query'.") for i in range(5)]
    records = _schema_errors(caplog, errors)
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert records[0].getMessage().endswith("; and 2 more")
