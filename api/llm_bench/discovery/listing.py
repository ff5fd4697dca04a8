"""What one model source lists, and the pure plan of how it changes the stored `provider_models`.

Two kinds of source list direct-provider model ids: the model registry (LiteLLM's map, for all
nine providers) and a provider's own `/models` list (for its own models). A listing proves the
id exists, not that this account can call it, so a document only records which kinds list it
(`sources`). Absence is judged only by the source with AUTHORITY for that provider: its own
list when configured; else the registry, except for Bedrock and Vertex, whose registry entries
are never marked missing from the registry's silence alone. Like the OpenRouter catalog, a
model is missing after one complete run of that authority without it and removed after three.

A list is believed only if it is not much shorter than the source's last complete run (distinct
ids, so a list that repeats one id is short); the registry is also checked per provider, and a
provider it lists under half as many models of as last time is left untouched by that run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..repository.provider_models import SourceWrite
from ..repository.provider_models import Unlisted as Absence
from .download import SourceRefused

#: A source listing fewer models than this share of its last complete run is refused.
MIN_SHARE_OF_LAST = 0.5
REMOVAL_AFTER = 3
#: Providers the registry never has authority over (no own list to confirm an absence).
REGISTRY_ONLY = ("bedrock", "vertex")


@dataclass(frozen=True)
class Seen:
    """One model as a source lists it (prices USD per million tokens, dates "YYYY-MM-DD")."""

    provider: str
    model_id: str
    deprecation_date: str | None = None
    deprecation_source: str | None = None
    successor: str | None = None
    context_length: int | None = None
    input_price: float | None = None
    output_price: float | None = None


@dataclass(frozen=True)
class SourceList:
    """A complete answer of one source: `kind` "registry" or "provider", `name` its run record key."""

    name: str
    kind: str
    providers: tuple[str, ...]  # the providers this source speaks for
    seen: tuple[Seen, ...]
    pages: int = 1


@dataclass(frozen=True)
class Plan:
    listed: tuple[Seen, ...]
    authority: frozenset[str]
    new: tuple[str, ...]
    returned: tuple[str, ...]  # back after being missing (authority only)
    absent: tuple[Absence, ...]

    def count(self, *, removed: bool) -> int:
        return sum(1 for a in self.absent if a.missing_count is not None and a.removed == removed)


def distinct(source: SourceList) -> int:
    """Models listed, each (provider, id) once: a list that repeats one id is still one model."""
    return len({(seen.provider, seen.model_id) for seen in source.seen})


def by_provider(source: SourceList) -> dict[str, int]:
    """Distinct models listed per provider the source speaks for (0 for one it lists none of)."""
    counts = dict.fromkeys(source.providers, 0)
    for provider, _ in {(seen.provider, seen.model_id) for seen in source.seen}:
        counts[provider] = counts.get(provider, 0) + 1
    return counts


def check_complete(source: SourceList, last_listed: int | None) -> None:
    """Refuse an empty list, or one under half of the last complete run of the same source
    (distinct ids both times)."""
    listed = distinct(source)
    if listed == 0:
        raise SourceRefused("the list is empty")
    if last_listed and listed < last_listed * MIN_SHARE_OF_LAST:
        raise SourceRefused(
            f"{listed} models, under half of the last complete run ({last_listed}); refusing it as truncated"
        )


def short_providers(source: SourceList, last_by_provider: Mapping[str, int] | None) -> dict[str, tuple[int, int]]:
    """Providers of a many-provider source (the registry) listed under half of their count in its
    last complete run: provider -> (listed now, listed then). A registry that drops one provider
    entirely is not believed about that provider (see `plan`'s `skip`)."""
    if len(source.providers) < 2 or not last_by_provider:
        return {}
    now = by_provider(source)
    return {
        provider: (now.get(provider, 0), then)
        for provider, then in last_by_provider.items()
        if provider in source.providers
        and isinstance(then, int)
        and then > 0
        and now.get(provider, 0) < then * MIN_SHARE_OF_LAST
    }


def authority(source: SourceList, own_lists: Iterable[str]) -> frozenset[str]:
    """The providers whose absences this source decides (see the module docstring)."""
    if source.kind == "provider":
        return frozenset(source.providers)
    return frozenset(source.providers) - set(REGISTRY_ONLY) - set(own_lists)


def plan(
    stored: Mapping[tuple[str, str], Mapping[str, Any]],
    source: SourceList,
    own_lists: Iterable[str],
    skip: Iterable[str] = (),
) -> Plan:
    """Compare stored state ((provider, model_id) -> sources, missing_count, removed_at) with a complete list.

    Stored models of the `skip` providers (`short_providers`) are left as they are: no absence
    counted, no source dropped."""
    skipped = set(skip)
    ruled = authority(source, own_lists) - skipped
    listed = {(s.provider, s.model_id): s for s in source.seen}
    new = [f"{p}/{m}" for p, m in listed if (p, m) not in stored]
    returned = [
        f"{p}/{m}"
        for (p, m), doc in stored.items()
        if (p, m) in listed and p in ruled and (doc.get("missing_count") or doc.get("removed_at"))
    ]
    absent = []
    for (provider, model_id), doc in stored.items():
        if (provider, model_id) in listed or provider not in source.providers or provider in skipped:
            continue
        drop = source.kind in (doc.get("sources") or ())
        if provider in ruled and not doc.get("removed_at"):
            count = int(doc.get("missing_count") or 0) + 1
            absent.append(Absence(provider, model_id, drop, count, count == 1, count >= REMOVAL_AFTER))
        elif drop:
            absent.append(Absence(provider, model_id, drop, None))
    return Plan(tuple(listed.values()), ruled, tuple(new), tuple(returned), tuple(absent))


def to_write(source: SourceList, planned: Plan) -> SourceWrite:
    """What the repository writes for a complete source and its plan."""
    returned = set(planned.returned)
    return SourceWrite(
        source.name,
        source.kind,
        tuple(asdict(seen) for seen in planned.listed),
        frozenset((s.provider, s.model_id) for s in planned.listed if f"{s.provider}/{s.model_id}" in returned),
        planned.absent,
    )
