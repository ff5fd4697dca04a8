"""The results of one health run, as frozen dataclasses: what the renderers, the ledger and the
CLI read. They sit apart from the code that makes them so no module has to import "upwards".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .assess import Assessment
from .facts import HealthFacts
from .history import Changes
from .lifecycle import LeftOutModel, NewModel
from .trend import Trend


@dataclass(frozen=True)
class AIInfo:
    used: bool
    model: str | None
    error: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealthReport:
    facts: HealthFacts
    assessment: Assessment
    ai: AIInfo
    generated_at: dt.datetime
    changes: Changes | None = None
    new_models: tuple[NewModel, ...] = ()  # verified proposals new in the window, newest first
    new_models_left_out: tuple[LeftOutModel, ...] = ()  # new proposals left out, and why
    trend: Trend | None = None  # the last daily runs and this one
