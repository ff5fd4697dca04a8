"""Everything that handles text from outside: provider error messages, catalog names, AI answers.

Such text may carry API keys, terminal escape sequences, invisible characters or instructions
aimed at a language model. These helpers make it safe to print, mail, log and quote:
`redact` removes secrets, `clean` removes control and invisible characters, `safe_text` does
both and bounds the length, and `is_identifier` is the strict allow-list for anything that is
placed inside a shell or database command.
"""

from __future__ import annotations

import re
import unicodedata

REDACTED = "[REDACTED]"

# Order matters: the specific key shapes first, then generic "key=value" and bearer forms.
_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bsk-(?:ant-|proj-|or-v1-|or-|svcacct-|admin-)?[A-Za-z0-9_*\-]{6,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\b(?:gsk|xai|fw|csk|pplx|hf|ghp|gho|github_pat)_[A-Za-z0-9_]{12,}"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),  # JWTs
    re.compile(r"(?i)(key provided:\s*<?)([^\s<>]+?)(?=[>.]?(?:\s|$))"),
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-*]{8,}"),
    re.compile(
        r"(?i)\b((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|key|secret|password|"
        r"x-api-key|x-goog-api-key|authorization|aws_secret_access_key|aws_session_token)"
        r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;}{\[\]]{6,})"
    ),
)

# ESC-introduced sequences (CSI, OSC, and two-byte escapes) are removed whole, not just the ESC.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)

# \A and \Z, not ^ and $: "$" also matches before a final newline.
_IDENTIFIER = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,199}\Z")


def redact(text: str) -> str:
    """Replace anything that looks like a credential with [REDACTED]."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 2:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        elif pattern.groups == 1:
            text = pattern.sub(lambda m: m.group(1) + " " + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """Drop terminal escapes, control characters and invisible format characters.

    Tabs and (optionally) newlines survive; every other C0/C1 control, zero-width and bidi
    control character is removed, and runs of whitespace collapse when newlines are dropped.
    """
    text = _ANSI.sub("", text)
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
            continue
        if ch in "\t\r\n":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            continue
        out.append(ch)
    result = "".join(out)
    if not keep_newlines:
        result = re.sub(r"[ \t]{2,}", " ", result)
    return result.strip()


def safe_text(value: object, limit: int = 500, *, keep_newlines: bool = False) -> str:
    """Outside text made fit to show: stringified, cleaned, redacted and cut to `limit` chars."""
    text = redact(clean("" if value is None else str(value), keep_newlines=keep_newlines))
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


def is_identifier(value: object) -> bool:
    """True for a plain model/provider identifier: ASCII letters, digits and . _ : / @ + -."""
    return isinstance(value, str) and bool(_IDENTIFIER.match(value))


def comment_text(value: object, limit: int = 300) -> str:
    """Text for a `#` comment line next to a shell command: one line, no quotes or backslashes."""
    text = safe_text(value, limit)
    return re.sub(r"[\"'`\\$]", "", text)
