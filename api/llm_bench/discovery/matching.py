"""Which catalog models are worth proposing, and the deterministic rules that place them.

Three questions, all answered without I/O:
- `identity`: one normalised spelling per model, so "already covered" compares whole
  identities (never substrings: `gpt-4` does not cover `gpt-4o`, `o1` does not cover `o1-pro`);
- `candidates`: the catalog models a plain text benchmark could add and does not cover yet;
- `rule_proposals`: direct-provider ids for the families whose naming is known. A wrong
  proposal costs more than a missing one, so a rule fires only where the provider's naming
  is regular; the rest is left to the AI fallback (`ai_match`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PROVIDERS = ("openai", "anthropic", "bedrock", "vertex", "together", "groq", "fireworks", "deepinfra", "cerebras")
#: Variants skipped when their base model is listed too (they are the same model for a benchmark).
SKIPPED_VARIANTS = ("free", "beta", "extended")

_REGION = re.compile(r"^(?:us|eu|apac|au|jp|global|us-gov)\.")
_BEDROCK_VENDOR = re.compile(
    r"^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|google|nvidia|minimax|moonshot|"
    r"moonshotai|zai|writer|twelvelabs|xai)\."
)


def split_variant(openrouter_id: str) -> tuple[str, str | None]:
    """("openai/gpt-4o", "extended") for "openai/gpt-4o:extended"; the `~` alias mark is dropped."""
    base, _, variant = openrouter_id.lstrip("~").partition(":")
    return base, variant or None


def identity(model_id: str) -> str:
    """A model id reduced to its identity, comparable across OpenRouter and provider spellings.

    Drops the namespace (org/, accounts/x/models/), Bedrock region and vendor prefixes and
    `-v1:0` suffixes, Vertex `@version` and `-maas`, OpenRouter `:variant`, compact dates
    (claude-...-20250219), spells Fireworks `v3p1` as 3.1, and joins letter and digit runs with
    dashes: `llama3-1-70b` and `llama-3.1-70b` agree, `gpt-4` and `gpt-4o` do not.
    """
    text = model_id.strip().lower().lstrip("~")
    text = re.sub(r"@[\w.-]*$", "", text)
    text = re.sub(r":[a-z][a-z-]*$", "", text)
    text = text.rsplit("/", 1)[-1]
    text = _REGION.sub("", text)
    text, vendor_prefixed = _BEDROCK_VENDOR.subn("", text)
    if vendor_prefixed:
        text = re.sub(r"-v\d+(?::\d+)?$", "", text)
    text = re.sub(r"-maas$", "", text)
    text = re.sub(r"-20\d{6}$", "", text)
    text = re.sub(r"(?<=\d)p(?=\d)", ".", text)
    return "-".join(token for token in re.findall(r"[a-z]+|\d+", text) if token != "v")


@dataclass(frozen=True)
class Proposal:
    provider: str
    model_id: str
    confidence: float
    reasoning: str
    source: str = "rule"


def benchmarkable(model: Mapping[str, Any], listed_ids: set[str]) -> bool:
    """False for what cannot be a plain text benchmark target (see the module docstring)."""
    model_id = model["openrouter_id"]
    base, variant = split_variant(model_id)
    outputs = model.get("output_modalities") or ["text"]
    if model_id.startswith("~") or outputs != ["text"]:
        return False
    if model.get("org") == "openrouter" or model.get("variable_price"):
        return False  # routers pick a model per request
    return not (variant in SKIPPED_VARIANTS and base in listed_ids)


def candidates(
    catalog: Iterable[Mapping[str, Any]],
    benchmark: Iterable[Mapping[str, Any]],
    *,
    since: dt.datetime | None = None,
) -> tuple[list[Mapping[str, Any]], int]:
    """Uncovered, benchmarkable catalog models newest first, and how many were covered."""
    models = list(catalog)
    listed_ids = {m["openrouter_id"] for m in models}
    covered_ids = {identity(str(m.get("model_id") or "")) for m in benchmark if m.get("model_id")}
    chosen, covered = [], 0
    for model in models:
        if not benchmarkable(model, listed_ids):
            continue
        if since is not None and (model.get("first_seen_at") is None or model["first_seen_at"] < since):
            continue
        own = {identity(model["openrouter_id"])} | {identity(p.model_id) for p in rule_proposals(model["openrouter_id"])}
        if own & covered_ids:
            covered += 1
            continue
        chosen.append(model)
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    chosen.sort(key=lambda m: (m.get("first_seen_at") or epoch, m.get("created") or epoch), reverse=True)
    return chosen, covered


# Request-option variants that are the same model as their base (per the providers' docs).
_EFFORT = re.compile(r"^((?:o\d|gpt-[\d.]+)[\w.-]*?)-(?:high|medium|low|minimal)$")
_OPENAI_CHAT = re.compile(r"^(gpt-\d+(?:\.\d+)?)-chat$")
_OPENAI_NAMED_PRO = re.compile(r"^gpt-[\d.]+-[a-z]+-pro$")  # a reasoning mode of a named tier, not an id
_CLAUDE = re.compile(r"^claude-(opus|sonnet|haiku)-(\d+)(?:\.(\d+))?(?:-fast)?$")
_GEMINI = re.compile(r"^gemini-(\d+)(?:\.\d+)?-[a-z0-9.-]+$")
_LLAMA3 = re.compile(r"^llama-3(?:\.(\d))?-(\d+)b(?:-vision)?-instruct$")
_LLAMA4 = {"scout": "17b-16e", "maverick": "17b-128e"}
_NOVA = re.compile(r"^nova-(?:\d-)?(?:micro|lite|pro|premier)-v1$")
_GPT_OSS = re.compile(r"^gpt-oss-(?:safeguard-)?\d+b$")


def rule_proposals(openrouter_id: str) -> tuple[Proposal, ...]:
    """Direct-provider ids for a catalog id, best first; empty when no rule is sure."""
    base, _variant = split_variant(openrouter_id)
    org, _, name = base.partition("/")
    rule = _RULES.get(org)
    return rule(name) if rule and name else ()


def _openai(name: str) -> tuple[Proposal, ...]:
    if _GPT_OSS.match(name):
        return (Proposal("groq", f"openai/{name}", 0.9, "open-weight gpt-oss on Groq under its OpenAI name"),
                Proposal("fireworks", f"accounts/fireworks/models/{name}", 0.85, "open-weight gpt-oss on Fireworks"))
    if _OPENAI_NAMED_PRO.match(name) or "image" in name:
        return ()
    if effort := _EFFORT.match(name):
        return (Proposal("openai", effort.group(1), 0.9, "reasoning-effort variant of the same OpenAI model"),)
    if chat := _OPENAI_CHAT.match(name):
        return (Proposal("openai", f"{chat.group(1)}-chat-latest", 0.9, "OpenAI serves the chat model as -chat-latest"),)
    return (Proposal("openai", name, 0.95, "OpenAI model under the same id as on OpenRouter"),)


def _anthropic(name: str) -> tuple[Proposal, ...]:
    claude = _CLAUDE.match(name)
    if not claude:
        return ()  # old "claude-3.x-tier" ids need dated snapshots the id does not carry
    tier, major, minor = claude.groups()
    if minor is None and int(major) < 5:
        return (Proposal("vertex", f"claude-{tier}-{major}", 0.85, "Vertex names Claude 4.0 models without a minor version"),)
    alias = f"claude-{tier}-{major}" + (f"-{minor}" if minor else "")
    return (Proposal("anthropic", alias, 0.95, "Anthropic alias: the OpenRouter version with a dash"),
            Proposal("vertex", alias, 0.85, "Claude on Vertex under the Anthropic alias"))


def _google(name: str) -> tuple[Proposal, ...]:
    gemini = _GEMINI.match(name)
    if not gemini or any(word in name for word in ("-image", "-tts", "-exp")):
        return ()
    if int(gemini.group(1)) < 3 and name.endswith("-preview"):
        return ()  # Gemini 2.x previews were always dated on Google's side; this one is an alias
    return (Proposal("vertex", name, 0.9, "Gemini on Vertex AI under the same id"),)


def _meta(name: str) -> tuple[Proposal, ...]:
    if llama := _LLAMA3.match(name):
        minor, size = llama.groups()
        version = f"3-{minor}" if minor else "3"
        found = [Proposal("bedrock", f"meta.llama{version}-{size}b-instruct-v1:0", 0.85,
                          "Bedrock spells Llama 3.x as llama3-x and drops 'vision'")]
        renamed = {("1", "8"): "llama-3.1-8b-instant", ("3", "70"): "llama-3.3-70b-versatile"}.get((minor, size))
        if renamed:
            found.append(Proposal("groq", renamed, 0.85, "Groq's name for this Llama model"))
        return tuple(found)
    family = name.removeprefix("llama-4-")
    if family in _LLAMA4:
        shape = _LLAMA4[family]
        return (Proposal("bedrock", f"meta.llama4-{family}-17b-instruct-v1:0", 0.85, "Bedrock's Llama 4 id"),
                Proposal("groq", f"meta-llama/llama-4-{family}-{shape}-instruct", 0.85, "Groq's Llama 4 id"))
    return ()


def _amazon(name: str) -> tuple[Proposal, ...]:
    if not _NOVA.match(name):
        return ()
    return (Proposal("bedrock", f"us.amazon.{name}:0", 0.9, "Amazon Nova on Bedrock (US inference profile)"),)


_RULES = {"openai": _openai, "anthropic": _anthropic, "google": _google, "meta-llama": _meta, "amazon": _amazon}
