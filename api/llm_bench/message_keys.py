"""Keys of error patterns that never show the error's text.

An error pattern is keyed by the writer's `fingerprint` (16 hex digits of a hash). Documents
from writers that stamp no fingerprint are grouped by their message instead, and a message may
carry a key, a password or a signed URL: such a pattern is keyed by `message_key`, a hash of
the message reduced to its `template` (lower-cased, secrets redacted, numbers, durations, ids,
times and keys replaced by placeholders), so the key shows nothing of the text, and messages
that differ only in those parts (the same 429 with another retry time) share one key.

`template` is also what merges new patterns in the report: it is computed on the whole text,
never on a sample cut to some length, so merging never depends on how long a message is.
"""

from __future__ import annotations

import hashlib
import re

from .untrusted import REDACTED, redact

#: Keys made here start with this; a writer's fingerprint (hex digits) never does.
MESSAGE_KEY_PREFIX = "msg-"
#: What a writer's fingerprint may look like to be shown as it is.
_PLAIN_KEY = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")

# Order matters: whole timestamps and structured ids before bare numbers. Each pattern is linear
# (no nested quantifiers; the lookaheads scan one run of letters and digits at most once per start).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(re.escape(REDACTED)), "<key>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<id>"),
    (re.compile(r"\b(?:req|request|org|msg|chatcmpl|run|call|resp|trace|user|sess)[_-][A-Za-z0-9_-]{6,}"), "<id>"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "<id>"),
    (re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}\b"), "<id>"),
    (re.compile(r"\b(?:\d+(?:\.\d+)?(?:ms|h|m|s)){2,4}\b"), "<n>"),  # 1m2.5s, 2h30m
    (re.compile(r"\d+(?:[.,]\d+)*(?:ms|s|m|h)?\b"), "<n>"),
)

#: Text beyond this is not part of a template (the pattern rows carry at most 1,000 characters).
TEMPLATE_CHARS = 2_000


def template(message: str) -> str:
    """The message with its variable parts replaced and whitespace folded (secrets as <key>)."""
    text = redact(message[:TEMPLATE_CHARS])
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def message_key(provider: str, model: str, message: str) -> str:
    """`msg-` and 16 hex digits of SHA-256 over provider, model and the message's template."""
    shape = template(message.lower())
    digest = hashlib.sha256("\x1f".join((provider, model, shape)).encode("utf-8"))
    return MESSAGE_KEY_PREFIX + digest.hexdigest()[:16]


def shown_key(fingerprint: object, provider: str, model: str) -> str:
    """The key a writer-fingerprinted pattern is shown, cached and recorded under: the
    fingerprint when it is plain (letters, digits, - and _, at most 64, nothing to redact), else
    `message_key` of the odd fingerprint itself."""
    if isinstance(fingerprint, str) and _PLAIN_KEY.match(fingerprint) and redact(fingerprint) == fingerprint:
        return fingerprint
    return message_key(provider, model, str(fingerprint))


def is_message_key(key: str) -> bool:
    return key.startswith(MESSAGE_KEY_PREFIX)
