"""Fetching the catalog over real HTTP on loopback: pagination, retries, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from http_stub import HTTPStub, json_reply, slow
from trickle_stub import Trickle

from api.llm_bench.discovery.openrouter import (
    MAX_BYTES,
    CatalogRefused,
    FetchedCatalog,
    UpstreamUnavailable,
    check_complete,
    fetch_catalog,
)
from api.llm_bench.exit_codes import ExitStatus

CATALOGS = Path(__file__).parent / "fixtures" / "openrouter"
PATH = "/api/v1/models"


def catalog(day: str) -> dict:
    return json.loads((CATALOGS / f"catalog-{day}.json").read_text())


def serve(http_server: HTTPStub, body: object, status: int = 200, content_type: str = "application/json") -> str:
    http_server.route("GET", PATH, lambda _r: (status, {"Content-Type": content_type}, body))
    return http_server.base_url + PATH


def test_a_real_catalog_is_fetched_whole(http_server: HTTPStub) -> None:
    fetched = fetch_catalog(serve(http_server, catalog("2026-01-17")), retries=0)
    assert len(fetched.entries) == 339 and fetched.pages == 1
    assert fetched.entries[0]["id"] == "openai/gpt-5.2-codex"


def test_pagination_follows_links_next_relative_and_absolute(http_server: HTTPStub) -> None:
    data = catalog("2026-01-17")["data"]
    pages = {1: data[:100], 2: data[100:200], 3: data[200:]}

    def page(request):
        number = int(request.path.partition("page=")[2] or 1)
        following = {1: f"{PATH}?page=2", 2: f"{http_server.base_url}{PATH}?page=3", 3: None}[number]
        return json_reply({"data": pages[number], "total_count": len(data), "links": {"next": following}})

    http_server.route("GET", PATH, page)
    fetched = fetch_catalog(http_server.base_url + PATH, retries=0)
    assert fetched.pages == 3 and len(fetched.entries) == len(data) and fetched.total_count == len(data)


def test_a_page_loop_is_refused(http_server: HTTPStub) -> None:
    http_server.route("GET", PATH, lambda _r: json_reply({"data": [{"id": "a/b"}], "links": {"next": PATH}}))
    with pytest.raises(CatalogRefused, match="pagination"):
        fetch_catalog(http_server.base_url + PATH, retries=0)


def test_5xx_is_retried_with_backoff_then_succeeds(http_server: HTTPStub) -> None:
    answers = [
        json_reply({"error": "busy"}, 502),
        json_reply({"error": "busy"}, 503),
        json_reply(catalog("2026-01-17")),
    ]
    http_server.route("GET", PATH, lambda _r: answers.pop(0))
    fetched = fetch_catalog(http_server.base_url + PATH, retries=3, backoff=0.01)
    assert len(fetched.entries) == 339
    assert len(http_server.calls(PATH)) == 3


def test_persistent_500_is_upstream_unavailable(http_server: HTTPStub) -> None:
    url = serve(http_server, {"error": "down"}, status=500)
    with pytest.raises(UpstreamUnavailable, match="HTTP 500") as info:
        fetch_catalog(url, retries=2, backoff=0.01)
    assert info.value.status is ExitStatus.UPSTREAM_UNAVAILABLE
    assert len(http_server.calls(PATH)) == 3


def test_timeout_is_upstream_unavailable(http_server: HTTPStub) -> None:
    http_server.route("GET", PATH, slow(1.0, json_reply(catalog("2026-01-17"))))
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        fetch_catalog(http_server.base_url + PATH, timeout=0.2, retries=1, backoff=0.01)
    assert len(http_server.calls(PATH)) == 2


def test_unreachable_server_is_upstream_unavailable() -> None:
    from api.llm_bench.embedded import free_port

    with pytest.raises(UpstreamUnavailable, match="network error"):
        fetch_catalog(f"http://127.0.0.1:{free_port()}{PATH}", retries=0)


def test_a_404_is_not_retried(http_server: HTTPStub) -> None:
    with pytest.raises(UpstreamUnavailable, match="HTTP 404"):
        fetch_catalog(serve(http_server, {"error": "gone"}, status=404), retries=3, backoff=0.01)
    assert len(http_server.calls(PATH)) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<html><body>Bad gateway</body></html>", "text/html", "not JSON"),
        ({}, "application/json", "no `data` list"),
        ([], "application/json", "JSON list"),
        ({"data": {"id": "a/b"}}, "application/json", "no `data` list"),
        ({"data": [{"id": "a/b"}, {"name": "no id"}]}, "application/json", "#1"),
        ({"data": [{"id": 42}]}, "application/json", "#0"),
        ({"data": ["a/b"]}, "application/json", "#0"),
    ],
)
def test_garbage_is_refused(http_server: HTTPStub, body: object, content_type: str, message: str) -> None:
    with pytest.raises(CatalogRefused, match=message) as info:
        fetch_catalog(serve(http_server, body, content_type=content_type), retries=0)
    assert info.value.status is ExitStatus.CATALOG_REFUSED


def _fetched(count: int, total: int | None = None) -> FetchedCatalog:
    return FetchedCatalog("u", tuple({"id": f"org/m{i}"} for i in range(count)), 1, total)


def test_empty_short_and_underserved_catalogs_are_refused() -> None:
    with pytest.raises(CatalogRefused, match="no models"):
        check_complete(_fetched(0), None)
    with pytest.raises(CatalogRefused, match="under half"):
        check_complete(_fetched(149), 300)
    with pytest.raises(CatalogRefused, match="announced 10"):
        check_complete(_fetched(9, total=10), None)
    check_complete(_fetched(150), 300)
    check_complete(_fetched(5), None)


@pytest.fixture
def trickle(request: pytest.FixtureRequest):
    server = Trickle(request.param).start()
    yield server
    server.stop()


@pytest.mark.parametrize("trickle", ["headers", "body"], indirect=True)
def test_a_trickling_server_meets_the_deadline(trickle: Trickle) -> None:
    with pytest.raises(UpstreamUnavailable, match="deadline") as info:
        fetch_catalog(trickle.url, timeout=5, retries=0, deadline=1)
    assert trickle.url in str(info.value) and info.value.status is ExitStatus.UPSTREAM_UNAVAILABLE


@pytest.mark.parametrize("trickle", ["flood"], indirect=True)
def test_an_endless_body_meets_the_size_cap(trickle: Trickle) -> None:
    with pytest.raises(CatalogRefused, match="larger than the 4,194,304 bytes cap") as info:
        fetch_catalog(trickle.url, timeout=5, retries=0, max_bytes=4 * 2**20)
    assert trickle.url in str(info.value)


@pytest.mark.parametrize("trickle", ["body"], indirect=True)
def test_a_declared_length_over_the_cap_is_refused_before_reading(trickle: Trickle) -> None:
    with pytest.raises(CatalogRefused, match="larger than the 1,000 bytes cap"):
        fetch_catalog(trickle.url, timeout=5, retries=0, deadline=60, max_bytes=1000)
    assert MAX_BYTES == 64 * 2**20


def test_the_cap_counts_every_page(http_server: HTTPStub) -> None:
    data = catalog("2026-01-17")["data"]

    def page(request):
        number = int(request.path.partition("page=")[2] or 1)
        return json_reply(
            {
                "data": data[:100] if number == 1 else data[100:],
                "links": {"next": f"{PATH}?page=2" if number == 1 else None},
            }
        )

    http_server.route("GET", PATH, page)
    whole = fetch_catalog(http_server.base_url + PATH, retries=0)
    first_page = len(json.dumps({"data": data[:100], "links": {"next": f"{PATH}?page=2"}}))
    with pytest.raises(CatalogRefused, match=r"cap \(.*page=2\)"):  # page 2 alone would fit
        fetch_catalog(http_server.base_url + PATH, retries=0, max_bytes=first_page + len(json.dumps(data[100:])))
    assert len(whole.entries) == len(data)


def test_json_nested_too_deeply_is_refused(http_server: HTTPStub) -> None:
    deep = '{"data": [{"id": "a/b", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    with pytest.raises(CatalogRefused, match="nested too deeply"):
        fetch_catalog(serve(http_server, deep), retries=0)
    with pytest.raises(CatalogRefused, match="cannot be read"):
        fetch_catalog(serve(http_server, '{"data": [{"id": "a/b", "n": ' + "9" * 5000 + "}]}"), retries=0)
