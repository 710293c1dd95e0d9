"""The served executor keeps no state per subscription event (graphql-core 3.3 leaked it)."""
import asyncio
import inspect

from graphql import build_schema, parse, subscribe

from api.graphql.execution import OmsExecutionContext
from api.schema import schema

SDL = """
type Query { noop: Int }
type Subscription { ticks: Tick }
type Tick { n: Int, half: Int }
"""
EVENTS = 50


async def ticks(_root, _info):
    for n in range(EVENTS):
        yield {"ticks": {"n": n, "half": n // 2}}


def test_the_served_schema_runs_this_executor():
    assert schema.execution_context_class is OmsExecutionContext


def test_subscription_events_leave_nothing_in_the_subscription_executor():
    """given a subscription through the executor, when many events are executed, then each
    arrives whole and the subscription's sub-field cache does not grow with them."""
    graphql_schema = build_schema(SDL)
    graphql_schema.subscription_type.fields["ticks"].subscribe = ticks
    built = []

    class Watched(OmsExecutionContext):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    async def main():
        stream = subscribe(graphql_schema, parse("subscription { ticks { n half } }"), executor_class=Watched)
        stream = await stream if inspect.isawaitable(stream) else stream
        return [result.data async for result in stream]

    received = asyncio.run(main())
    assert received == [{"ticks": {"n": n, "half": n // 2}} for n in range(EVENTS)]
    subscription_executor = built[0]
    assert len(subscription_executor._relevant_sub_fields) <= 1
