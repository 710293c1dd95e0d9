"""Types shared by every domain of the schema: errors, Node, PageInfo, paging."""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import strawberry

from engine import Overloaded, WriterUnavailable, limits
from engine.domain.commands import Result
from engine.domain.errors import Code, UserError as EngineUserError

from . import ids
from .graphql import GraphQLError


ErrorCode = strawberry.enum(Code, name="ErrorCode")  # the engine's codes are the contract's


@strawberry.type
class UserError:
    field: Optional[list[str]] = strawberry.field(description='Path to the offending input field, e.g. ["input", "lines", "2", "quantity"].')
    message: str
    code: ErrorCode


def user_errors(errors: Iterable[EngineUserError]) -> list[UserError]:
    return [UserError(field=list(e.field) or None, message=e.message, code=e.code) for e in errors]


def user_error(code: str, message: str, *field: object) -> UserError:
    return UserError(field=[str(f) for f in field] or None, message=message, code=Code(code))


@strawberry.type
class DeletePayload:
    deleted_id: Optional[strawberry.ID]
    user_errors: list[UserError]


async def delete(info: strawberry.Info, id: str, kind: str, command) -> DeletePayload:
    """Runs command(seq) for an id of `kind`; deletedId is the id when it was deleted."""
    result = await run_on(info, id, kind, command)
    return DeletePayload(deleted_id=None if result.errors else id, user_errors=user_errors(result.errors))


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]
    end_cursor: Optional[str]


def page_size(first: Optional[int]) -> int:
    """The contract serves `first` from 1 to 250 (default 50); outside that is a GraphQL error."""
    if first is None:
        return limits.page_size_default
    if not 1 <= first <= limits.page_size_max:
        raise GraphQLError(f"first must be between 1 and {limits.page_size_max}")
    return first


def seq_cursor(after: Optional[str]) -> Optional[int]:
    """The cursor of a connection ordered by sequence number (orders, shipments, events, ...)."""
    if after is None:
        return None
    seq = ids.sequence(after)
    if seq is None:
        raise GraphQLError("after is not a cursor of this connection")
    return seq


def page_info(cursors: list[str], has_next: bool, after: Optional[str]) -> PageInfo:
    return PageInfo(
        has_next_page=has_next, has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None, end_cursor=cursors[-1] if cursors else None,
    )


async def run_on(info: strawberry.Info, id: str, kind: str, build: Callable[[int], object]) -> Result:
    """Runs build(seq) for an id of `kind`; a malformed id is INVALID on ["id"] and runs nothing."""
    seq = ids.decode_seq(id, kind)
    if seq is None:
        article = "an" if kind[0] in "AEIOU" else "a"
        return Result(None, [EngineUserError(("id",), f"not {article} {kind} id", Code.INVALID)])
    return await run(info, build(seq))


async def run(info: strawberry.Info, command: object) -> Result:
    """Submits a command and waits until it is durable; a full writer queue is a user error."""
    try:
        return await info.context["engine"].run(command)
    except Overloaded as exc:
        return Result(None, [EngineUserError(("input",), f"server busy: {exc}; retry later", Code.LIMIT_EXCEEDED)])
    except WriterUnavailable as exc:  # not a userError: those say nothing changed, and this may have been stored
        raise GraphQLError(f"{exc}: the mutation may or may not have been stored; retry it "
                           "(an order placed again with the same externalId is not placed twice)") from None


def value_or_raise(result: Result):
    """A query's read: its value, or its first user error as a GraphQL error whose extensions
    carry the code and the argument (queries have no userErrors)."""
    if result.errors:
        error = result.errors[0]
        raise GraphQLError(error.message, extensions={"code": error.code.value, "field": list(error.field)})
    return result.value
