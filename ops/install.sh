#!/usr/bin/env bash
# Install the LLM benchmark jobs' systemd units from this checkout and enable their timers.
#
#   sudo ops/install.sh             install (safe to run again: unchanged files are left alone)
#   ops/install.sh --dry-run        print every action, change nothing
#   ops/install.sh --root DIR       install into DIR/etc/... (an image or a test tree): the
#                                   timers are enabled offline, systemd is not reloaded or started
#
# Before it changes anything it checks that /opt/llm-bench-ops/.env exists with mode 0600 and
# that the virtual environment is there. See ops/README.md.
set -euo pipefail

APP_DIR=/opt/llm-bench-ops
SERVICE_USER=llm-bench
UNITS=(llm-discovery.service llm-discovery.timer llm-health-check.service llm-health-check.timer
       llm-health-check-failure@.service)
TIMERS=(llm-discovery.timer llm-health-check.timer)

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
fail() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

DRY_RUN=0
ROOT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --root) [ $# -ge 2 ] || fail "--root needs a directory"; ROOT="${2%/}"; shift ;;
    --root=*) ROOT="${1#--root=}"; ROOT="${ROOT%/}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
  shift
done
if [ -n "$ROOT" ]; then
  [ -d "$ROOT" ] || fail "--root $ROOT is not a directory"
  ROOT="$(cd "$ROOT" && pwd)"
fi

SRC="$(cd "$(dirname "$0")" && pwd)"
UNIT_DIR="$ROOT/etc/systemd/system"
SYSUSERS_FILE="$ROOT/etc/sysusers.d/$SERVICE_USER.conf"
ENV_FILE="$ROOT$APP_DIR/.env"
VENV_BIN="$ROOT$APP_DIR/.venv/bin"

# Print an action; run it unless this is a dry run.
run() {
  printf '+'; printf ' %q' "$@"; printf '\n'
  [ "$DRY_RUN" = 1 ] || "$@"
}

user_field() {  # user_field N: field N of the service user's line in the (root's) passwd file
  awk -F: -v user="$SERVICE_USER" -v n="$1" '$1 == user { print $n }' "$ROOT/etc/passwd" 2>/dev/null || true
}

# --- checks: nothing has been changed yet ---------------------------------------------------
if [ "$DRY_RUN" = 0 ] && [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail "run as root (sudo ops/install.sh), or preview with --dry-run"
fi
for unit in "${UNITS[@]}" "$SERVICE_USER.sysusers"; do
  [ -f "$SRC/$unit" ] || fail "$SRC/$unit is missing: run this script from the project checkout"
done
[ -f "$ENV_FILE" ] || fail "$ENV_FILE not found: create it (see ops/README.md, 'Deploy'), then chmod 600 it"
mode="$(stat -c '%a' "$ENV_FILE")"
[ "$mode" = 600 ] || fail "$ENV_FILE has mode $mode, it must be 600: run  chmod 600 $ENV_FILE"
for tool in python llm-health-check llm-discovery; do
  [ -x "$VENV_BIN/$tool" ] || fail "$VENV_BIN/$tool not found: run  uv sync --frozen --no-dev  in $APP_DIR"
done
echo "checked: $ENV_FILE (mode 600) and $VENV_BIN"

# --- the service user -------------------------------------------------------------------------
if cmp -s "$SRC/$SERVICE_USER.sysusers" "$SYSUSERS_FILE"; then
  echo "unchanged: $SYSUSERS_FILE"
else
  run install -D -m 0644 "$SRC/$SERVICE_USER.sysusers" "$SYSUSERS_FILE"
fi
if [ -n "$(user_field 3)" ]; then
  echo "unchanged: user $SERVICE_USER exists"
elif [ -n "$ROOT" ]; then
  run systemd-sysusers --root="$ROOT" "$SERVICE_USER.conf"
else
  run systemd-sysusers "$SERVICE_USER.conf"
fi

# The jobs read .env themselves as well, so it belongs to the service user.
owner_uid="$(user_field 3)"
owner_gid="$(user_field 4)"
if [ -z "$owner_uid" ]; then
  run chown "$SERVICE_USER:$SERVICE_USER" "$ENV_FILE"  # not created yet (a dry run): by name
elif [ "$(stat -c '%u:%g' "$ENV_FILE")" = "$owner_uid:$owner_gid" ]; then
  echo "unchanged: $ENV_FILE belongs to $SERVICE_USER"
else
  run chown "$owner_uid:$owner_gid" "$ENV_FILE"
fi

# --- units and timers -------------------------------------------------------------------------
for unit in "${UNITS[@]}"; do
  if cmp -s "$SRC/$unit" "$UNIT_DIR/$unit"; then
    echo "unchanged: $UNIT_DIR/$unit"
  else
    run install -D -m 0644 "$SRC/$unit" "$UNIT_DIR/$unit"
  fi
done
if [ -n "$ROOT" ]; then
  run systemctl --root="$ROOT" enable "${TIMERS[@]}"
  echo "alternate root: systemd was not reloaded and the timers were not started"
else
  run systemctl daemon-reload
  run systemctl enable --now "${TIMERS[@]}"
fi
[ "$DRY_RUN" = 1 ] && echo "dry run: nothing was changed"
exit 0
