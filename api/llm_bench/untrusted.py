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
from dataclasses import dataclass

REDACTED = "[REDACTED]"


@dataclass(frozen=True)
class SecretShape:
    """One kind of credential: how to find it, what replaces it, and a fake example of it."""

    name: str
    pattern: re.Pattern[str]
    replacement: str
    example: str


def _shape(name: str, pattern: str, example: str, replacement: str = REDACTED) -> SecretShape:
    # Case-insensitive throughout: the benchmark stores `normalized_message` lower-cased.
    return SecretShape(name, re.compile(pattern, re.IGNORECASE), replacement, example)


# A key may follow `_` (`token_sk-...`), so keys start after anything but a letter or digit.
_START = r"(?<![a-z0-9])"
_FAKE = "A1b2C3d4E5f6G7h8"  # examples are built from this, so no real-looking key sits in the source

#: Every credential shape, in order: specific key shapes first, then the generic forms.
#: Each example must come out redacted, as written and lower-cased (tests/test_untrusted.py).
SECRET_SHAPES: tuple[SecretShape, ...] = (
    _shape(
        "url userinfo password",
        r"\b([a-z][a-z0-9+.\-]*://[^\s/@:]*:)[^\s/@]+(@)",
        "mongodb+srv://bench:" + _FAKE + "@cluster0.example.test/",
        rf"\1{REDACTED}\2",
    ),
    _shape(
        "OpenAI, Anthropic, OpenRouter key",
        _START + r"sk-(?:ant-|proj-|or-v1-|or-|svcacct-|admin-)?[a-z0-9_*\-]{6,}",
        "sk-proj-" + _FAKE,
    ),
    _shape(
        "prefixed provider key",
        _START + r"(?:gsk|xai|fw|csk|pplx|hf|ghp|gho|github_pat)[_-](?=[a-z_]*[0-9])[a-z0-9_]{12,}",
        "csk-" + _FAKE.lower() + _FAKE,
    ),
    _shape("Google API key", _START + r"aiza[0-9a-z_\-]{20,}", "AIzaSy" + _FAKE + _FAKE),
    _shape("Google OAuth token", _START + r"ya29\.[0-9a-z_\-]{20,}", "ya29.a0" + _FAKE + _FAKE),
    _shape("AWS access key id", _START + r"(?:akia|asia)[0-9a-z]{16}\b", "AKIA" + _FAKE.upper()),
    _shape(
        "JWT",
        _START + r"eyj[a-z0-9_\-]{8,}\.[a-z0-9_\-]{8,}\.[a-z0-9_\-]{8,}",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ" + _FAKE + "." + _FAKE,
    ),
    _shape(
        "key in an error message",
        r"(key provided:\s*<?)([^\s<>]+?)(?=[>.]?(?:\s|$))",
        "Incorrect API key provided: gs***tF.",
        rf"\1{REDACTED}",
    ),
    _shape(
        "URL-encoded authorization",
        r"(?<![a-z])((?:authorization%3a(?:%20|\+)*)?(?:bearer|basic)(?:%20|\+)+)[a-z0-9._~/=\-*%]{8,}",
        "url?h=Authorization%3A%20Bearer%20" + _FAKE,
        rf"\1{REDACTED}",
    ),
    _shape("bearer token", r"\b(bearer\s+)[a-z0-9._~+/=\-*]{8,}", "Authorization: Bearer " + _FAKE, rf"\1{REDACTED}"),
    _shape(
        "basic credentials",
        r"\b(basic\s+)(?=[a-z]*[0-9+/=])[a-z0-9+/=]{8,}",
        "Basic YWRtaW46" + _FAKE,
        rf"\1{REDACTED}",
    ),
    _shape(
        "key=value",
        r"\b((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|key|secret|password|x-api-key|"
        r"x-goog-api-key|authorization|aws_secret_access_key|aws_session_token)[\"']?\s*[=:]\s*[\"']?)"
        r"(?!bearer\b|basic\b)[^\s&\"',;}{\[\]]{6,}",
        "https://example.test/v1/models?key=" + _FAKE + "&alt=sse",
        rf"\1{REDACTED}",
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
    for shape in SECRET_SHAPES:
        text = shape.pattern.sub(shape.replacement, text)
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
