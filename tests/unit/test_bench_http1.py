"""The bench's HTTP/1.1 client reads what aiohttp's server sends: sized, chunked and closing answers."""
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.harness.graphql import GraphQLClient
from bench.harness.http1 import Pool


async def echo(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    if request.query.get("mode") == "chunked":
        response = web.StreamResponse(status=207)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (body[:3], body[3:]):
            await response.write(part)
        await response.write_eof()
        return response
    if request.query.get("mode") == "close":
        return web.Response(body=body, headers={"Connection": "close"})
    return web.Response(body=body + request.headers["Authorization"].encode(), status=201)


async def serve():
    app = web.Application()
    app.router.add_post("/graphql", echo)
    server = TestServer(app)
    await server.start_server()
    return server


async def test_sized_chunked_and_closing_answers_are_read_whole():
    server = await serve()
    try:
        pool = Pool(f"http://127.0.0.1:{server.port}/graphql", 1, {"Authorization": "t"})
        assert await pool.post(b"hello") == (201, b"hellot")
        assert await pool.post(b"again") == (201, b"againt")
        assert len(pool.idle) == 1  # kept alive
        chunked = Pool(f"http://127.0.0.1:{server.port}/graphql?mode=chunked", 1, {})
        assert await chunked.post(b"abcdef" * 1000) == (207, b"abcdef" * 1000)
        closing = Pool(f"http://127.0.0.1:{server.port}/graphql?mode=close", 1, {})
        assert await closing.post(b"bye") == (200, b"bye")
        assert closing.idle == []
        for p in (pool, chunked, closing):
            await p.close()
    finally:
        await server.close()


async def test_an_unreachable_server_is_a_transport_failure():
    server = await serve()
    port = server.port
    await server.close()
    async with GraphQLClient(f"http://127.0.0.1:{port}", "t", limit=1) as client:
        reply = await client.request("{ a }")
    assert reply.failure == "transport"
