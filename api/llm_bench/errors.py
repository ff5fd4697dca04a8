"""Exceptions that carry an exit status, so library code can fail clearly and the CLIs stay thin."""

from __future__ import annotations

from .exit_codes import ExitStatus


class OpsError(Exception):
    """An expected failure with a one-line message for the operator and a named exit status."""

    status: ExitStatus = ExitStatus.INTERNAL_ERROR

    def __init__(self, message: str, status: ExitStatus | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class ConfigError(OpsError):
    status = ExitStatus.CONFIG_ERROR


class DatabaseUnavailable(OpsError):
    status = ExitStatus.DATABASE_UNAVAILABLE


class MailFailed(OpsError):
    status = ExitStatus.MAIL_FAILED


class AlreadyRunning(OpsError):
    """Another run of the same job holds its lock: this one stops cleanly, sending nothing, with
    its own exit status so that a skipped run shows (in the journal and the dead-man ping)."""

    status = ExitStatus.ALREADY_RUNNING
