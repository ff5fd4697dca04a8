"""Error classification: which of the known kinds an error pattern is, and why.

The benchmark writer stores `error_kind` only from an explicit HTTP status in the text, which
is wrong for most real errors (billing sent as 400, retired models answering 403, capability
errors sent as 404, overloads inside HTTP 200 streams). Everything that judges errors reads the
kind decided here instead: `classify` weighs an LLM classification of the pattern, the text
rules of `rules.RULES`, and the writer's stored kind, in that order.
"""

from .classifier import Classification, LLMVerdict, classify
from .kinds import KINDS, clean_kind

__all__ = ["KINDS", "Classification", "LLMVerdict", "classify", "clean_kind"]
