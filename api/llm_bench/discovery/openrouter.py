"""Fetch OpenRouter's model list and refuse anything that is not a believable catalog.

The catalog arrives from outside and sometimes arrives broken (an HTML error page, an empty
list, a half-served response). Nothing is written unless the payload passes `validate`, so a
bad day upstream never damages what is stored. Retries cover 5xx and network errors only.
The whole fetch (every page, retry and backoff) runs under one deadline and one size cap, so a
server that trickles bytes or streams without end cannot hold the job or its memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from ..errors import OpsError
from ..exit_codes import ExitStatus
from ..origins import described, same_origin
from ..untrusted import safe_text

log = logging.getLogger("llm_bench.discovery")

#: A fetch listing fewer models than this share of the last complete fetch is refused.
MIN_SHARE_OF_LAST = 0.5
MAX_PAGES = 50
#: Seconds the whole fetch may take, all pages and retries included.
DEADLINE = 300.0
#: Bytes the whole catalog may take, all pages included (a real one is about 1 MiB).
MAX_BYTES = 64 * 2**20


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


@dataclass
class _Progress:
    """Where the fetch is (for the deadline's message) and how many bytes it may still read."""

    url: str
    max_bytes: int
    bytes_left: int


def fetch_catalog(
    url: str,
    *,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
) -> FetchedCatalog:
    """GET the catalog, following `links.next` pages on the catalog's origin; raise
    UpstreamUnavailable or CatalogRefused."""
    progress = _Progress(url, max_bytes, max_bytes)
    fetching = _fetch_pages(url, progress, timeout=timeout, retries=retries, backoff=backoff)
    try:
        return asyncio.run(asyncio.wait_for(fetching, deadline))
    except TimeoutError:
        raise UpstreamUnavailable(
            f"the catalog was not fetched within the {deadline:g} s deadline (still reading {progress.url})"
        ) from None


async def _fetch_pages(
    url: str, progress: _Progress, *, timeout: float, retries: int, backoff: float
) -> FetchedCatalog:
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout), follow_redirects=True, headers={"Accept": "application/json"}
    ) as http:
        entries: list[dict[str, Any]] = []
        seen_urls: set[str] = set()
        next_url: str | None = url
        total_count: int | None = None
        pages = 0
        while next_url:
            if next_url in seen_urls or pages >= MAX_PAGES:
                raise CatalogRefused(f"the catalog's pagination does not end (page {pages + 1}: {next_url})")
            seen_urls.add(next_url)
            progress.url = next_url
            payload = await _get_json(http, progress, retries=retries, backoff=backoff)
            entries.extend(validate_page(payload))
            pages += 1
            if total_count is None and isinstance(payload.get("total_count"), int):
                total_count = payload["total_count"]
            links = payload.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            next_url = urljoin(next_url, following) if isinstance(following, str) and following else None
            if next_url is not None and not same_origin(next_url, url):
                raise CatalogRefused(
                    f"the catalog's links.next leaves its origin ({safe_text(described(next_url), 120)}, "
                    f"not {safe_text(described(url), 120)}); refusing it"
                )
        return FetchedCatalog(url=url, entries=tuple(entries), pages=pages, total_count=total_count)


async def _get_json(http: httpx.AsyncClient, progress: _Progress, *, retries: int, backoff: float) -> dict[str, Any]:
    url = progress.url
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            status, body = await _download(http, progress)
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.HTTPError as exc:
            problem = f"network error ({type(exc).__name__})"
        else:
            if status < 500:
                break
            problem = f"HTTP {status}"
        if last:
            raise UpstreamUnavailable(f"OpenRouter catalog unavailable after {retries + 1} attempts: {problem} ({url})")
        delay = backoff * 2**attempt
        log.warning("catalog fetch %s; retrying in %.1fs", problem, delay)
        await asyncio.sleep(delay)
    if status != 200:
        raise UpstreamUnavailable(f"OpenRouter catalog answered HTTP {status} ({url})")
    return parse_page(body, url)


async def _download(http: httpx.AsyncClient, progress: _Progress) -> tuple[int, bytes]:
    """The status and, for a 200, the body; CatalogRefused once the bytes left are exceeded."""
    async with http.stream("GET", progress.url) as response:
        if response.status_code != 200:
            return response.status_code, b""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > progress.bytes_left:
            raise _too_large(progress)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > progress.bytes_left:
                raise _too_large(progress)
            chunks.append(chunk)
    progress.bytes_left -= size
    return 200, b"".join(chunks)


def _too_large(progress: _Progress) -> CatalogRefused:
    return CatalogRefused(
        f"the catalog is larger than the {progress.max_bytes:,} bytes cap ({progress.url}); refusing it"
    )


def parse_page(body: bytes, url: str) -> dict[str, Any]:
    """One page's JSON object, or CatalogRefused (not JSON, nested too deeply, not an object)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise CatalogRefused(f"the catalog response is nested too deeply to read ({url})") from None
    except json.JSONDecodeError:
        raise CatalogRefused("the catalog response is not JSON (an HTML error page?)") from None
    except ValueError as exc:  # undecodable bytes, a number with too many digits
        raise CatalogRefused(f"the catalog response cannot be read: {str(exc)[:120]} ({url})") from None
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
