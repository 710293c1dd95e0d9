"""POST/GET /graphql and its websockets: strawberry's aiohttp view, answering in orjson, with
our GraphiQL page, live websocket handlers and the prepared-document path in front."""
from __future__ import annotations

import orjson
from aiohttp import web
from cross_web import HTTPException
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError

from engine import limits

from ..auth import bearer_ok
from ..context_keys import ENGINE, HUB, SMTP_CONFIGURED, TOKEN_DIGEST
from ..graphiql import page_html as graphiql_page_html
from .prepared import PreparedServer
from .ws_handlers import LiveTransportWSHandler, LiveWSHandler


class OmsGraphQLView(GraphQLView):
    graphql_transport_ws_handler_class = LiveTransportWSHandler  # they note the operation: live delivery is shared
    graphql_ws_handler_class = LiveWSHandler
    prepared: PreparedServer | None = None  # POSTs of documents already accepted skip strawberry's per-request work
    graphiql_page = graphiql_page_html()  # our page, its assets served from the package: no CDN

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        return web.Response(text=self.graphiql_page, content_type="text/html")

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> dict:
        return {"request": request, "response": response, "engine": request.app[ENGINE], "hub": request.app[HUB],
                "token_digest": request.app[TOKEN_DIGEST], "smtp_configured": request.app[SMTP_CONFIGURED]}

    async def on_ws_connect(self, context: dict) -> None:
        """The token travels in connection_init: {"Authorization": "Bearer ..."}; a bad one closes with 4403."""
        params = context.get("connection_params") or {}
        header = params.get("Authorization") or params.get("authorization")
        if not bearer_ok(header if isinstance(header, str) else None, context["token_digest"]):
            socket = context["response"]
            if socket.ws_protocol == "graphql-ws":  # the legacy protocol would otherwise close with 1011
                await socket.close(code=4403, message=b"Forbidden")
            raise ConnectionRejectionError()

    def encode_json(self, data: object) -> str:
        return orjson.dumps(data).decode()  # text: websocket messages must be text frames

    def create_response(self, response_data, sub_response: web.Response) -> web.Response:
        sub_response.body = orjson.dumps(response_data)
        sub_response.content_type = "application/json"
        return sub_response

    def parse_json(self, data: str | bytes) -> object:
        parsed = orjson.loads(data)
        if not isinstance(parsed, dict) and not (isinstance(parsed, list) and all(isinstance(i, dict) for i in parsed)):
            raise HTTPException(400, "the request body must be a JSON object")
        return parsed

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """Transport errors are GraphQL error responses too, never plain text."""
        try:
            if request.method == "POST" and self.prepared is not None:
                response = await self.prepared.serve(request)
                if response is not None:
                    return response
            return await self.run(request=request)
        except HTTPException as exc:
            return error_response(exc.reason, exc.status_code)
        except web.HTTPRequestEntityTooLarge:  # aiohttp's own, raised reading a body over client_max_size
            return error_response(f"the request body is larger than {limits.request_body_bytes_max} bytes "
                                  "(request_body_bytes_max)", 413, code="LIMIT_EXCEEDED")


def error_response(message: str, status: int, code: str | None = None, headers: dict | None = None) -> web.Response:
    """A GraphQL-shaped answer for a request refused before execution."""
    error: dict = {"message": message} if code is None else {"message": message, "extensions": {"code": code}}
    return web.json_response({"data": None, "errors": [error]}, status=status, headers=headers)
