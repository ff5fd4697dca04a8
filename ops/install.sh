#!/usr/bin/env bash
# Install the LLM benchmark jobs' systemd units from this checkout and enable their timers.
#
#   sudo ops/install.sh             install (safe to run again: unchanged files are left alone)
#   ops/install.sh --dry-run        print every action, change nothing
#   ops/install.sh --root DIR       install into DIR/etc/... (an image or a test tree): the
#                                   timers are enabled offline, systemd is not reloaded or started
#
# Before it changes anything it checks that it runs from the checkout at /opt/llm-bench-ops, that
# .env there has mode 0600 and sets MONGODB_URI and NOTIFY_EMAIL without inline comments, that
# MSMTP_CONFIG (when set) is readable by the service user, and that the virtual environment is
# there. It never downloads anything. See ops/README.md.
set -euo pipefail

APP_DIR=/opt/llm-bench-ops
SERVICE_USER=llm-bench
UNITS=(llm-discovery.service llm-discovery.timer llm-health-check.service llm-health-check.timer
       llm-health-check-failure@.service)
TIMERS=(llm-discovery.timer llm-health-check.timer)

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }
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

env_value() {  # env_value NAME: NAME's value in .env as systemd's EnvironmentFile= reads it (last wins)
  awk -v name="$1" '{ sub(/^[ \t]+/, "") } index($0, name "=") == 1 { value = substr($0, length(name) + 2); found = 1 }
                    END { if (found) print value }' "$ENV_FILE"
}

service_can() {  # service_can r|x PATH: do PATH's mode bits give the service user that access?
  local want=$1 path=$2 owner group mode digit uid gid groups
  uid="$(user_field 3)"; gid="$(user_field 4)"
  groups=" $gid $(awk -F: -v user="$SERVICE_USER" '("," $4 ",") ~ ("," user ",") { printf "%s ", $3 }' \
    "$ROOT/etc/group" 2>/dev/null || true)"
  read -r owner group mode < <(stat -L -c '%u %g %a' "$path") || return 1
  mode=$(printf '%03d' "$mode"); mode=${mode: -3}
  if [ -n "$uid" ] && [ "$owner" = "$uid" ]; then digit=${mode:0:1}
  elif [ -n "$uid" ] && [[ "$groups" == *" $group "* ]]; then digit=${mode:1:1}
  else digit=${mode:2:1}; fi
  case $want in r) (( digit & 4 )) ;; x) (( digit & 1 )) ;; esac
}

service_can_read() {  # service_can_read FILE (a path on the server, under ROOT): file and every directory above
  local file=$1 dir
  dir=$(dirname "$file")
  while :; do
    service_can x "$ROOT$dir" || return 1
    [ "$dir" = / ] && break
    dir=$(dirname "$dir")
  done
  service_can r "$ROOT$file"
}

# --- checks: nothing has been changed yet ---------------------------------------------------
if [ "$DRY_RUN" = 0 ] && [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail "run as root (sudo ops/install.sh), or preview with --dry-run"
fi
for unit in "${UNITS[@]}" "$SERVICE_USER.sysusers"; do
  [ -f "$SRC/$unit" ] || fail "$SRC/$unit is missing: run this script from the project checkout"
done
if [ -z "$ROOT" ] && [ "$SRC" != "$APP_DIR/ops" ]; then
  fail "this checkout is $(dirname "$SRC"), but the units run $APP_DIR: clone the project there (ops/README.md, 'Deploy')"
fi
[ -f "$ENV_FILE" ] || fail "$ENV_FILE not found: create it (see ops/README.md, 'Deploy'), then chmod 600 it"
mode="$(stat -c '%a' "$ENV_FILE")"
[ "$mode" = 600 ] || fail "$ENV_FILE has mode $mode, it must be 600: run  chmod 600 $ENV_FILE"
# systemd's EnvironmentFile= takes everything after "=" as the value (python-dotenv drops " # ..."):
# the jobs would mail "ops@example.com # on call" or connect to a URI with a comment in it.
for name in MONGODB_URI NOTIFY_EMAIL; do
  value="$(env_value "$name")"
  [ -n "$value" ] || fail "$ENV_FILE sets no $name: add the line  $name=...  (see ops/README.md, 'Environment')"
  case "$value" in
    '#'*|*[[:space:]]'#'*) fail "$ENV_FILE: the $name line carries a comment; systemd would read it as part of the value: put comments on their own line (ops/README.md, 'Environment')" ;;
  esac
done
msmtp_config="$(env_value MSMTP_CONFIG)"
if [ -n "$msmtp_config" ]; then
  [ -f "$ROOT$msmtp_config" ] || fail "MSMTP_CONFIG=$msmtp_config does not exist: set up msmtp first (ops/README.md, 'msmtp')"
  service_can_read "$msmtp_config" || fail "MSMTP_CONFIG=$msmtp_config is not readable by $SERVICE_USER: create the user first and give it the file (ops/README.md, 'msmtp')"
fi
for tool in python llm-health-check llm-discovery; do
  [ -x "$VENV_BIN/$tool" ] || fail "$VENV_BIN/$tool not found: run  uv sync --frozen --no-dev  in $APP_DIR"
done
echo "checked: $ENV_FILE (mode 600, MONGODB_URI and NOTIFY_EMAIL set)${msmtp_config:+, $msmtp_config readable by $SERVICE_USER} and $VENV_BIN"

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
# Earlier versions installed into /opt/llm-benchmarks, the benchmark service's own checkout, and
# made its .env ours: say so, the benchmark service may no longer read it.
old_env="$ROOT/opt/llm-benchmarks/.env"
if [ -f "$old_env" ] && [ -n "$owner_uid" ] && [ "$(stat -c '%u' "$old_env")" = "$owner_uid" ]; then
  echo "note: $old_env belongs to $SERVICE_USER (an earlier install of these jobs did that); it is the benchmark service's file: give it back to that service's user (ops/README.md, 'Moving from /opt/llm-benchmarks')" >&2
fi
[ "$DRY_RUN" = 1 ] && echo "dry run: nothing was changed"
exit 0
