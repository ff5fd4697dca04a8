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

# Labelled credentials (`label=value` and its relatives). A label is matched as a whole key: it
# starts after anything but a letter or digit (so `refresh_token`, `client_secret`,
# `X-Amz-Signature` and `"api_key"` count, `monkey` does not) or right after a %-escape
# (`%22api_key%22`), and its value follows in any quoting and encoding: `=`, `: `, `": "`,
# `\": \"` (JSON inside a JSON string), `%3D`, `%22%3A%20%22`, `%253D` (URL-encoded twice).
_KEY_START = r"(?:(?<![a-z0-9])|(?<=%[0-9a-f][0-9a-f]))"
_QUOTE = r"(?:[\"'`\\]|%(?:25)?(?:22|27|5c))"
_BLANK = r"(?:[ \t+]|%(?:25)?20)"
_ASSIGN = rf"{_QUOTE}{{0,6}}[ \t]{{0,4}}(?:[=:]|%(?:25)?3[ad]){_BLANK}{{0,4}}{_QUOTE}{{0,6}}"
_VALUE = r"[^\s&\"'`,;<>{}\[\]\\]"
_NOT_ONLY_DIGITS = rf"(?![0-9]++(?!{_VALUE}))"  # `max_token: 8192` is a count, not a token
_AUTH_SCHEMES = r"(?:bearer|basic|token|api-?key|key|digest|dsn|hmac|negotiate|ntlm|oauth|sso-key|aws4-hmac-sha256)"


def _labelled(name: str, labels: str, example: str, value: str) -> SecretShape:
    """A labelled credential: the label and its `=`/`:` are kept, the value is redacted."""
    return _shape(name, rf"({_KEY_START}(?:{labels}){_ASSIGN})(?!{_BLANK}|{_QUOTE}){value}", example, rf"\1{REDACTED}")


# Linear time on any input (tests/test_untrusted.py checks each row on adversarial runs): every
# row starts at a literal or at the start of a run, repetitions that must be followed by
# something are bounded or possessive, and open-ended runs come last in a row.
#: Every credential shape, in order: specific key shapes first, then the labelled forms.
#: Each example must come out redacted, as written and lower-cased (tests/test_untrusted.py).
SECRET_SHAPES: tuple[SecretShape, ...] = (
    _shape(
        "PEM private key",
        # Up to the END line, or up to a quote or a `-----` when the key was cut; inside a JSON
        # string its line breaks are the two characters `\n`.
        r"-----begin[a-z ]{0,40}private key(?: block)?-----(?:[^-\"'<>]|-(?!----))*+"
        r"(?:-----end[a-z ]{0,40}private key(?: block)?-----)?",
        '{"private_key": "-----BEGIN RSA PRIVATE KEY-----\\nMIIE'
        + _FAKE
        + "\\n"
        + _FAKE
        + '\\n-----END RSA PRIVATE KEY-----\\n"}',
    ),
    _shape(
        "URL userinfo password",
        # The password may hold `:` and `/` (unescaped); `host:8080/path@x` is a port, not one.
        r"(?<![a-z0-9+.\-])([a-z0-9+.\-]{1,64}+://[^\s/@:]{0,256}+:)(?![0-9]{1,5}+(?:[/?#]|$))[^\s@]{1,256}+(@)",
        "mongodb+srv://bench:" + _FAKE + "/x@cluster0.example.test/",
        rf"\1{REDACTED}\2",
    ),
    _shape(
        "prefixed provider key",
        _START + r"(?:gsk|xai|fw|csk|pplx|hf|ghp|gho|ghu|ghs|ghr|github_pat)[_-](?=[a-z_]{0,40}+[0-9])[a-z0-9_]{12,}",
        "csk-" + _FAKE.lower() + _FAKE,
    ),
    _shape(
        "OpenAI, Anthropic, OpenRouter key",
        # The long project, admin and service-account forms are caught even glued to a word.
        r"sk-(?:proj|ant|or-v1|svcacct|admin)-[a-z0-9_*\-]{16,}|sk-[a-z0-9]{32,}"
        + r"|"
        + _START
        + r"sk-(?:ant-|proj-|or-v1-|or-|svcacct-|admin-)?[a-z0-9_*\-]{6,}",
        "tokensk-proj-" + _FAKE + _FAKE,
    ),
    _shape("Slack token", r"xox[abposre]-[0-9a-z\-]{10,}|xapp-[0-9a-z\-]{10,}", "xoxb-1234567890-" + _FAKE),
    _shape("Google API key", _START + r"aiza[0-9a-z_\-]{20,}", "AIzaSy" + _FAKE + _FAKE),
    _shape("Google OAuth token", _START + r"ya29\.[0-9a-z_\-]{20,}", "ya29.a0" + _FAKE + _FAKE),
    _shape("AWS access key id", _START + r"(?:akia|asia)[0-9a-z]{16}\b", "AKIA" + _FAKE.upper()),
    _shape(
        "JWT",
        # Starts only where a run of token characters starts, so `eyj-eyj-…` is read once.
        r"(?<![a-z0-9_\-])eyj[a-z0-9_\-]{8,}+\.[a-z0-9_\-]{8,}+\.[a-z0-9_\-]{8,}",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ" + _FAKE + "." + _FAKE,
    ),
    _shape(
        "key in an error message",
        r"(key provided:[ \t]{0,4}<?)([^\s<>]{1,200}?)(?=[>.]?(?:\s|$))",
        "Incorrect API key provided: gs***tF.",
        rf"\1{REDACTED}",
    ),
    _labelled(
        "Authorization header",
        # The scheme word goes with the credential: `Token …`, `ApiKey …` and unknown schemes alike.
        r"(?:proxy-)?authorization",
        "Authorization: Token " + _FAKE,
        rf"(?:{_AUTH_SCHEMES}{_BLANK}{{1,4}}{_VALUE}+|{_VALUE}{{6,}})",
    ),
    _shape(
        "bearer token",
        _START + rf"(bearer{_BLANK}{{1,4}})[a-z0-9._~+/=\-*|%]{{8,}}",
        "curl -H 'Bearer 12|" + _FAKE + "'",
        rf"\1{REDACTED}",
    ),
    _shape(
        "basic credentials",
        _START + rf"(basic{_BLANK}{{1,4}})(?=[a-z]{{0,64}}+[0-9+/=])[a-z0-9+/=]{{8,}}",
        "Basic YWRtaW46" + _FAKE,
        rf"\1{REDACTED}",
    ),
    _labelled(
        "password",
        r"pass(?:word|wd|phrase)|pwd",
        "DSN host=db.example.test user=bench pwd=" + _FAKE,
        rf"{_VALUE}+",  # even a short one
    ),
    _labelled(
        "secret, token, key or signature",
        r"(?:api|access|secret|private|client|auth|refresh|session|id|app)?(?:key|token|secret)|auth|signature|sig",
        "https://acct.blob.example.test/c/b?sv=2024-05-04&sr=b&sig=" + _FAKE + "%3D",
        rf"{_NOT_ONLY_DIGITS}{_VALUE}{{6,}}",
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


#: Characters kept beyond twice the limit before cleaning and redacting: a secret that starts
#: before the limit is still whole enough there to be recognised, whatever follows it.
CUT_MARGIN = 256


def safe_text(value: object, limit: int = 500, *, keep_newlines: bool = False) -> str:
    """Outside text made fit to show: stringified, cut, cleaned, redacted and cut to `limit` chars.

    The first cut comes before any pattern runs, so the cost is bounded by `limit`, not by the
    size of what arrived (a 300 KB registry field costs what a 1 KB one does).
    """
    text = "" if value is None else str(value)
    window = 2 * max(limit, 0) + CUT_MARGIN
    was_cut = len(text) > window
    text = redact(clean(text[:window], keep_newlines=keep_newlines))
    if was_cut or len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


def is_identifier(value: object) -> bool:
    """True for a plain model/provider identifier: ASCII letters, digits and . _ : / @ + -."""
    return isinstance(value, str) and bool(_IDENTIFIER.match(value))


def comment_text(value: object, limit: int = 300) -> str:
    """Text for a `#` comment line next to a shell command: one line, no shell quote or backslash.

    Apostrophes and double quotes stay as text, as their typographic forms (‘ ’ “ ”: an opening
    one after a space or a bracket), which no shell reads as quotes (zsh without
    `interactivecomments` parses a `#` line as a command); backticks, `$` and backslashes are
    removed."""
    text = _OPENING_QUOTE.sub(lambda m: "\u2018" if m.group() == "'" else "\u201c", safe_text(value, limit))
    text = text.replace("'", "\u2019").replace('"', "\u201d")
    return re.sub(r"[`\\$]", "", text)


#: A quote at the start or after a space or an opening bracket opens; any other closes.
_OPENING_QUOTE = re.compile(r"(?:^|(?<=[\s(\[{]))['\"]")
