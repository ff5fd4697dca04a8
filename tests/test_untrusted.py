"""Untrusted-text helpers: secrets redacted, real error text left alone, invisible and control
characters removed, length bounded, and a strict allow-list for identifiers."""

from __future__ import annotations

import time

import pytest

from api.llm_bench.untrusted import REDACTED, SECRET_SHAPES, clean, comment_text, is_identifier, redact, safe_text

# Fake credentials in the shapes providers issue; built by concatenation so no literal key sits here.
OPENAI_KEY = "sk-" + "T3stKey" * 6
OPENAI_PROJECT_KEY = "sk-proj-" + "Ab3_dE-f9" * 8
ANTHROPIC_KEY = "sk-ant-api03-" + "xY7-zW_q" * 10 + "AA"
OPENROUTER_KEY = "sk-or-v1-" + "0a1b2c3d" * 8
GOOGLE_KEY = "AIza" + "Sy" + "B9c8D7e6F5g4H3i2J1k0L_m-NoPqRs"
AWS_ACCESS_KEY = "AKIA" + "IOSFODNN7EXAMPL0"
OPAQUE_TOKEN = "q8Zr2LmN4vX0pT6wY1bC"
CEREBRAS_KEY = "csk-" + "4f9x2kq8w7" * 5
XAI_KEY = "xai-" + "Q7wErT9yUi" * 8
PERPLEXITY_KEY = "pplx-" + "a1B2c3D4e5" * 5
GOOGLE_OAUTH = "ya29." + "a0AfH6SMB" + "x9Y_8z-7" * 6
JWT = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Incorrect API key: {OPENAI_KEY}.", OPENAI_KEY),
        (f"project key {OPENAI_PROJECT_KEY} was revoked", OPENAI_PROJECT_KEY),
        (f"x-api-key header carried {ANTHROPIC_KEY}", ANTHROPIC_KEY),
        (f"OpenRouter rejected {OPENROUTER_KEY} (401)", OPENROUTER_KEY),
        (f"Gemini key {GOOGLE_KEY} is not valid", GOOGLE_KEY),
        (f"InvalidClientTokenId for {AWS_ACCESS_KEY} in us-east-1", AWS_ACCESS_KEY),
        (f"Authorization: Bearer {OPAQUE_TOKEN}", OPAQUE_TOKEN),
        (f"sent 'bearer {OPAQUE_TOKEN}' upstream", OPAQUE_TOKEN),
        (f"Authorization: Bearer {OPENAI_PROJECT_KEY}", OPENAI_PROJECT_KEY),
        (
            f"https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key={GOOGLE_KEY}",
            GOOGLE_KEY,
        ),
        (f"https://example.test/v1/models?key={OPAQUE_TOKEN}&alt=sse", OPAQUE_TOKEN),
        (f"GET https://api.example.test/v1/chat?api_key={OPAQUE_TOKEN} failed", OPAQUE_TOKEN),
        (f"https://api.example.test/stream?alt=sse&apikey={OPAQUE_TOKEN}", OPAQUE_TOKEN),
        (f'{{"api_key": "{OPAQUE_TOKEN}"}}', OPAQUE_TOKEN),
    ],
    ids=[
        "sk",
        "sk-proj",
        "sk-ant",
        "sk-or-v1",
        "AIza",
        "AKIA",
        "bearer-header",
        "bearer-lowercase",
        "bearer-sk",
        "url-key-AIza",
        "url-key",
        "url-api_key",
        "url-apikey",
        "json-api_key",
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert REDACTED in out


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=[shape.name for shape in SECRET_SHAPES])
def test_every_shape_redacts_its_example_as_written_and_lower_cased(shape) -> None:
    for example in (shape.example, shape.example.lower()):
        out = redact(f"before {example} after")
        assert REDACTED in out, (shape.name, example)
        assert out.startswith("before ") and out.endswith(" after")
        assert shape.pattern.search(example), "the example must be caught by its own row"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Cerebras rejected {CEREBRAS_KEY}", CEREBRAS_KEY),
        (f"xAI: invalid key {XAI_KEY}", XAI_KEY),
        (f"perplexity 401 for {PERPLEXITY_KEY}", PERPLEXITY_KEY),
        (f"pplx_{PERPLEXITY_KEY[5:]} rejected", PERPLEXITY_KEY[5:]),
        ("MongoServerError at mongodb+srv://bench:s3cr%40t-pw@cluster0.example.test/llm", "s3cr%40t-pw"),
        ("redis://default:hunter2hunter2@cache.example.test:6379/0 refused", "hunter2hunter2"),
        ("proxy https://ops:p4ss:word@proxy.example.test:3128 failed", "p4ss:word"),
        ("postgresql://u:Pw.123456@db.example.test/x", "Pw.123456"),
        (f"Vertex: token {GOOGLE_OAUTH} expired", GOOGLE_OAUTH),
        (f"GET /v1?headers=Authorization%3A%20Bearer%20{OPAQUE_TOKEN}&x=1", OPAQUE_TOKEN),
        (f"sent token_{OPENAI_PROJECT_KEY} upstream", OPENAI_PROJECT_KEY),
        (f"cfg.api_{GOOGLE_KEY}", GOOGLE_KEY),
        (f"Basic YWRtaW46{OPAQUE_TOKEN}", OPAQUE_TOKEN),
        (f"jwt {JWT}", JWT),
    ],
    ids=[
        "csk-",
        "xai-",
        "pplx-",
        "pplx_",
        "mongodb+srv-userinfo",
        "redis-userinfo",
        "https-userinfo",
        "postgres-userinfo",
        "ya29",
        "url-encoded-bearer",
        "glued-after-underscore",
        "AIza-glued",
        "basic",
        "jwt",
    ],
)
def test_more_secret_shapes_are_redacted_as_written_and_lower_cased(text: str, secret: str) -> None:
    for variant, hidden in ((text, secret), (text.lower(), secret.lower())):
        out = redact(variant)
        assert hidden not in out
        assert REDACTED in out


@pytest.mark.parametrize(
    "secret",
    [
        OPENAI_KEY,
        ANTHROPIC_KEY,
        OPENROUTER_KEY,
        GOOGLE_KEY,
        AWS_ACCESS_KEY,
        JWT,
        CEREBRAS_KEY,
        XAI_KEY,
        PERPLEXITY_KEY,
        GOOGLE_OAUTH,
    ],
)
def test_lower_cased_keys_are_redacted_whole(secret: str) -> None:
    # The writer lower-cases normalized_message: akia..., aiza..., eyj... must still be caught.
    assert redact(f"normalized: {secret.lower()} end") == f"normalized: {REDACTED} end"


def test_userinfo_redaction_keeps_user_and_host() -> None:
    out = redact("cannot reach mongodb://bench:pw123456@db.example.test:27017/?authSource=admin")
    assert out == f"cannot reach mongodb://bench:{REDACTED}@db.example.test:27017/?authSource=admin"


def test_redaction_keeps_the_surrounding_words() -> None:
    assert redact(f"Gemini key {GOOGLE_KEY} is not valid") == f"Gemini key {REDACTED} is not valid"
    assert redact(f"rejected {OPENROUTER_KEY} (401)") == f"rejected {REDACTED} (401)"


def test_no_fragment_of_a_key_survives() -> None:
    for key in (OPENAI_KEY, OPENAI_PROJECT_KEY, ANTHROPIC_KEY, OPENROUTER_KEY, GOOGLE_KEY, AWS_ACCESS_KEY):
        out = redact(f"before {key} after")
        assert out == f"before {REDACTED} after", key


def test_url_redaction_keeps_the_rest_of_the_url() -> None:
    out = redact(f"POST https://example.test/v1/models?key={OPAQUE_TOKEN}&alt=sse: 400 Bad Request")
    assert out == f"POST https://example.test/v1/models?key={REDACTED}&alt=sse: 400 Bad Request"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        # Real provider messages: OpenAI masks the middle of the key, xAI nearly all of it.
        (
            '{"error":{"message":"Incorrect API key provided: sk-VKMIs***************************************wjh3. '
            'You can find your API key at https://platform.openai.com/account/api-keys."}}',
            "VKMIs",
        ),
        ("401 key sk-VKMIs****wjh3 rejected", "VKMIs"),
        ('400 "Incorrect API key provided: gs***tF. You can obtain an API key from https://console.x.ai."', "gs***tF"),
        (
            "openai.error.AuthenticationError: Incorrect API key provided: <sk-PkKJ*****************************************SGb>. "
            "You can find your API key at https://platform.openai.com/account/api-keys.",
            "PkKJ",
        ),
    ],
)
def test_masked_keys_are_redacted(text: str, leak: str) -> None:
    out = redact(text)
    assert leak not in out
    assert REDACTED in out
    assert text.split()[-1] == out.split()[-1]  # the words after the key survive


def test_masked_xai_key_keeps_the_sentence() -> None:
    out = redact('400 "Incorrect API key provided: gs***tF. You can obtain an API key from https://console.x.ai."')
    assert out == f'400 "Incorrect API key provided: {REDACTED}. You can obtain an API key from https://console.x.ai."'


# Real provider error messages without any secret (from the project's provider-errors sample).
# Redaction must leave them exactly as they are: request ids, org ids, model names, token counts.
ORDINARY_ERRORS = [
    'API validation failed: {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},'
    '"request_id":"req_011CYhr1kdGzCrPHfrhibMen"}',
    'HTTP 400 Bad Request from https://api.anthropic.com/v1/messages {"type":"error","error":{"type":'
    '"invalid_request_error","message":"max_tokens: 8192 > 4096, which is the maximum allowed number of output tokens '
    'for claude-3-haiku-20240307"}}',
    "Error code: 400 - {'message': 'Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand "
    "throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this "
    "model.'}",
    "Invalid Gemini API key: [GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/"
    "v1/models/gemini-2.0-flash:generateContent: [400 Bad Request] API key not valid. Please pass a valid API key. "
    '[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com",'
    '"metadata":{"service":"generativelanguage.googleapis.com"}}]',
    'LLM error: HTTP 401: {"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}',
    "429 Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01kjh7p9n8f1qs6nz2bz77vy6b` "
    "service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 97050, Requested 3619. Please try again in "
    "9m38.016s. Need more tokens%3F Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
    "429 Rate limit reached for gpt-4o in organization org-uOtiSEwvUnroadaOnJJquBEC on tokens per min (TPM): "
    "Limit 30000, Used 29937, Requested 385. Please try again in 644ms.",
    'ValueError: Together received an invalid payload: { "error": { "message": "Invalid API key provided. You can find '
    'your API key at https://api.together.xyz/settings/api-keys.", "type": "invalid_request_error", "param": null, '
    '"code": "invalid_api_key" } }',
    "details = \"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/"
    "genai-playground-397314/locations/us-central1/publishers/google/models/chat-bison@001' (or it may not exist).\"",
    "Failed after 3 attempts. Last error: This request would exceed the rate limit for your organization "
    "(a22cf6e6-a940-4fff-8c4c-1580816ac7be) of 1,000,000 input tokens per minute. For details, refer to: "
    "https://docs.anthropic.com/en/api/rate-limits.",
    "HTTP error: { error:\n   { message:\n      \"Unsupported parameter: 'max_tokens' is not supported with this model. "
    "Use 'max_completion_tokens' instead.\",\n     code: 'invalid_request_body' } }",
]


@pytest.mark.parametrize("message", ORDINARY_ERRORS)
def test_ordinary_error_text_is_not_mangled(message: str) -> None:
    assert redact(message) == message
    assert redact(message.lower()) == message.lower()
    assert safe_text(message, 10_000, keep_newlines=True) == message


@pytest.mark.parametrize(
    "text",
    [
        "claude-3-5-sonnet-20241022",
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "gpt-4o-mini",
        "llama-3.3-70b",
        "llama-3.3-70b-versatile",
        "x-ai/grok-2-1212",
        "xai-grok-2-1212",
        "hf-internal-testing",
        "sk-learn",
        "req_011CYhr1kdGzCrPHfrhibMen",
        "request_id: req_011CYhr1kdGzCrPHfrhibMen",
        "a22cf6e6-a940-4fff-8c4c-1580816ac7be",
        "org_01kjh7p9n8f1qs6nz2bz77vy6b",
        "org-uOtiSEwvUnroadaOnJJquBEC",
        "Basic authentication failed",
        "missing Bearer token",
        "https://api.example.test:8443/v1/models",
        "mongodb://db.example.test:27017/llm-bench",
        "asia-northeast1-aiplatform.googleapis.com",
    ],
)
def test_ordinary_text_is_untouched_as_written_and_lower_cased(text: str) -> None:
    assert redact(text) == text
    assert redact(text.lower()) == text.lower()


def test_ordinary_words_near_key_names_survive() -> None:
    for text in ("max_tokens: 8192", "token: short", "the key is missing", "task-runner failed", "risk-adjusted"):
        assert redact(text) == text


def test_ansi_csi_sequences_are_removed_whole() -> None:
    assert clean("\x1b[31mred\x1b[0m and \x1b[1;4mbold\x1b[m") == "red and bold"
    assert clean("up\x1b[2Aclear\x1b[2J\x1b[H") == "upclear"


def test_osc_sequences_are_removed_with_their_payload() -> None:
    hyperlink = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"
    assert clean(f"see {hyperlink} here") == "see click here"
    assert clean("a\x1b]0;new window title\x1b\\b") == "ab"


def test_eight_bit_csi_and_two_byte_escapes_are_removed() -> None:
    assert clean("x\x9b31my") == "xy"
    assert clean("a\x1bMb\x1bDc") == "abc"


def test_c0_and_c1_controls_are_removed() -> None:
    c0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    c1 = "".join(chr(c) for c in range(0x7F, 0xA0) if c != 0x9B)
    assert clean(f"a{c0}b{c1}c") == "abc"


@pytest.mark.parametrize(
    "char",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
    ],
)
def test_zero_width_and_bidi_characters_are_removed(char: str) -> None:
    assert clean(f"gpt{char}-4o") == "gpt-4o"


def test_invisible_characters_cannot_hide_a_key_from_redaction() -> None:
    hidden = OPENAI_KEY[:5] + "\u200b" + OPENAI_KEY[5:]
    out = safe_text(f"key was {hidden}")
    assert OPENAI_KEY not in out
    assert OPENAI_KEY[5:] not in out
    assert out == f"key was {REDACTED}"


def test_ordinary_unicode_is_kept() -> None:
    assert clean("Überlastet — try again ✓ 模型") == "Überlastet — try again ✓ 模型"


def test_newlines_become_spaces_by_default() -> None:
    assert clean("line one\nline two\r\nline three") == "line one line two line three"
    assert clean("a\u2028b\u2029c") == "abc"
    assert clean("tab\tseparated") == "tab separated"
    assert clean("  lots   of \n\n space  ") == "lots of space"


def test_newlines_are_kept_with_keep_newlines() -> None:
    assert clean("line one\nline two", keep_newlines=True) == "line one\nline two"
    assert clean("a\x1b[31m\nb\u202e", keep_newlines=True) == "a\nb"
    assert safe_text("x\ny", keep_newlines=True) == "x\ny"
    assert safe_text("x\ny") == "x y"


def test_safe_text_truncates_to_the_limit() -> None:
    out = safe_text("word " * 200, limit=50)
    assert len(out) <= 50
    assert out.endswith("…")
    assert safe_text("short", limit=50) == "short"
    assert safe_text("x" * 50, limit=50) == "x" * 50
    assert safe_text("x" * 51, limit=50) == "x" * 49 + "…"


def test_a_key_at_the_limit_is_still_redacted() -> None:
    out = safe_text(f"{'a' * 20} {OPENAI_PROJECT_KEY}", limit=40)
    assert len(out) <= 40
    assert "Ab3_dE" not in out
    assert "sk-proj" not in out


def test_safe_text_accepts_any_value() -> None:
    assert safe_text(None) == ""
    assert safe_text(404) == "404"
    assert safe_text(ValueError(f"bad key {OPENAI_KEY}")) == f"bad key {REDACTED}"


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "gpt-4o",
        "gpt-4o-mini",
        "nousresearch/hermes-3-llama-3.1-405b:free",
        "chat-bison@001",
        "llama3.1-8b",
        "openai",
        "x" * 200,
    ],
)
def test_is_identifier_accepts_real_model_ids(model_id: str) -> None:
    assert is_identifier(model_id)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "gpt-4o'",
        'gpt-4o"',
        "gpt 4o",
        "gpt-4o$(rm -rf ~)",
        "$(id)",
        "gpt-`id`",
        "gpt-4o;reboot",
        "gpt-4o\n",
        "gpt-4o\nrm",
        "\ngpt-4o",
        "gpt-4o\r",
        "gpt-4o\t",
        "-rf",
        "--config=/etc/passwd",
        ".hidden",
        "/abs/path",
        "gpt-4о",  # Cyrillic о
        "modèle",
        "gpt\u200b-4o",
        "a|b",
        "a&b",
        "a>b",
        "a\\b",
        "x" * 201,
    ],
)
def test_is_identifier_rejects_unsafe_values(value: str) -> None:
    assert not is_identifier(value)


@pytest.mark.parametrize("value", [None, 42, b"gpt-4o", ["gpt-4o"]])
def test_is_identifier_rejects_non_strings(value: object) -> None:
    assert not is_identifier(value)


def test_comment_text_keeps_quotes_as_text_and_removes_backticks_dollars_and_backslashes() -> None:
    out = comment_text('it\'s "quoted" `id` $(rm -rf ~) ${HOME} back\\slash \'single\' ("x")')
    for char in "'\"`$\\":
        assert char not in out
    assert out == "it\u2019s \u201cquoted\u201d id (rm -rf ~) {HOME} backslash \u2018single\u2019 (\u201cx\u201d)"


def test_comment_text_is_one_clean_redacted_line() -> None:
    out = comment_text(f"model gone\n# injected line\x1b[31m with {OPENAI_KEY}")
    assert "\n" not in out
    assert "\x1b" not in out
    assert OPENAI_KEY not in out
    assert out == f"model gone # injected line with {REDACTED}"


def test_comment_text_is_bounded() -> None:
    assert len(comment_text("y" * 1000)) <= 300
    assert len(comment_text("y" * 1000, limit=20)) <= 20


# Runs that make a backtracking pattern rescan: ordinary separators, the openings of every
# row (scheme, label, quote, escape), and every head and tail of each row's example.
ADVERSARIAL_RUNS = (
    "a.", "a-", "a_", "a ", "a:", "a=", "a/", "1", "@", "%", "a%22", "%3d", '\\"', "-----",
    "a://b:", "://", "eyj-", "gsk_", "xoxb-", "sk-", "key provided:", "bearer ", "basic ",
    "token=", "password:", "authorization: token ", "-----begin private key-----",
)  # fmt: skip


def _runs(example: str) -> set[str]:
    cuts = {max(1, len(example) * i // 6) for i in range(1, 7)}
    heads = {variant[:k] for variant in (example, example.lower()) for k in cuts}
    return (
        set(ADVERSARIAL_RUNS) | heads | {head + " " for head in heads} | {example[k:] for k in cuts if k < len(example)}
    )


def _seconds(work, text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()  # CPU time: a busy machine does not stretch it
        work(text)
        best = min(best, time.process_time() - started)
    return best


def _superlinear(work, runs: set[str], small: int = 3_000, factor: int = 8) -> list[str]:
    """Runs for which `work` takes far more than `factor` times as long on a text `factor` times
    longer: linear costs 8×, quadratic 64×; the bar is 24×, and a run above it is measured again
    before it counts, so a busy machine does not fail the test. Below NOISE_FLOOR seconds on the
    long text a ratio is timer noise: a quadratic row costs far more there (the old URL row took
    seconds on 24 K characters)."""
    offenders = []
    for run in sorted(runs):
        texts = [(run * (size // len(run) + 1))[:size] for size in (small, small * factor)]
        for repeat in (3, 9):
            long_text = _seconds(work, texts[1], repeat)
            ratio = long_text / max(_seconds(work, texts[0], repeat), 1e-6)
            if ratio < 3 * factor or long_text < NOISE_FLOOR:
                break
        else:
            offenders.append(f"{run[:30]!r}: ×{ratio:.0f}")
    return offenders


NOISE_FLOOR = 0.002


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=[shape.name for shape in SECRET_SHAPES])
def test_every_shape_stays_linear_on_adversarial_runs(shape) -> None:
    assert _superlinear(lambda text: shape.pattern.sub(shape.replacement, text), _runs(shape.example)) == []


def test_redact_and_clean_stay_linear_on_adversarial_runs() -> None:
    runs = set(ADVERSARIAL_RUNS) | {shape.example[: len(shape.example) // 2] for shape in SECRET_SHAPES}
    assert _superlinear(redact, runs) == []
    assert _superlinear(clean, {"\x1b[", "\x1b]", "\x1b[0", "a\u200b", " \t"}) == []


def test_safe_text_cost_is_bounded_by_the_limit_not_the_input() -> None:
    # The text is cut before any pattern runs: 4 MB costs about what 4 KB does (a generous 10×).
    for run in ("a.", "a://b:", "eyj-", "\u200b"):
        small, huge = (run * (size // len(run)) for size in (4_000, 4_000_000))
        assert len(safe_text(huge, 300)) <= 300 and safe_text(huge, 300).endswith("…")
        costs = [_seconds(lambda text: safe_text(text, 300), text) for text in (small, huge)]
        assert costs[1] < max(10 * costs[0], NOISE_FLOOR)


# The third hostile-input campaign's shapes: each secret must be gone as written and lower-cased.
PEM_BODY = "MIIEowIBAAKCAQEA" + "q8Zr2LmN4vX0pT6w" * 4
CAMPAIGN_SECRETS = [
    (f"oauth refresh failed: refresh_token={OPAQUE_TOKEN}&grant_type=refresh_token", OPAQUE_TOKEN),
    (f"POST /token client_id=bench&client_secret={OPAQUE_TOKEN}", OPAQUE_TOKEN),
    (f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----", PEM_BODY),
    (f'{{"private_key": "-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n-----END PRIVATE KEY-----\\n"}}', PEM_BODY),
    (f"-----BEGIN OPENSSH PRIVATE KEY----- {PEM_BODY} (truncated", PEM_BODY),
    (f"sent Authorization: Token {OPAQUE_TOKEN} upstream", OPAQUE_TOKEN),
    (f"headers={{'Authorization': 'ApiKey {OPAQUE_TOKEN}'}}", OPAQUE_TOKEN),
    (f"https://bucket.s3.example.test/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={OPAQUE_TOKEN}", OPAQUE_TOKEN),
    ("odbc: Server=db;Uid=bench;Pwd=Zq7x9;", "Zq7x9"),
    ("login failed: password=Zq7", "Zq7"),
    ("cannot reach mongodb://bench:pa/ss9w0rd@cluster0.example.test/llm", "pa/ss9w0rd"),
    (f'body: "{{\\"api_key\\": \\"{OPAQUE_TOKEN}\\"}}"', OPAQUE_TOKEN),
    (f"GET /v1?q=api_key%3D{OPAQUE_TOKEN}", OPAQUE_TOKEN),
    (f"GET /v1?q=%22api_key%22%3A%20%22{OPAQUE_TOKEN}%22", OPAQUE_TOKEN),
    (f"GET /v1?q=api_key%253D{OPAQUE_TOKEN}", OPAQUE_TOKEN),
    (f"https://acct.blob.example.test/c/b?sv=2024-05-04&se=2026-12-01&sr=b&sp=r&sig={OPAQUE_TOKEN}%3D", OPAQUE_TOKEN),
    ("slack said invalid_auth for xoxb-2048-4096-" + OPAQUE_TOKEN, OPAQUE_TOKEN),
    (f"Authorization: Bearer 12|{OPAQUE_TOKEN}", OPAQUE_TOKEN),
    (f"curl -H 'Bearer 12|{OPAQUE_TOKEN}'", OPAQUE_TOKEN),
    (f"tokensk-proj-{'Ab3dEf9' * 6}", "Ab3dEf9" * 6),
    (f"Proxy-Authorization: Digest {OPAQUE_TOKEN}", OPAQUE_TOKEN),
    (f"X-Goog-Api-Key: {OPAQUE_TOKEN}", OPAQUE_TOKEN),
]


@pytest.mark.parametrize(("text", "secret"), CAMPAIGN_SECRETS, ids=[f"{i:02}" for i in range(len(CAMPAIGN_SECRETS))])
def test_campaign_secret_shapes_are_redacted_as_written_and_lower_cased(text: str, secret: str) -> None:
    for variant in (text, text.lower()):
        out = redact(variant)
        assert secret.lower() not in out.lower(), out
        assert REDACTED in out
        assert redact(out) == out  # redacting twice changes nothing
        assert secret.lower() not in safe_text(variant, 60).lower()


@pytest.mark.parametrize(
    "text",
    [
        "max_token: 8192",
        "max_tokens=8192",
        "token_count=123456",
        "Authorization failed",
        "missing authorization header",
        "https://us-central1-aiplatform.example.test:443/v1/models/chat-bison@001:predict",
        "the monkey=banana12 test",
        "signature verification failed",
        "password required",
        "desk-project-management",
    ],
)
def test_ordinary_text_near_the_new_labels_is_untouched(text: str) -> None:
    assert redact(text) == text
    assert redact(text.lower()) == text.lower()


def test_labels_keep_their_quoting_and_the_rest_of_the_text() -> None:
    assert redact(f"?a=1&client_secret={OPAQUE_TOKEN}&b=2") == f"?a=1&client_secret={REDACTED}&b=2"
    assert redact(f'{{\\"api_key\\": \\"{OPAQUE_TOKEN}\\"}}') == f'{{\\"api_key\\": \\"{REDACTED}\\"}}'
    assert redact(f"Authorization: Token {OPAQUE_TOKEN} (see logs)") == f"Authorization: {REDACTED} (see logs)"


def test_a_key_straddling_the_cut_is_still_redacted() -> None:
    for prefix in range(30, 60):
        out = safe_text("x" * prefix + " " + OPENAI_PROJECT_KEY + " tail " * 500, limit=60)
        assert "Ab3_dE" not in out and len(out) <= 60
