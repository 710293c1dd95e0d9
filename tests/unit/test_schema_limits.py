"""Limits the schema itself enforces on documents."""


def test_documents_deeper_than_the_limit_are_refused():
    import asyncio

    from api.schema import schema

    nested = "order { shipments { " * 6
    deep = "{ orders { edges { node { shipments { " + nested + "id" + " } }" * 6 + " } } } } }"
    result = asyncio.run(schema.execute(deep, context_value={}))
    assert result.errors and "exceeds maximum operation depth" in result.errors[0].message
