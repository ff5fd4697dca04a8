"""Fetch OpenRouter's model list and refuse anything that is not a believable catalog.

The catalog arrives from outside and sometimes arrives broken (an HTML error page, an empty
list, a half-served response). Nothing is written unless the payload passes `validate`, so a
bad day upstream never damages what is stored. Retries cover 5xx and network errors only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from ..errors import OpsError
from ..exit_codes import ExitStatus

log = logging.getLogger("llm_bench.discovery")

#: A fetch listing fewer models than this share of the last complete fetch is refused.
MIN_SHARE_OF_LAST = 0.5
MAX_PAGES = 50


class UpstreamUnavailable(OpsError):
    status = ExitStatus.UPSTREAM_UNAVAILABLE


class CatalogRefused(OpsError):
    status = ExitStatus.CATALOG_REFUSED


@dataclass(frozen=True)
class FetchedCatalog:
    url: str
    entries: tuple[dict[str, Any], ...]
    pages: int
    total_count: int | None


def fetch_catalog(
    url: str,
    *,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    client: httpx.Client | None = None,
) -> FetchedCatalog:
    """GET the catalog, following `links.next` pages; raise UpstreamUnavailable or CatalogRefused."""
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True,
                                  headers={"Accept": "application/json"})
    try:
        entries: list[dict[str, Any]] = []
        seen_urls: set[str] = set()
        next_url: str | None = url
        total_count: int | None = None
        pages = 0
        while next_url:
            if next_url in seen_urls or pages >= MAX_PAGES:
                raise CatalogRefused(f"the catalog's pagination does not end (page {pages + 1}: {next_url})")
            seen_urls.add(next_url)
            payload = _get_json(http, next_url, retries=retries, backoff=backoff)
            entries.extend(validate_page(payload))
            pages += 1
            if total_count is None and isinstance(payload.get("total_count"), int):
                total_count = payload["total_count"]
            links = payload.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            next_url = urljoin(next_url, following) if isinstance(following, str) and following else None
        return FetchedCatalog(url=url, entries=tuple(entries), pages=pages, total_count=total_count)
    finally:
        if own:
            http.close()


def _get_json(http: httpx.Client, url: str, *, retries: int, backoff: float) -> dict[str, Any]:
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            response = http.get(url)
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.HTTPError as exc:
            problem = f"network error ({type(exc).__name__})"
        else:
            if response.status_code < 500:
                break
            problem = f"HTTP {response.status_code}"
        if last:
            raise UpstreamUnavailable(f"OpenRouter catalog unavailable after {retries + 1} attempts: {problem}")
        delay = backoff * 2**attempt
        log.warning("catalog fetch %s; retrying in %.1fs", problem, delay)
        time.sleep(delay)
    if response.status_code != 200:
        raise UpstreamUnavailable(f"OpenRouter catalog answered HTTP {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        raise CatalogRefused("the catalog response is not JSON (an HTML error page?)") from None
    if not isinstance(payload, dict):
        raise CatalogRefused(f"the catalog response is a JSON {type(payload).__name__}, not an object")
    return payload


def validate_page(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The `data` list of one page, or CatalogRefused when it is not a list of objects with ids."""
    data = payload.get("data")
    if not isinstance(data, list):
        raise CatalogRefused("the catalog response has no `data` list")
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            raise CatalogRefused(f"catalog entry #{index} is not an object with a string `id`")
    return data


def check_complete(fetched: FetchedCatalog, last_complete_count: int | None) -> None:
    """Refuse an empty, short or truncated catalog before anything is written."""
    listed = len({e["id"] for e in fetched.entries})
    if listed == 0:
        raise CatalogRefused("the catalog lists no models")
    if fetched.total_count is not None and listed < fetched.total_count:
        raise CatalogRefused(f"the catalog announced {fetched.total_count} models but served {listed}")
    if last_complete_count and listed < last_complete_count * MIN_SHARE_OF_LAST:
        raise CatalogRefused(
            f"the catalog lists {listed} models, under half of the last complete fetch ({last_complete_count}); "
            "refusing it as truncated"
        )
