"""GraphiQL works offline: a headless Chromium, every non-loopback request blocked, opens
/graphql on a real server, types a query and the Authorization header, runs it and sees
the answer.

Uses Debian's /usr/bin/chromium through Playwright (never `playwright install`). Without
it the browser test skips locally and fails on CI (the CI env var is set there).
"""
from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ASSETS = ["/graphiql/static/graphiql-3.8.3/graphiql.min.js", "/graphiql/static/graphiql-3.8.3/graphiql.min.css",
          "/graphiql/static/react-18.2.0/react.production.min.js",
          "/graphiql/static/react-dom-18.2.0/react-dom.production.min.js"]
QUERY = "{ locations { code name } }"
timeout_ms = 30_000


def need_browser():
    """The sync Playwright module; skips (locally) or fails (CI) when the browser is missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            from playwright import sync_api
        except ImportError:
            problem = "the playwright Python package is missing (pip install -e '.[test]')"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the GraphiQL browser test: {problem}")
        pytest.skip(problem)
    return sync_api


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def post(server, query: str) -> dict:
    request = urllib.request.Request(server.url, data=json.dumps({"query": query}).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {server.token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def test_the_page_and_its_assets_come_from_the_server_without_a_token(server):
    status, headers, body = get(server.url, {"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "unpkg" not in page and "jsdelivr" not in page and "https://" not in page
    for asset in ASSETS:
        assert f'"{asset}"' in page
        status, headers, body = get(server.base_url + asset)
        assert status == 200 and len(body) > 1000, asset
    for license_path in ("graphiql-3.8.3", "react-18.2.0", "react-dom-18.2.0"):
        status, _, body = get(f"{server.base_url}/graphiql/static/{license_path}/LICENSE")
        assert status == 200 and b"MIT License" in body
    assert get(f"{server.base_url}/graphiql/static/")[0] in (403, 404)  # no directory listing
    assert get(f"{server.base_url}/graphiql/static/../app.py")[0] in (403, 404)
    # The GraphQL endpoint itself still needs the token.
    assert get(server.url + "?query=%7B__typename%7D")[0] == 401


def editor_text(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => el.CodeMirror.getValue()")


def replace_editor_text(page, selector: str, text: str) -> None:
    """Types into a CodeMirror editor: focus, select all, insert (no auto-closed brackets)."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    assert editor_text(page, selector) == text


def test_graphiql_runs_a_query_with_the_token_from_the_headers_editor_offline(server):
    sync_api = need_browser()
    created = post(server, 'mutation { locationUpsert(input: {code: "gq-east", name: "GraphiQL East"}) '
                           '{ userErrors { message } } }')
    assert created == {"data": {"locationUpsert": {"userErrors": []}}}, created

    blocked: list[str] = []
    served: list[str] = []
    graphql_posts: list[dict] = []

    def only_loopback(route):
        url = urlsplit(route.request.url)
        if url.hostname == "127.0.0.1":
            served.append(url.path)
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                     timeout=timeout_ms)
        try:
            context = browser.new_context()
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.on("request", lambda r: graphql_posts.append(r.headers) if r.method == "POST" else None)
            page.goto(server.url, wait_until="load")

            query_editor = ".graphiql-query-editor .CodeMirror"
            page.wait_for_selector(query_editor)
            page.wait_for_selector(".graphiql-execute-button")
            headers_editor = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
            page.wait_for_selector(headers_editor)
            assert "Bearer <paste the admin token here>" in editor_text(page, headers_editor)
            response = page.locator(".graphiql-response")

            # The placeholder header is no token: the answer is the auth error.
            replace_editor_text(page, query_editor, QUERY)
            page.click(".graphiql-execute-button")
            page.wait_for_function("() => document.querySelector('.graphiql-response').innerText"
                                   ".includes('missing or invalid bearer token')")
            assert "gq-east" not in response.inner_text()

            # The token typed into the headers editor is sent and the answer shows.
            replace_editor_text(page, headers_editor, json.dumps({"Authorization": f"Bearer {server.token}"}))
            page.click(".graphiql-execute-button")
            page.wait_for_function("() => document.querySelector('.graphiql-response').innerText.includes('gq-east')")
            answer = response.inner_text()
            assert "GraphiQL East" in answer and "missing or invalid" not in answer
            assert re.search(r'"locations"', answer)
            assert graphql_posts and graphql_posts[-1].get("authorization") == f"Bearer {server.token}"
        finally:
            browser.close()
    assert blocked == [], f"the page asked for non-loopback resources: {blocked}"
    assert set(ASSETS) <= set(served), served  # the route saw the page's requests, and the assets came from us
