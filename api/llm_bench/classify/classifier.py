"""Decide one error pattern's kind from the evidence, strongest first, and abstain when it is
weak or contradicts itself.

The text is parsed first (`parse.parse`: HTTP status, provider error types and codes, exception
and gRPC names, inner messages), the codes are looked up in the providers' own vocabularies
(`vocabulary.py`), and the phrase rules (`rules.RULES`) read the wording. A writer that stores
the status and code its SDK reported (`http_status`, `provider_error_code`) adds structured
evidence the text may lack: the stored status counts when the text shows none, the stored code
is looked up like a parsed one. Then, in order:

1. an LLM classification of the pattern with confidence >= LLM_MIN_CONFIDENCE;
2. specific evidence: a decisive provider code, a specific phrase rule, a newer writer's stored
   kind (one that is not what the status alone gives: `hard_model` with no 404 in the text,
   `timeout`, `budget_exhausted`). When they agree, the first of these decides; when they
   disagree, the pattern is `unknown` (`conflict`) and goes to the AI residue;
3. the family: a family code (`NOT_FOUND`, `RateLimitError`, `ValidationException`), else the
   HTTP status read by the parse layer (the status before an SDK class derived from it, such as
   `InternalServerError` for any 5xx); a generic phrase (transport, timeout, server wording)
   never overrides it; a 404 or NotFound family that names no model is `unknown` (a wrong path
   answers 404 too); a first family that says the provider or the network failed while another
   says the model was not found (a relay's own `api_error` around the upstream's `NOT_FOUND`) is
   `unknown` (`conflict`);
4. a generic phrase; a verdict of 3 or 4 that the provider or the network failed is withheld
   (`conflict`) when the text also says the model is unavailable or unknown;
5. the writer's stored kind (status-only);
6. else `unknown` (`none`).
A phrase of kind "unknown" (a text known to carry no cause, "Provider returned error") stops
the generic phrases but lets a family code or a status through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .kinds import clean_kind
from .parse import parse
from .rules import MAX_TEXT_CHARS, RULES, Rule
from .vocabulary import Entry, lookup, names_in_lowercase, status_derived
from .writer import status_kind

LLM_MIN_CONFIDENCE = 0.8
MAX_CODE_CHARS = 100  # a stored provider error code longer than this is not a code

#: kind_source values: what decided a pattern's kind (README's table is tested against this).
KIND_SOURCES: dict[str, str] = {
    "rollup-llm": "an LLM classification with confidence >= 0.8 (the writer's copy on the rows, or the rollup's)",
    "code:<table>:<value>": "a provider's documented error type, code or exception name (classify/vocabulary.py)",
    "rule:<id>": "a phrase rule of classify/rules.py",
    "writer": "a newer writer's specific stored kind (not what the HTTP status alone gives)",
    "status:<n>": "the HTTP status the parse layer read from the text, else the writer's stored `http_status`",
    "stored": "the writer's status-only stored kind",
    "conflict": "the evidence disagrees (specific evidence among itself, or an outage verdict and a model said to be unavailable): unknown, left to the AI",
    "cache": "this toolkit's cached AI answer (unknown included), honoured for AI_CACHE_DAYS",
    "ai": "the AI, asked in this run",
    "none": "nothing to go on: unknown",
}

#: Kinds only a newer writer stores (the status-only rule never gives them).
WRITER_ONLY = frozenset({"timeout", "budget_exhausted", "hard_capability", "network"})

#: HTTP status -> the family it names when nothing more specific is said.
STATUS_KINDS: dict[int, str] = {
    400: "hard_capability",
    401: "auth",
    402: "billing",
    403: "auth",
    404: "hard_model",
    410: "hard_model",  # Gone: removed for good
    408: "timeout",
    413: "hard_capability",
    429: "rate_limit",
    504: "timeout",
    524: "timeout",
}


#: Statuses (and family kinds) that only guess at the cause: a text known to say nothing
#: ("Provider returned error", "Not Found") leaves them unknown rather than guessed.
AMBIGUOUS_STATUSES = frozenset({400, 403, 404, 422})
GUESSES = frozenset({"hard_model", "hard_capability"})
#: The text speaks of a model (or an Azure deployment, or an older API's engine, or names a
#: Claude model, Anthropic's not_found_error often saying only its id) at all.
_MODEL_WORD = re.compile(r"(?<![a-z0-9_])(?:models?|deployments?|engines?|claude)(?![a-z0-9_])", re.IGNORECASE)
CLIENT_SIDE = frozenset({"network", "timeout"})
#: Verdicts that the failure passes by itself: the provider's side or the network.
TRANSIENT = frozenset({"transient_provider", "network"})
#: What the LiteLLM proxy appends to every error it passes on: the caller's model group, not the
#: provider's words (a 404 it wraps names no model by this).
_PROXY_MODEL_GROUP = re.compile(r"(?:received|available) model group(?: fallbacks)?=[^\n]{0,200}", re.IGNORECASE)


#: A model said to be unavailable, unsupported or unknown: it may be gone for good.
_MODEL_GONE = re.compile(
    r"(?<![a-z0-9_])models?(?![a-z0-9_])[^.\n]{0,80}?(?<![a-z0-9_])(?:is |are |was )?(?:currently |temporarily )?"
    r"(?:not available|unavailable|not supported|invalid|unknown)(?![a-z0-9_])",
    re.IGNORECASE,
)


def _unless_model_gone(decided: Classification, text: str) -> Classification:
    """A family or generic verdict that the provider or the network merely failed is withheld when
    the text also says the model is unavailable or unknown: a retired model must not read as an
    outage that passes (the specific rules that tell them apart have already been tried)."""
    if decided.kind in TRANSIENT and _MODEL_GONE.search(text[:MAX_TEXT_CHARS]):
        return Classification("unknown", 0.0, "conflict")
    return decided


@dataclass(frozen=True)
class LLMVerdict:
    """A classification made by an LLM for this pattern (a rollup's or the writer's copy)."""

    kind: str
    confidence: float


@dataclass(frozen=True)
class Classification:
    kind: str
    confidence: float
    source: str  # one of KIND_SOURCES (with its <...> filled in)


@dataclass(frozen=True)
class Evidence:
    """What the text says, before precedence: the parse, the vocabulary entries, the phrase rules."""

    status: int | None
    entries: tuple[Entry, ...]
    specific_rule: Rule | None
    generic_rule: Rule | None


def _status_kind(status: int | None) -> str | None:
    if status is None:
        return None
    if status in STATUS_KINDS:
        return STATUS_KINDS[status]
    return "transient_provider" if 500 <= status <= 599 else None


def stored_status(value: object) -> int | None:
    """A writer's stored `http_status` when it is an error status (a whole number 400..599, as an
    int or as the double a JavaScript or float-typed writer stores), else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599 else None


def stored_code(value: object) -> str | None:
    """A writer's stored `provider_error_code` when it is a short code, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= MAX_CODE_CHARS and value.isprintable() else None


def gather(
    provider: str,
    message: str,
    normalized_message: str = "",
    *,
    http_status: object = None,
    provider_error_code: object = None,
) -> Evidence:
    """Parse the text and run the vocabularies and phrase rules over it (each bounded). A stored
    status counts when the text shows none; a stored provider code is looked up first (both as
    the writer stored them, of any type: only an error status and a short code are used)."""
    original = " ".join(message[:MAX_TEXT_CHARS].split())
    normalized = normalized_message[:MAX_TEXT_CHARS]
    parsed = parse(message[:MAX_TEXT_CHARS] if message else normalized)
    code = stored_code(provider_error_code)
    values = ((code,) if code else ()) + parsed.codes + parsed.names
    if not message:
        values += names_in_lowercase(normalized)
    entries = tuple(lookup(provider, values))
    # The original when there is one (the normalized copy is the same text lower-cased), and the
    # parsed inner messages when decoding changed them (escaped JSON inside a string).
    main = (original or normalized).lower()
    inner = " ".join(" ".join(parsed.messages).split())[:MAX_TEXT_CHARS].lower()
    texts: tuple[str, ...] = (main, inner) if inner and inner not in main else (main,)
    if "%20" in main:  # a message percent-encoded on its way (xAI's `Incorrect%20API%20key`)
        texts += (unquote(main),)
    specific = generic = None
    for rule in RULES:
        if (rule.generic and generic is not None) or (not rule.generic and specific is not None):
            continue
        if rule.matches(provider or "", texts):
            if rule.generic:
                generic = rule
            else:
                specific = rule
        if specific is not None and generic is not None:
            break
    status = parsed.status if parsed.status is not None else stored_status(http_status)
    return Evidence(status, entries, specific, generic)


def classify(
    *,
    provider: str,
    message: str,
    normalized_message: str = "",
    stored_kind: str | None = None,
    llm: LLMVerdict | None = None,
    http_status: object = None,
    provider_error_code: object = None,
) -> Classification:
    """The kind of one pattern. `message` is the original text (may be empty), `normalized_message`
    the writer's lower-cased copy; both are read. `http_status` and `provider_error_code` are the
    writer's stored fields (any type; only an error status and a short code are used)."""
    if llm is not None and clean_kind(llm.kind) != "unknown" and llm.confidence >= LLM_MIN_CONFIDENCE:
        return Classification(clean_kind(llm.kind), llm.confidence, "rollup-llm")
    evidence = gather(
        provider or "",
        message or "",
        normalized_message or "",
        http_status=http_status,
        provider_error_code=provider_error_code,
    )
    stored = clean_kind(stored_kind)
    text = (message or normalized_message or "")[:MAX_TEXT_CHARS]
    # A stored kind that no status in the text explains comes from a newer writer that knew more.
    explained = {status_kind(text), _status_kind(evidence.status)}
    writer_specific = stored != "unknown" and (stored in WRITER_ONLY or stored not in explained)

    # 2. Specific evidence.
    specific: list[Classification] = [
        Classification(e.kind, 0.95, f"code:{e.vocabulary}:{e.value}") for e in evidence.entries if e.decisive
    ]
    rule = evidence.specific_rule
    if rule is not None:
        specific.append(Classification(rule.kind, rule.confidence, f"rule:{rule.id}"))
    if writer_specific:
        specific.append(Classification(stored, 0.6, "writer"))
    if specific:
        if len({c.kind for c in specific}) == 1:
            return specific[0]
        return Classification("unknown", 0.0, "conflict")

    # 3. The family: a family code, else the status. A client-side failure (network, timeout)
    # wrapped in a proxy's 5xx is the client-side failure. A text known to say nothing leaves
    # only the families that do not guess at the model or the request (not 400, 403, 404, 422).
    generic = evidence.generic_rule
    says_nothing = generic is not None and generic.kind == "unknown"
    family_entries = [
        e
        for e in evidence.entries
        if not e.decisive and e.kind != "unknown" and not (says_nothing and e.kind in GUESSES)
    ]
    family = [Classification(e.kind, 0.7, f"code:{e.vocabulary}:{e.value}") for e in family_entries]
    from_status = _status_kind(evidence.status)
    if from_status is not None and not (says_nothing and evidence.status in AMBIGUOUS_STATUSES):
        # An SDK's exception class is derived from the status (InternalServerError for any 5xx):
        # the status itself, when the text shows it, is at least as specific.
        sdk_first = bool(family_entries) and status_derived(family_entries[0])
        family.insert(0 if sdk_first else len(family), Classification(from_status, 0.6, f"status:{evidence.status}"))
    if family and family[0].kind == "hard_model" and not _MODEL_WORD.search(_PROXY_MODEL_GROUP.sub(" ", text)):
        # A 404 (or NotFound) that names no model says a path was wrong, not which model is gone.
        return Classification("unknown", 0.3, family[0].source)
    if family and family[0].kind in TRANSIENT and any(c.kind == "hard_model" for c in family[1:]):
        # One family says the provider failed, another that the model was not found: abstain.
        return Classification("unknown", 0.0, "conflict")
    if family:
        if generic is not None and generic.kind in CLIENT_SIDE and family[0].kind == "transient_provider":
            return _unless_model_gone(Classification(generic.kind, generic.confidence, f"rule:{generic.id}"), text)
        return _unless_model_gone(family[0], text)

    # 4. A generic phrase; one of kind unknown lets the stored kind through.
    if generic is not None and generic.kind != "unknown":
        return _unless_model_gone(Classification(generic.kind, generic.confidence, f"rule:{generic.id}"), text)
    if stored != "unknown" and not (says_nothing and stored in GUESSES):
        return Classification(stored, 0.5, "stored")
    if generic is not None:
        return Classification("unknown", generic.confidence, f"rule:{generic.id}")
    return Classification("unknown", 0.0, "none")


__all__ = [
    "KIND_SOURCES",
    "LLM_MIN_CONFIDENCE",
    "Classification",
    "Evidence",
    "LLMVerdict",
    "classify",
    "gather",
    "stored_code",
    "stored_status",
]
