"""A pymongo CommandListener that keeps the name of every command sent (getMore included).

Used by the tests that prove a job sends a fixed number of commands, and by the benchmarks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pymongo import monitoring


@dataclass
class CommandCounter(monitoring.CommandListener):
    names: list[str] = field(default_factory=list)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.names.clear()

    def summary(self) -> str:
        """For example "4 (aggregate 3, find 1)"."""
        counts = Counter(self.names)
        return f"{len(self.names)} ({', '.join(f'{name} {n}' for name, n in sorted(counts.items()))})"
