#!/bin/sh
# Entrypoint of the production image (Dockerfile; tested without Docker by
# test/e2e/docker-entrypoint.e2e.test.ts). For `helpdesk start` (no arguments, options only, or
# `start …`) it:
#   1. reads HELPDESK_SECRET from HELPDESK_SECRET_FILE (and HELPDESK_PREVIOUS_SECRETS from
#      HELPDESK_PREVIOUS_SECRETS_FILE) when set: a Docker secret or a mounted file that outlives
#      the container. One secret per line or separated by commas, newest first; blank lines and
#      lines starting with # are skipped. Several secrets are a rotation: the first signs new reply
#      addresses, every one still verifies the addresses already sent (docs/commands.md);
#   2. refuses to start without a secret: a secret made up here would change on every start and
#      break the reply address of every mail already sent;
#   3. runs `helpdesk migrate`, then `helpdesk contracts sync "$CONTRACTS_FILE"` (the mounted file);
#   4. replaces itself with `helpdesk start "$@"` (exec), so SIGTERM reaches node directly.
# Any other command (`docker compose run --rm bot outbox --failed`) runs as `helpdesk …` after
# step 1, without migrating, syncing or requiring a secret.
# A failed step prints one line naming it and exits non-zero (the step's own exit code).
set -eu

HELPDESK_BIN=${HELPDESK_BIN:-helpdesk}

say() {
  printf 'helpdesk-entrypoint: %s\n' "$*" >&2
}

fail() {
  code=$1
  shift
  say "$*"
  exit "$code"
}

# read_secrets_file VARIABLE: when VARIABLE_FILE is set, VARIABLE becomes the file's secrets,
# joined by commas (the separator src/config/env.ts takes).
read_secrets_file() {
  name=$1
  eval "file=\${${name}_FILE:-}"
  eval "direct=\${${name}:-}"
  [ -n "$file" ] || return 0
  if [ -n "$direct" ]; then
    fail 1 "both $name and ${name}_FILE are set; set only one"
  fi
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    fail 1 "${name}_FILE=$file: no readable file there (mount it, readable by uid $(id -u))"
  fi
  # trim each line, drop blank and comment lines, one comma-separated list
  secrets=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^#/d' -e '/^$/d' "$file" | tr '\n' ',' | sed -e 's/,*$//')
  if [ -z "$secrets" ]; then
    fail 1 "${name}_FILE=$file: the file holds no secret"
  fi
  export "$name=$secrets"
}

read_secrets_file HELPDESK_SECRET
read_secrets_file HELPDESK_PREVIOUS_SECRETS

# Which command: none or options only → start; `start …` → start; anything else runs as is.
run_start=0
if [ "$#" -eq 0 ]; then
  run_start=1
else
  case "$1" in
    start) run_start=1; shift ;;
    -*) run_start=1 ;;
  esac
fi
if [ "$run_start" -eq 0 ]; then
  exec "$HELPDESK_BIN" "$@"
fi

if [ -z "${HELPDESK_SECRET:-}" ]; then
  fail 1 "no HELPDESK_SECRET: set HELPDESK_SECRET_FILE to a file that persists (a Docker secret) holding one, e.g. \`openssl rand -hex 32\`; it must stay the same across restarts"
fi
CONTRACTS_FILE=${CONTRACTS_FILE:-}
if [ -z "$CONTRACTS_FILE" ]; then
  fail 1 "no CONTRACTS_FILE: mount the contracts file and set CONTRACTS_FILE to its path in the container"
fi
if [ ! -f "$CONTRACTS_FILE" ] || [ ! -r "$CONTRACTS_FILE" ]; then
  fail 1 "CONTRACTS_FILE=$CONTRACTS_FILE: no readable file there (is it mounted?)"
fi
export CONTRACTS_FILE

# `|| code=$?` keeps `set -e` from exiting before the line that names the failed step.
code=0
"$HELPDESK_BIN" migrate || code=$?
if [ "$code" -ne 0 ]; then
  fail "$code" "helpdesk migrate failed (exit $code); not starting"
fi
"$HELPDESK_BIN" contracts sync "$CONTRACTS_FILE" || code=$?
if [ "$code" -ne 0 ]; then
  fail "$code" "helpdesk contracts sync $CONTRACTS_FILE failed (exit $code); not starting"
fi

exec "$HELPDESK_BIN" start "$@"
