"""What the model sources say about the benchmark's models: retirements ahead, models a
provider stopped listing, new models worth adding, and the AI model's price.

Discovery keeps `provider_models` (the providers' own lists and the model registry, with
deprecation dates and successors) and places new OpenRouter models on a listed direct id
(`direct_match`). The benchmark's own `models` documents may carry a `deprecation_date`,
`successor_model` and `deprecation_reason`. This module reads those rows (one command, in the
run context) into plain values the rules and the email use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..admission import Standing, read_standings
from ..identity import identity, split_variant
from ..untrusted import is_identifier, safe_text

RETIRING_WITHIN = dt.timedelta(days=30)
MAX_NEW_MODELS = 10
NAME_CHARS = 120


@dataclass(frozen=True)
class Listed:
    """One `provider_models` document, read defensively."""

    provider: str
    model_id: str
    missing_since: dt.datetime | None
    removed_at: dt.datetime | None
    deprecation_date: dt.date | None
    deprecation_source: str
    successor: str
    missing_by: str = ""  # "registry" or "provider": whose absence marked it (older documents: unknown)
    by_provider: bool = False  # the provider's own list showed it at its last complete run


@dataclass(frozen=True)
class BenchmarkModel:
    provider: str
    model_id: str
    deprecation_date: dt.date | None
    successor: str
    reason: str


@dataclass(frozen=True)
class NewModel:
    openrouter_id: str
    provider: str
    model_id: str
    verified_by: str  # "probe" (two probe successes), "provider" (its own list) or "registry"
    first_seen: dt.datetime
    probe: str = ""  # what the probes said, when the id was probed
    command: str | None = None  # the staged upsert, when worth adding


@dataclass(frozen=True)
class LeftOutModel:
    """A proposal "worth adding" does not list, and why."""

    openrouter_id: str
    provider: str
    model_id: str
    reason: str  # "variant", or one of admission.REFUSALS
    detail: str


@dataclass(frozen=True)
class Retirement:
    provider: str
    model: str
    date: dt.date
    source: str  # a link or who says so
    successor: str
    command: str | None  # stages the successor when it is listed and not in the benchmark
    past: bool = False  # the date has passed and the model is still enabled

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @property
    def detail(self) -> str:
        then = f"; successor {self.successor}" if self.successor else ""
        if self.past:
            return f"retired on {self.date.isoformat()} ({self.source}), still enabled{then}"
        return f"retires on {self.date.isoformat()} ({self.source}){then}"


@dataclass(frozen=True)
class Lifecycle:
    listed: Mapping[tuple[str, str], Listed]  # by (provider, identity)
    benchmark: tuple[BenchmarkModel, ...]  # enabled and not deprecated
    new_models: tuple[NewModel, ...]  # newest first
    ai_prices: tuple[float, float] | None  # USD per million (prompt, completion) tokens
    #: identities of every `models` document, staged, enabled or deprecated
    known: frozenset[str] = frozenset()
    probes: Mapping[tuple[str, str], Standing] = field(default_factory=dict)

    def lookup(self, provider: str, model_id: str) -> Listed | None:
        return self.listed.get((provider, identity(model_id)))

    def in_benchmark(self, provider: str, model_id: str) -> bool:
        return any(m.provider == provider and identity(m.model_id) == identity(model_id) for m in self.benchmark)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _moment(value: Any) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def _name(value: Any) -> str:
    return safe_text(value, NAME_CHARS) if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _price(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def _listed(doc: Mapping[str, Any]) -> Listed:
    return Listed(
        _name(doc.get("provider")),
        _name(doc.get("model_id")),
        _moment(doc.get("missing_since")),
        _moment(doc.get("removed_at")),
        _date(doc.get("deprecation_date")),
        _name(doc.get("deprecation_source")),
        _name(doc.get("successor")),
        _name(doc.get("missing_by")),
        "provider" in _list(doc.get("sources")),
    )


def lifecycle_from(context: Mapping[str, Any]) -> Lifecycle:
    """Read the run context's `models` (each with the `provider_models` documents of its id and of
    its successor), `new_models` and `ai_price`, defensively."""
    listed: dict[tuple[str, str], Listed] = {}
    benchmark = []
    known = set()
    for m in context.get("models") or []:
        provider, model_id = _name(m.get("provider")), _name(m.get("model_id"))
        if model_id:
            known.add(identity(model_id))
        if not (model_id and m.get("enabled") is True and m.get("deprecated") is not True):
            continue
        benchmark.append(
            BenchmarkModel(
                provider,
                model_id,
                _date(m.get("deprecation_date")),
                _name(m.get("successor_model")),
                safe_text(m.get("deprecation_reason") or "", 200),
            )
        )
        for doc in _list(m.get("listed")):
            if isinstance(doc, Mapping) and _name(doc.get("provider")) == provider:
                listed[(provider, identity(model_id))] = _listed(doc)
                for successor in _list(doc.get("successor_listed")):
                    if isinstance(successor, Mapping) and _name(successor.get("provider")) == provider:
                        found = _listed(successor)
                        listed.setdefault((provider, identity(found.model_id)), found)
    new_models = []
    for doc in context.get("new_models") or []:
        match = doc.get("direct_match")
        first = _moment(doc.get("first_seen_at"))
        if isinstance(match, Mapping) and first and _name(match.get("model_id")):
            new_models.append(
                NewModel(
                    _name(doc.get("openrouter_id")),
                    _name(match.get("provider")),
                    _name(match.get("model_id")),
                    _name(match.get("verified_by")),
                    first,
                )
            )
    price = context.get("ai_price") or {}
    prompt_price, completion_price = _price(price.get("input_price")), _price(price.get("output_price"))
    return Lifecycle(
        listed,
        tuple(benchmark),
        tuple(sorted(new_models, key=lambda n: n.first_seen, reverse=True)),
        (prompt_price, completion_price) if prompt_price is not None and completion_price is not None else None,
        frozenset(known),
        read_standings(p for p in context.get("probes") or [] if isinstance(p, Mapping)),
    )


def provider_dropped(lifecycle: Lifecycle, provider: str, model_id: str) -> str | None:
    """Why the source with authority (the provider's own list, or the registry) says the model is gone, or None."""
    listed = lifecycle.lookup(provider, model_id)
    if listed is None or not (listed.removed_at or listed.missing_since):  # set only by a source with authority
        return None
    said = "the model registry" if listed.missing_by == "registry" else f"{provider}'s model list"
    if listed.removed_at:
        return f"{said} dropped {listed.model_id} (removed {listed.removed_at:%Y-%m-%d})"
    return f"{said} no longer shows {listed.model_id} (missing since {listed.missing_since:%Y-%m-%d})"


def provider_still_lists(lifecycle: Lifecycle, provider: str, model_id: str) -> str | None:
    """The provider's own list still shows the model (its last complete run listed it and no
    absence is counted), or None. A list proves the model exists, not that this account may call
    it: a model it shows that answers "not found" is more likely an access or id problem."""
    listed = lifecycle.lookup(provider, model_id)
    if listed is None or not listed.by_provider or listed.removed_at or listed.missing_since:
        return None
    return f"{provider}'s own model list still shows {listed.model_id}"


def _sorted_out(lifecycle: Lifecycle) -> tuple[list[NewModel], list[LeftOutModel]]:
    """New proposals not in `models` in any state or case: one per provider id (a variant such as
    `:free` folds into its base), without the ids a probe refused (for the recheck period)."""
    kept: dict[tuple[str, str], NewModel] = {}
    left: list[LeftOutModel] = []
    for new in lifecycle.new_models:
        if identity(new.model_id) in lifecycle.known or identity(new.openrouter_id) in lifecycle.known:
            continue
        standing = lifecycle.probes.get((new.provider, new.model_id))
        if standing is not None and standing.refusal is not None:
            reason = standing.refusal.reason or "not_found"
            left.append(LeftOutModel(new.openrouter_id, new.provider, new.model_id, reason, standing.summary()))
            continue
        if standing is not None:
            new = replace(
                new, probe=standing.summary(), verified_by="probe" if standing.verified_at else new.verified_by
            )
        key = (new.provider, identity(new.model_id))
        other = kept.get(key)
        if other is None:
            kept[key] = new
            continue
        if split_variant(other.openrouter_id)[1] and not split_variant(new.openrouter_id)[1]:
            kept[key], new, other = new, other, new
        left.append(
            LeftOutModel(
                new.openrouter_id, new.provider, new.model_id, "variant", f"same provider id as {other.openrouter_id}"
            )
        )
    return list(kept.values()), left


def worth_adding(
    lifecycle: Lifecycle,
    limit: int = MAX_NEW_MODELS,
    stage: Callable[[str, str], str | None] | None = None,
) -> list[NewModel]:
    """Proposals new in the window that `models` does not hold in any state, newest first, one per
    provider id, none a probe refused; each with its staging command when `stage` is given."""
    kept, _ = _sorted_out(lifecycle)
    return [replace(n, command=stage(n.provider, n.model_id) if stage else None) for n in kept[:limit]]


def left_out(lifecycle: Lifecycle, limit: int = MAX_NEW_MODELS) -> list[LeftOutModel]:
    """The new proposals "worth adding" leaves out: refused by a probe, or a variant of another."""
    return _sorted_out(lifecycle)[1][:limit]


def successor_to_stage(lifecycle: Lifecycle, provider: str, successor: str) -> str | None:
    """The successor's listed id when a source lists it and the benchmark lacks it, else None."""
    if not successor or not is_identifier(successor):
        return None
    listed = lifecycle.lookup(provider, successor)
    if listed is None or listed.removed_at or lifecycle.in_benchmark(provider, listed.model_id):
        return None
    return listed.model_id


def registry_retirements(lifecycle: Lifecycle) -> Iterable[tuple[BenchmarkModel, dt.date, str, str]]:
    """(model, date, source, successor) from the registry and from the benchmark's own documents."""
    for model in lifecycle.benchmark:
        if model.deprecation_date:
            yield model, model.deprecation_date, model.reason or "the benchmark's models document", model.successor
        listed = lifecycle.lookup(model.provider, model.model_id)
        if listed and listed.deprecation_date:
            yield model, listed.deprecation_date, listed.deprecation_source or "the model registry", listed.successor


def retirements(
    lifecycle: Lifecycle,
    catalog: Iterable[tuple[str, str, dt.date]],
    today: dt.date,
    stage: Callable[[str, str], str | None],
) -> list[Retirement]:
    """Enabled benchmark models retiring within RETIRING_WITHIN, or already past their retirement
    date (`past`: from the registry or the benchmark's own documents), earliest date per model,
    from the registry, the benchmark's own documents and OpenRouter's expiration dates
    (`catalog`, upcoming only: OpenRouter's date is about its own routing). `stage(provider,
    model_id)` gives the command that stages a listed successor."""
    found: dict[tuple[str, str], tuple[dt.date, str, str]] = {}
    dated = [
        (m.provider, m.model_id, day, source, successor)
        for m, day, source, successor in registry_retirements(lifecycle)
    ]
    dated += [
        (provider, model, day, "OpenRouter's expiration date", "") for provider, model, day in catalog if day > today
    ]
    for provider, model, day, source, successor in dated:
        if day <= today + RETIRING_WITHIN:
            known = found.get((provider, model))
            if known is None or day < known[0] or (day == known[0] and successor and not known[2]):
                found[(provider, model)] = (day, source, successor or (known[2] if known else ""))
    result = []
    for (provider, model), (day, source, successor) in found.items():
        staged = successor_to_stage(lifecycle, provider, successor)
        command = stage(provider, staged) if staged else None
        result.append(Retirement(provider, model, day, source, successor, command, day <= today))
    return sorted(result, key=lambda r: (r.date, r.provider, r.model))
