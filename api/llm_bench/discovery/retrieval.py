"""Proposals by retrieval: a direct-provider id is proposed only when some source lists it.

The providers' own model lists and the model registry say which ids exist; this module finds,
for one OpenRouter id, the listed ids with the same identity, at most one per provider, and
ranks them. Guessing is gone: a retired snapshot or an alias no provider serves cannot be
proposed, because nothing lists it. What lists cannot say stays as a few rewrites of the
OpenRouter id (request-option variants, Bedrock's spellings of Llama and Gemma) and as loose
forms of listed ids (hosting tiers such as `-Turbo`, `-tput`, `-fp8`, `-latest`, and an OpenAI
snapshot date, so a dated snapshot stands in when its alias is not listed).

Ranking, per provider: exact identity, then a rewrite, then a loose form; then, among ids of
one identity, the undated alias over dated snapshots (the alias is what Anthropic and OpenAI
document as the id to call), else the newest snapshot; on Bedrock the `us.` inference profile
(newer models are served on demand only through a profile), then the bare id; an id the
provider's own list shows over one only the registry shows. Across providers the model's own
lab comes first, then verified by a provider list, then the fixed provider order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..identity import REGION, identity, split_variant
from .matching import PROVIDERS, Listing, Proposal

#: OpenRouter id rewrites, per org: (pattern on the id without org, replacement, why). A rewrite
#: ranks after the id itself, except the first OpenAI one, which the provider documents.
_REWRITES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "openai": (
        (r"^(gpt-[\d.]+-chat)$", r"\1-latest", "OpenAI serves as -chat-latest (-chat is Azure's name)"),
        (r"^((?:o\d|gpt-[\d.]+)[\w.-]*?)-(?:high|medium|low|minimal)$", r"\1", "reasoning-effort variant of"),
        (r"^(gpt-[\d.]+-[a-z]+)-pro$", r"\1", "pro reasoning mode of"),
    ),
    "anthropic": ((r"^(claude-.*)-fast$", r"\1", "fast mode of"),),
    "amazon": ((r"^(nova-.*)-v\d+$", r"\1", "Bedrock's id of"),),
    "deepseek": ((r"^deepseek-chat-(v\d.*)$", r"deepseek-\1", "DeepSeek's name of"),),
    "meta-llama": (
        (r"^llama-(\d)\.(\d)-(\d+b)-vision-instruct$", r"llama-\1.\2-\3-instruct", "Bedrock drops 'vision' from"),
        (r"^llama-4-scout$", "llama-4-scout-17b-16e-instruct", "full name of"),
        (r"^llama-4-scout$", "llama4-scout-17b-instruct", "Bedrock's name of"),
        (r"^llama-4-maverick$", "llama-4-maverick-17b-128e-instruct", "full name of"),
        (r"^llama-4-maverick$", "llama4-maverick-17b-instruct", "Bedrock's name of"),
    ),
}
#: Bedrock lists instruct-tuned open models without the tag (google.gemma-4-31b, qwen.qwen3-next-80b-a3b).
_BEDROCK_UNTAGGED = re.compile(r"^((?:gemma|qwen)[\w.-]*?)-(?:it|instruct)$")
#: Listed-id suffixes that name a serving tier or a moving alias, not another model.
_TIER = {
    "together": r"-(?:turbo|tput|fp8)$",
    "fireworks": r"-(?:hf|basic|pt|fp8|\d+k(?:-rope)?)$",
    "deepinfra": r"-(?:turbo|fp8)$",
}
_LEAD = re.compile(r"^(?:meta|nvidia)-(?=llama|nemotron)")
_DATED = re.compile(r"(?:-|@)(20\d{6}|\d{4}-\d{2}-\d{2})")
_HOME = {"openai": "openai", "anthropic": "anthropic", "google": "vertex", "amazon": "bedrock"}
_CONFIDENCE = {0: 0.95, 1: 0.85, 2: 0.8}


def loose(listing: Listing) -> str:
    """The identity of a listed id without its serving-tier suffixes, `-latest` or snapshot date."""
    name = listing.model_id.lower().rsplit("/", 1)[-1]
    name = _LEAD.sub("", re.sub(r"-20\d\d-\d\d-\d\d$", "", name))
    tier = _TIER.get(listing.provider)
    for _ in range(3):
        name = re.sub(r"-latest$", "", name)
        if tier:
            name = re.sub(tier, "", name)
    return identity(name)


@dataclass(frozen=True)
class Index:
    """Listed ids by (provider, identity) and by (provider, loose identity)."""

    exact: Mapping[str, tuple[Listing, ...]]
    looser: Mapping[str, tuple[Listing, ...]]

    @classmethod
    def build(cls, listings: Iterable[Listing]) -> Index:
        exact: dict[str, list[Listing]] = defaultdict(list)
        looser: dict[str, list[Listing]] = defaultdict(list)
        for listing in listings:
            key = identity(listing.model_id)
            exact[key].append(listing)
            if (other := loose(listing)) != key:
                looser[other].append(listing)
        return cls({k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in looser.items()})

    def listings(self) -> Iterable[Listing]:
        return (listing for group in self.exact.values() for listing in group)

    def find(self, provider: str, model_id: str) -> Listing | None:
        """The listing of exactly this id at this provider, if listed."""
        return next(
            (
                found
                for found in self.exact.get(identity(model_id), ())
                if (found.provider, found.model_id) == (provider, model_id)
            ),
            None,
        )

    def __len__(self) -> int:
        return sum(len(v) for v in self.exact.values())


def _queries(base: str) -> list[tuple[int, str, str]]:
    """(tier, identity, reason) for the OpenRouter id and its rewrites, preferred first."""
    org, _, name = base.partition("/")
    found = [(0, identity(name), "listed under the same identity")]
    for number, (pattern, replacement, why) in enumerate(_REWRITES.get(org, ())):
        if not re.match(pattern, name):
            continue
        documented = org == "openai" and number == 0  # ranks with, and before, the id itself
        rewrite = (0 if documented else 1, identity(re.sub(pattern, replacement, name)), f"{why} {name}")
        found.insert(0 if documented else len(found), rewrite)
    return found


def _rank(listing: Listing) -> tuple[bool, int, bool, int, bool, int, str]:
    model_id = listing.model_id
    dated = _DATED.search(model_id)
    stamp = int(re.sub(r"\D", "", dated.group(1))) if dated else 0
    region = 0 if listing.provider != "bedrock" or model_id.startswith("us.") else 2 if REGION.match(model_id) else 1
    return (
        "@" in model_id,
        region,
        dated is not None,
        -stamp,
        listing.verified_by != "provider",
        len(model_id),
        model_id,
    )


def propose(openrouter_id: str, index: Index) -> tuple[Proposal, ...]:
    """Listed direct-provider ids for a catalog id, best first, at most one per provider."""
    base, _variant = split_variant(openrouter_id)
    if "/" not in base:
        return ()
    best: dict[str, tuple[tuple, int, Listing, str]] = {}
    own = identity(base)
    for position, (tier, key, reason) in enumerate(_queries(base)):
        hits = [(tier, listing, reason) for listing in index.exact.get(key, ())]
        hits += [(2, listing, f"{reason} (serving tier or alias)") for listing in index.looser.get(key, ())]
        if key == own:
            hits += [
                (1, listing, "Bedrock lists the instruct model without the tag")
                for listing in _bedrock_untagged(base, index)
            ]
        for hit_tier, listing, why in hits:
            order = (hit_tier, position, _rank(listing))
            if listing.provider not in best or order < best[listing.provider][0]:
                best[listing.provider] = (order, hit_tier, listing, why)
    home = _HOME.get(base.partition("/")[0])
    ranked = sorted(
        best.values(),
        key=lambda h: (h[2].provider != home, h[1], h[2].verified_by != "provider", PROVIDERS.index(h[2].provider)),
    )
    return tuple(
        Proposal(
            listing.provider,
            listing.model_id,
            _CONFIDENCE[tier],
            f"{why}; {listing.verified_by} lists it",
            source="rule",
            listing=listing,
        )
        for _, tier, listing, why in ranked
    )


def _bedrock_untagged(base: str, index: Index) -> list[Listing]:
    match = _BEDROCK_UNTAGGED.match(base.partition("/")[2])
    if not match:
        return []
    return [listing for listing in index.exact.get(identity(match.group(1)), ()) if listing.provider == "bedrock"]
