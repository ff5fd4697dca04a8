"""A pymongo CommandListener that keeps the name of every command sent (getMore included).

Used by the tests that prove a job sends a fixed number of commands, and by the benchmarks.
"""

from __future__ import annotations

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
