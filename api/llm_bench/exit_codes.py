"""Named exit statuses shared by every command, so systemd, scripts and docs agree on one table."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes. A health status of CRITICAL is still OK here: the report went out."""

    OK = 0
    #: An unexpected error (a bug): the traceback is on stderr.
    INTERNAL_ERROR = 1
    #: Wrong command-line usage (typer/click's own code).
    USAGE = 2
    #: A required setting is missing or invalid (e.g. MONGODB_URI, NOTIFY_EMAIL).
    CONFIG_ERROR = 3
    #: MongoDB could not be reached or refused a command.
    DATABASE_UNAVAILABLE = 4
    #: msmtp is missing or failed; the whole report was printed to stdout instead.
    MAIL_FAILED = 5
    #: The OpenRouter catalog could not be fetched (network, HTTP error, timeout).
    UPSTREAM_UNAVAILABLE = 6
    #: The fetched catalog failed validation (garbage, empty, truncated); nothing was written.
    CATALOG_REFUSED = 7
    #: `report` found no complete catalog fetch to work from: run `llm-discovery fetch` first.
    CATALOG_MISSING = 8
    #: Another health check holds the run lock: this run sent and recorded nothing.
    ALREADY_RUNNING = 9


#: The commands, as their --help and the README name them.
HEALTH, FETCH, REPORT, STATS, CRASH_ALERT = "health", "fetch", "report", "stats", "crash-alert"
PROBE = "probe"
COMMANDS = (HEALTH, FETCH, REPORT, STATS, PROBE, CRASH_ALERT)
_DATABASE = (HEALTH, FETCH, REPORT, STATS, PROBE)

#: The one table: status -> (meaning, the commands that can end with it).
TABLE: dict[ExitStatus, tuple[str, tuple[str, ...]]] = {
    ExitStatus.OK: ("finished (health: the report was sent, or printed with --dry-run)", COMMANDS),
    ExitStatus.INTERNAL_ERROR: ("unexpected error (a bug); traceback on stderr", COMMANDS),
    ExitStatus.USAGE: ("invalid command-line usage: an unknown option, a value out of range", COMMANDS),
    ExitStatus.CONFIG_ERROR: ("missing or invalid configuration (variable, .env or MONGODB_URI)", COMMANDS),
    ExitStatus.DATABASE_UNAVAILABLE: ("MongoDB unreachable, too slow or refused a command", _DATABASE),
    ExitStatus.MAIL_FAILED: ("msmtp missing or failed; the report was printed to stdout", (HEALTH, CRASH_ALERT)),
    ExitStatus.UPSTREAM_UNAVAILABLE: ("OpenRouter catalog could not be fetched", (FETCH,)),
    ExitStatus.CATALOG_REFUSED: ("fetched catalog failed validation; stored catalog untouched", (FETCH,)),
    ExitStatus.CATALOG_MISSING: ("no complete catalog fetch yet; run `llm-discovery fetch` first", (REPORT, PROBE)),
    ExitStatus.ALREADY_RUNNING: (
        "another health check holds the run lock; this run sent and recorded nothing",
        (HEALTH,),
    ),
}


def describe(command: str | None = None) -> list[tuple[int, str, str]]:
    """(code, name, meaning) rows for help texts and the README table: all, or one command's."""
    return [
        (int(status), status.name, TABLE[status][0])
        for status in ExitStatus
        if command is None or command in TABLE[status][1]
    ]
