#!/usr/bin/env bash
# Local backing services for the helpdesk bot (tests, benchmarks, demo):
#
#   Postgres 15   127.0.0.1:$HELPDESK_PG_PORT    (54329)  user/password/db helpdesk
#   Redis         127.0.0.1:$HELPDESK_REDIS_PORT (63799)  noeviction, appendonly
#   Dovecot IMAP  127.0.0.1:$HELPDESK_IMAP_PORT  (14300)  any address is a mailbox, password "test"
#   Dovecot LMTP  127.0.0.1:$HELPDESK_LMTP_PORT  (24240)
#   SMTP front    127.0.0.1:$HELPDESK_SMTP_PORT  (25250)  scripts/smtp-relay.ts -> Dovecot LMTP
#
# Usage:
#   bash scripts/services.sh start     idempotent; returns quickly when everything already runs
#   bash scripts/services.sh stop      stops what THIS tree started (nothing else)
#   bash scripts/services.sh restart
#   bash scripts/services.sh status    exit 0 when all answer, 3 otherwise
#   bash scripts/services.sh env       print the connection settings (what .services/env holds)
#
# All state lives in <repo>/.services/ (git-ignored): data, configs, logs, pid files and the
# generated .services/env (DATABASE_URL, REDIS_URL, IMAP_URL, SMTP_URL, HELPDESK_*).
# Several checkouts can run side by side (CI clones into a temp dir while /work/main's services
# keep running): give the second one other ports through the HELPDESK_*_PORT variables.
#
# "Already running" means: the pid in OUR pid file is alive, is the right program, and the
# service answers on the expected port. A port that answers while our pid file is dead belongs
# to somebody else: we refuse to start and name the port and the variable to change.
#
# Runs as root (CI, containers): Postgres runs as the `postgres` system user (or a created
# `helpdesk-pg`), Redis as `redis`, Dovecot drops to dovenull/dovecot and stores mail as uid/gid
# 65534. Missing packages are apt-installed. As a normal user everything runs as that user, and
# missing packages are only reported.
#
# Traps met while writing this (kept here so nobody has to rediscover them):
#  - postgres/initdb refuse to run as root -> runuser to a system user, and run it from `/`:
#    pg_ctl fails with "could not identify current directory" when started in a cwd that user
#    cannot enter (e.g. /root/...).
#  - mktemp -d makes 0700 directories: the postgres, redis and mail (65534) users could not even
#    reach <tmp>/.services. We add the "others may traverse" bit (o+x, not read) on every parent
#    directory that lacks it, and say so.
#  - Unix sockets paths are limited to ~107 bytes: Postgres' and Dovecot's sockets go to
#    .services/run, or to /tmp/hd-services-<hash> when the checkout path is too long.
#  - Dovecot: `dovecot -c FILE` must get a complete config (the Debian /etc/dovecot/conf.d files
#    are never included). imap-login must not run as root (default_login_user = dovenull).
#    Static userdb needs allow_all_users=yes or LMTP cannot tell that any address exists.
#    A stale master.pid whose pid got reused makes Dovecot think it is still running, the same
#    for Postgres' postmaster.pid: we delete such files when the pid is not our program.
#  - smtp-server refuses AUTH on a plain connection unless allowInsecureAuth, and does a reverse
#    DNS lookup per connection unless disableReverseLookup (slow/hanging without network).
#  - Mail seeded directly into a Maildir as root is not writable by Dovecot (uid 65534): chown
#    what you create to $HELPDESK_MAIL_UID:$HELPDESK_MAIL_GID (both in .services/env).
#  - Use 127.0.0.1, never "localhost": Node resolves localhost to ::1 first, nothing listens there.
#  - Daemons must not keep our stdout/stderr: Dovecot's master holds on to the stderr it was
#    started with, so `npm test | tee log` (or any CI log pipe) never saw EOF and hung. Every
#    daemon is started with stdio redirected to files or /dev/null.
#  - The start/stop lock is flock on fd 9: every daemon we launch must get `9>&-`, or it
#    inherits the fd, holds the lock forever and the next start waits for it.
#  - Exited daemons can linger as zombies when PID 1 reaps slowly (containers, firecracker):
#    a pid with /proc/<pid> present is not necessarily alive; we check the state in .../stat.
#  - `apt-get install` of an already installed package upgrades it when a newer one is known:
#    we pass --no-upgrade so a running Postgres is never replaced under our feet.
#  - Mail to support+12.abc@d is stored once in support@d's INBOX; the +detail survives in the
#    Delivered-To: header that Dovecot adds (and in the To: header, of course).
#  - /usr/sbin is not on a normal user's PATH on Debian (dovecot lives there): we add it.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
umask 022

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SVC="$ROOT/.services"
HOST=127.0.0.1

PG_BIN="${HELPDESK_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${HELPDESK_PG_PORT:-54329}"
REDIS_PORT="${HELPDESK_REDIS_PORT:-63799}"
IMAP_PORT="${HELPDESK_IMAP_PORT:-14300}"
LMTP_PORT="${HELPDESK_LMTP_PORT:-24240}"
SMTP_PORT="${HELPDESK_SMTP_PORT:-25250}"
TIMEOUT="${HELPDESK_SERVICES_TIMEOUT:-60}" # seconds to wait for each service to answer

# ---------------------------------------------------------------------------------------------
# small helpers

say() { printf '[services] %s\n' "$*"; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

# run a command as another user (only switches when we are root)
as_user() {
  local user=$1
  shift
  if ((IS_ROOT)) && [[ "$user" != root ]]; then
    (cd / && runuser -u "$user" -- "$@" 9>&-)
  else
    "$@" 9>&-
  fi
}

# is something accepting TCP connections on 127.0.0.1:PORT? (loopback: connect() answers at
# once, so no timeout is needed)
port_open() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# first line the server on PORT says (IMAP/LMTP/SMTP greeting); $2 is sent afterwards to hang
# up politely so the logs do not fill with "disconnected without saying goodbye"
greeting() {
  local port=$1 bye=${2:-QUIT}
  (
    exec 3<>"/dev/tcp/$HOST/$port" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf '%s\n' "${line%$'\r'}"
    printf '%s\r\n' "$bye" >&3 || true
  ) 2>/dev/null
}

# who listens on PORT, for error messages (best effort)
who_listens() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -n1 || true
}

# is PID a running process? (a zombie is not: exited, not yet reaped by a slow init)
proc_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z && "${stat:0:1}" != X ]]
}

# print the pid stored in FILE if that process is alive and its command name starts with NAME;
# an optional 3rd argument must occur in its command line (tells our postgres from another)
live_pid() {
  local file=$1 name=$2 needle=${3:-} pid
  [[ -r "$file" ]] || return 1
  pid="$(head -n1 "$file" 2>/dev/null | tr -dc 0-9)"
  [[ -n "$pid" ]] && proc_alive "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name"* ]] || return 1
  if [[ -n "$needle" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$needle" || return 1
  fi
  printf '%s\n' "$pid"
}

# refuse to start when somebody else answers on PORT
ensure_port_free() {
  local port=$1 var=$2 what=$3 who
  if port_open "$port"; then
    who="$(who_listens "$port")"
    die "port $port ($what) is already in use by another process${who:+ $who}, not by this checkout's $what (.services/ has no live pid for it). Stop that process or pick another port, e.g.: export $var=<free port>"
  fi
}

# a service of ours is up but was started with other ports than the ones asked for now
ensure_same_ports() {
  local what=$1 recorded=$2 wanted=$3 vars=$4
  if [[ -n "$recorded" && "$recorded" != "$wanted" ]]; then
    die "$what of this checkout is running with port(s) $recorded but $vars asks for $wanted; run 'bash scripts/services.sh stop' first"
  fi
}

# wait until "$@" succeeds; on timeout point at the log file
wait_for() {
  local what=$1 log=$2 pidfile_check=$3
  shift 3
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pidfile_check" ]] && ! eval "$pidfile_check" >/dev/null 2>&1; then
      tail -n 20 "$log" >&2 2>/dev/null || true
      die "$what exited during start-up; see $log"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$log" >&2 2>/dev/null || true
      die "$what did not answer within ${TIMEOUT}s; see $log"
    fi
    sleep 0.1
  done
}

# contents of a small state file (pid, recorded ports), empty when it does not exist
read_file() { cat "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------
# checks that do not depend on the service

check_config() {
  local name val all=""
  for name in HELPDESK_PG_PORT:$PG_PORT HELPDESK_REDIS_PORT:$REDIS_PORT HELPDESK_IMAP_PORT:$IMAP_PORT \
    HELPDESK_LMTP_PORT:$LMTP_PORT HELPDESK_SMTP_PORT:$SMTP_PORT; do
    val=${name#*:}
    name=${name%%:*}
    if ! [[ "$val" =~ ^[1-9][0-9]*$ ]] || ((val < 1024 || val > 65535)); then
      die "$name=$val is not a usable TCP port (1024-65535)"
    fi
    [[ " $all " == *" $val "* ]] && die "$name=$val: the same port is given to two services"
    all="$all $val"
  done
  # paths end up unquoted in env files and in Dovecot's %-expanded settings
  [[ "$ROOT" =~ ^[A-Za-z0-9._/+@-]+$ ]] ||
    die "the checkout path '$ROOT' contains spaces or special characters; move it to a plain path"
}

# Debian packages we need. As root they are installed (one apt-get update, one install);
# otherwise we print what to install and stop.
ensure_packages() {
  local missing=() pkgs=(redis-server dovecot-imapd dovecot-lmtpd)
  [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || missing+=(postgresql-15)
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
  [[ -x /usr/sbin/dovecot && -x /usr/lib/dovecot/imap ]] || missing+=(dovecot-imapd)
  [[ -x /usr/lib/dovecot/lmtp ]] || missing+=(dovecot-lmtpd)
  ((${#missing[@]} == 0)) && return 0
  [[ " ${missing[*]} " == *" postgresql-15 "* ]] && pkgs+=(postgresql-15)
  if ((!IS_ROOT)); then
    printf '[services] ERROR: missing packages: %s\n' "${missing[*]}" >&2
    printf '[services] install them with:\n' >&2
    printf '  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y %s\n' "${pkgs[*]}" >&2
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
  say "installing ${pkgs[*]} (missing: ${missing[*]})"
  # Note: on a systemd host the packages also start their own system-wide redis/dovecot on the
  # standard ports; they do not collide with ours and we leave them alone.
  # --no-upgrade: packages that are already installed stay as they are. Without it apt upgrades
  # them when the index has a newer version (we saw postgresql-15 jump a minor version under a
  # running cluster while testing this).
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade "${pkgs[@]}"
  [[ -x "$PG_BIN/postgres" ]] || die "installed ${pkgs[*]} but $PG_BIN/postgres is still missing (HELPDESK_PG_BIN?)"
  if ! [[ -x /usr/lib/dovecot/imap && -x /usr/lib/dovecot/lmtp ]] || ! command -v redis-server >/dev/null 2>&1; then
    die "installed ${pkgs[*]} but redis-server or dovecot's imap/lmtp are still missing"
  fi
}

# Service users. Postgres refuses root; Dovecot's login processes must not run as root either.
PG_USER="" REDIS_USER="" MAIL_UID="" MAIL_GID="" DOVE_LOGIN_USER="" DOVE_INTERNAL_USER=""
pick_users() {
  if ((IS_ROOT)); then
    if id -u postgres >/dev/null 2>&1; then
      PG_USER=postgres
    else
      id -u helpdesk-pg >/dev/null 2>&1 ||
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
          --shell /usr/sbin/nologin helpdesk-pg
      PG_USER=helpdesk-pg
    fi
    if id -u redis >/dev/null 2>&1; then REDIS_USER=redis; else REDIS_USER=root; fi
    MAIL_UID=65534 MAIL_GID=65534
    DOVE_LOGIN_USER=dovenull DOVE_INTERNAL_USER=dovecot
    id -u dovenull >/dev/null 2>&1 || DOVE_LOGIN_USER=nobody
    id -u dovecot >/dev/null 2>&1 || DOVE_INTERNAL_USER=nobody
  else
    PG_USER="$(id -un)" REDIS_USER="$(id -un)"
    MAIL_UID="$(id -u)" MAIL_GID="$(id -g)"
    DOVE_LOGIN_USER="$(id -un)" DOVE_INTERNAL_USER="$(id -un)"
  fi
}

# Every directory above .services must be enterable by the service users (see traps above).
grant_traverse() {
  local dir=$1 mode
  ((IS_ROOT)) || return 0
  while [[ "$dir" != / && -n "$dir" ]]; do
    mode="$(stat -c %a "$dir")"
    if (((8#$mode & 1) == 0)); then
      say "granting others traverse-only access (chmod o+x) to $dir so the service users can reach .services"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

# Directory for Unix sockets (Postgres, Dovecot): short enough for the ~107 byte limit.
RUN=""
pick_run_dir() {
  RUN="$SVC/run"
  if ((${#RUN} > 60)); then
    RUN="/tmp/hd-services-$(printf '%s' "$SVC" | sha1sum | cut -c1-12)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Postgres

PG_DIR="$SVC/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"

pg_pid() { live_pid "$PG_DATA/postmaster.pid" postgres "$PG_DATA"; }
pg_ready() { "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2; }
pg_admin() { # psql as the bootstrap superuser over the Unix socket (trust)
  as_user "$PG_USER" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN/pg" -p "$PG_PORT" -U helpdesk "$@"
}
pg_has_lz4_build() { "$PG_BIN/pg_config" --configure 2>/dev/null | grep -q -- '--with-lz4'; }

pg_init() {
  say "postgres: initdb $PG_DATA (as $PG_USER)"
  local locale_args=(--no-locale)
  locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale_args=(--locale=C.UTF-8)
  printf 'helpdesk\n' >"$PG_DIR/.pwfile"
  chown "$PG_USER" "$PG_DIR/.pwfile"
  chmod 600 "$PG_DIR/.pwfile"
  # The superuser is `helpdesk` itself, like the postgres:15 image with POSTGRES_USER=helpdesk.
  # Unix socket: trust (only this script uses it); TCP: password (scram), the URL carries it.
  as_user "$PG_USER" "$PG_BIN/initdb" -D "$PG_DATA" -U helpdesk --pwfile="$PG_DIR/.pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 "${locale_args[@]}" \
    >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    rm -f "$PG_DIR/.pwfile"
    die "initdb failed; see $PG_DIR/initdb.log"
  }
  rm -f "$PG_DIR/.pwfile"
  printf "\n# settings for the helpdesk test services, rewritten by scripts/services.sh\ninclude_if_exists = 'helpdesk.conf'\n" \
    >>"$PG_DATA/postgresql.conf"
}

pg_write_conf() {
  # port, socket dir and listen address come from the pg_ctl command line (-o), so changing
  # HELPDESK_PG_PORT never needs a new cluster
  {
    echo "# generated by scripts/services.sh on every start; edit the script, not this file"
    echo "max_connections = 200"
    echo "fsync = on                  # tests check crash safety: keep durability real"
    echo "synchronous_commit = on"
    echo "full_page_writes = on"
    echo "shared_buffers = 128MB"
    echo "timezone = 'UTC'"
    echo "log_timezone = 'UTC'"
    echo "log_line_prefix = '%m [%p] %q%u@%d '"
    echo "log_min_messages = warning"
    echo "unix_socket_permissions = 0700"
    if pg_has_lz4_build; then echo "default_toast_compression = lz4"; fi
  } >"$PG_DATA/helpdesk.conf"
}

pg_start() {
  local pid port
  if pid="$(pg_pid)"; then
    port="$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    ensure_same_ports postgres "$port" "$PG_PORT" HELPDESK_PG_PORT
    wait_for postgres "$PG_LOG" "pg_pid" pg_ready
    return 0
  fi
  ensure_port_free "$PG_PORT" HELPDESK_PG_PORT postgres
  mkdir -p "$PG_DIR" "$RUN/pg"
  chown "$PG_USER" "$PG_DIR" "$RUN/pg"
  [[ -f "$PG_DATA/PG_VERSION" ]] || pg_init
  pg_write_conf
  # a postmaster.pid whose pid is dead or reused by another program: Postgres would refuse
  rm -f "$PG_DATA/postmaster.pid"
  say "postgres: starting on $HOST:$PG_PORT"
  as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" \
    -o "-p $PG_PORT -k $RUN/pg -c listen_addresses=$HOST" start >/dev/null || {
    tail -n 20 "$PG_LOG" >&2 || true
    die "postgres did not start; see $PG_LOG"
  }
  wait_for postgres "$PG_LOG" "pg_pid" pg_ready
  pg_bootstrap
}

# role + database (idempotent), then check that lz4 TOAST compression really works
pg_bootstrap() {
  if [[ "$(pg_admin -d postgres -tAc "select 1 from pg_database where datname = 'helpdesk'")" != 1 ]]; then
    pg_admin -d postgres -c "create database helpdesk owner helpdesk" ||
      die "could not create database helpdesk; see $PG_LOG"
  fi
  local toast
  toast="$(pg_admin -d helpdesk -tAc 'show default_toast_compression' || true)"
  if pg_admin -d helpdesk -c 'create temp table lz4_probe (b bytea compression lz4)' >/dev/null 2>&1 &&
    [[ "$toast" == lz4 ]]; then
    echo 1 >"$PG_DIR/lz4"
  else
    echo 0 >"$PG_DIR/lz4"
    warn "this Postgres build has no lz4 TOAST compression (default_toast_compression=$toast); HELPDESK_PG_LZ4=0"
  fi
}

pg_stop() {
  if pg_pid >/dev/null; then
    say "postgres: stopping"
    as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$TIMEOUT" stop >/dev/null ||
      warn "pg_ctl stop failed; see $PG_LOG"
  fi
}

# ---------------------------------------------------------------------------------------------
# Redis

REDIS_DIR="$SVC/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

redis_pid() { live_pid "$REDIS_PIDFILE" redis-server; }
redis_ready() { [[ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

redis_start() {
  if redis_pid >/dev/null; then
    ensure_same_ports redis "$(read_file "$REDIS_DIR/port")" "$REDIS_PORT" HELPDESK_REDIS_PORT
    wait_for redis "$REDIS_LOG" redis_pid redis_ready
    return 0
  fi
  ensure_port_free "$REDIS_PORT" HELPDESK_REDIS_PORT redis
  mkdir -p "$REDIS_DIR/data"
  cat >"$REDIS_DIR/redis.conf" <<EOF
# generated by scripts/services.sh on every start
bind $HOST
port $REDIS_PORT
# bound to loopback only, so protected mode has nothing to add (and would only get in the way)
protected-mode no
daemonize yes
supervised no
pidfile $REDIS_PIDFILE
logfile $REDIS_LOG
loglevel notice
dir $REDIS_DIR/data
# BullMQ requires noeviction: an evicted job key is a lost job
maxmemory-policy noeviction
appendonly yes
appendfsync everysec
EOF
  printf '%s\n' "$REDIS_PORT" >"$REDIS_DIR/port"
  chown -R "$REDIS_USER" "$REDIS_DIR"
  rm -f "$REDIS_PIDFILE"
  say "redis: starting on $HOST:$REDIS_PORT"
  as_user "$REDIS_USER" redis-server "$REDIS_DIR/redis.conf" || die "redis-server failed; see $REDIS_LOG"
  wait_for redis "$REDIS_LOG" "" redis_ready
}

redis_stop() {
  local pid
  if pid="$(redis_pid)"; then
    say "redis: stopping"
    kill -TERM "$pid" # redis saves/fsyncs and exits on SIGTERM
    wait_gone "$pid" redis
  fi
}

# ---------------------------------------------------------------------------------------------
# Dovecot (IMAP + LMTP)

DOVE_DIR="$SVC/dovecot"
DOVE_CONF="$DOVE_DIR/dovecot.conf"
DOVE_LOG="$DOVE_DIR/dovecot.log"
MAIL_ROOT="$SVC/mail"

dove_base() { printf '%s\n' "$RUN/dovecot"; }
dove_pid() { live_pid "$(dove_base)/master.pid" dovecot; }
imap_ready() { [[ "$(greeting "$IMAP_PORT" 'a LOGOUT')" == '* OK'* ]]; }
lmtp_ready() { [[ "$(greeting "$LMTP_PORT" QUIT)" == 220* ]]; }

dove_write_conf() {
  local nonroot=""
  if ((!IS_ROOT)); then
    # running Dovecot without root: no chroot, every process as the invoking user
    nonroot="default_internal_group = $(id -gn)
service anvil {
  chroot =
}
service imap-login {
  chroot =
  user = $DOVE_LOGIN_USER
}
service auth {
  user = $DOVE_INTERNAL_USER
}
service auth-worker {
  user = $DOVE_INTERNAL_USER
}
service lmtp {
  user = $DOVE_INTERNAL_USER
}"
  fi
  cat >"$DOVE_CONF" <<EOF
# Dovecot 2.3 for the helpdesk test services; generated by scripts/services.sh on every start.
# Complete on its own: nothing from /etc/dovecot is included. Check with: dovecot -c $DOVE_CONF -n
# Keep docker/dovecot.conf equivalent.
instance_name = helpdesk-$(printf '%s' "$SVC" | sha1sum | cut -c1-8)
base_dir = $(dove_base)
state_dir = $DOVE_DIR/state
protocols = imap lmtp
listen = $HOST
hostname = mail.helpdesk.test
postmaster_address = postmaster@helpdesk.test

log_path = $DOVE_LOG
auth_verbose = yes

# plain text auth on loopback, no TLS at all
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login

# imap-login refuses to run as root
default_login_user = $DOVE_LOGIN_USER
default_internal_user = $DOVE_INTERNAL_USER
first_valid_uid = $MAIL_UID

# Every address is a mailbox, the password is always "test". User names are full addresses,
# lower-cased; user u@d keeps its mail in $MAIL_ROOT/d/u/Maildir.
auth_username_format = %Lu
passdb {
  driver = static
  args = password=test
}
userdb {
  driver = static
  # allow_all_users: LMTP asks the userdb whether a recipient exists; without this a static
  # userdb would need a passdb lookup first and reject every recipient
  args = uid=$MAIL_UID gid=$MAIL_GID home=$MAIL_ROOT/%d/%n allow_all_users=yes
}
mail_location = maildir:~/Maildir

# support+12.abc@d is delivered to support@d's INBOX
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no

namespace inbox {
  inbox = yes
  mailbox Sent {
    auto = subscribe
    special_use = \Sent
  }
  mailbox Drafts {
    auto = subscribe
    special_use = \Drafts
  }
  mailbox Trash {
    auto = subscribe
    special_use = \Trash
  }
  mailbox Junk {
    auto = no
    special_use = \Junk
  }
  # Processed and Quarantine are not pre-created: clients create them (CREATE is allowed)
}

protocol imap {
  # tests open many connections as the same user from 127.0.0.1
  mail_max_userip_connections = 200
}

# many short connections: keep login processes around instead of one process per login
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 1
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
$nonroot
EOF
}

dove_start() {
  if dove_pid >/dev/null; then
    ensure_same_ports dovecot "$(read_file "$DOVE_DIR/ports")" "$IMAP_PORT/$LMTP_PORT" \
      HELPDESK_IMAP_PORT/HELPDESK_LMTP_PORT
    wait_for "dovecot imap" "$DOVE_LOG" dove_pid imap_ready
    wait_for "dovecot lmtp" "$DOVE_LOG" dove_pid lmtp_ready
    return 0
  fi
  ensure_port_free "$IMAP_PORT" HELPDESK_IMAP_PORT "dovecot imap"
  ensure_port_free "$LMTP_PORT" HELPDESK_LMTP_PORT "dovecot lmtp"
  mkdir -p "$DOVE_DIR/state" "$MAIL_ROOT" "$RUN"
  chown "$MAIL_UID:$MAIL_GID" "$MAIL_ROOT"
  chmod 0775 "$MAIL_ROOT"
  dove_write_conf
  local err
  if ! err="$(dovecot -c "$DOVE_CONF" -n 2>&1 >/dev/null)" || [[ -n "$err" ]]; then
    # doveconf prints warnings (and errors) on stderr: treat both as fatal so they get fixed
    die "dovecot config $DOVE_CONF does not parse cleanly: $err"
  fi
  printf '%s\n' "$IMAP_PORT/$LMTP_PORT" >"$DOVE_DIR/ports"
  rm -f "$(dove_base)/master.pid" # stale (see traps)
  say "dovecot: starting imap on $HOST:$IMAP_PORT, lmtp on $HOST:$LMTP_PORT"
  # stdio away from our caller: the Dovecot master (and its log process) keep the stderr they
  # were started with open forever, so `npm test | tee x` would never see EOF and hang
  dovecot -c "$DOVE_CONF" </dev/null >"$DOVE_DIR/startup.log" 2>&1 9>&- || {
    cat "$DOVE_DIR/startup.log" >&2
    tail -n 20 "$DOVE_LOG" >&2 2>/dev/null || true
    die "dovecot did not start; see $DOVE_LOG"
  }
  wait_for "dovecot imap" "$DOVE_LOG" "" imap_ready
  wait_for "dovecot lmtp" "$DOVE_LOG" "" lmtp_ready
}

dove_stop() {
  local pid
  if pid="$(dove_pid)"; then
    say "dovecot: stopping"
    kill -TERM "$pid"
    wait_gone "$pid" dovecot
  fi
}

# ---------------------------------------------------------------------------------------------
# SMTP front (scripts/smtp-relay.ts)

RELAY_DIR="$SVC/smtp-relay"
RELAY_PIDFILE="$RELAY_DIR/relay.pid"
RELAY_LOG="$RELAY_DIR/relay.log"

relay_pid() { live_pid "$RELAY_PIDFILE" node smtp-relay; }
# just after the launch the pid may still be `setsid`/`nohup` on its way to exec node
relay_alive() { proc_alive "$(head -n1 "$RELAY_PIDFILE" 2>/dev/null | tr -dc 0-9)"; }
smtp_ready() { [[ "$(greeting "$SMTP_PORT" QUIT)" == 220* ]]; }

relay_start() {
  if relay_pid >/dev/null; then
    ensure_same_ports "smtp relay" "$(read_file "$RELAY_DIR/ports")" "$SMTP_PORT/$LMTP_PORT" \
      HELPDESK_SMTP_PORT/HELPDESK_LMTP_PORT
    wait_for "smtp relay" "$RELAY_LOG" relay_pid smtp_ready
    return 0
  fi
  ensure_port_free "$SMTP_PORT" HELPDESK_SMTP_PORT "smtp relay"
  command -v node >/dev/null 2>&1 || die "node is not on PATH (needed for the SMTP relay)"
  local mod
  for mod in tsx smtp-server nodemailer; do
    [[ -d "$ROOT/node_modules/$mod" ]] || die "node_modules/$mod is missing in $ROOT: run 'npm ci' first"
  done
  mkdir -p "$RELAY_DIR"
  printf '%s\n' "$SMTP_PORT/$LMTP_PORT" >"$RELAY_DIR/ports"
  rm -f "$RELAY_PIDFILE"
  say "smtp relay: starting on $HOST:$SMTP_PORT -> lmtp $HOST:$LMTP_PORT"
  # setsid + nohup: survive the end of this script, npm, and Ctrl-C in the terminal. The relay
  # also writes its own pid file once it listens. `--import tsx` resolves from the cwd.
  (
    cd "$ROOT"
    HELPDESK_SMTP_HOST="$HOST" HELPDESK_SMTP_PORT="$SMTP_PORT" \
      HELPDESK_LMTP_HOST="$HOST" HELPDESK_LMTP_PORT="$LMTP_PORT" \
      HELPDESK_SMTP_RELAY_PIDFILE="$RELAY_PIDFILE" \
      setsid nohup node --import tsx scripts/smtp-relay.ts >>"$RELAY_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$RELAY_PIDFILE"
  )
  wait_for "smtp relay" "$RELAY_LOG" relay_alive smtp_ready
}

relay_stop() {
  local pid
  if pid="$(relay_pid)"; then
    say "smtp relay: stopping"
    kill -TERM "$pid"
    wait_gone "$pid" "smtp relay"
  fi
}

# wait for PID to exit (SIGKILL after the timeout)
wait_gone() {
  local pid=$1 what=$2 deadline=$((SECONDS + TIMEOUT))
  while proc_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$what (pid $pid) did not stop within ${TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# the env file

# A random HELPDESK_SECRET (it keys the reply-address tokens), made once per checkout and kept in
# .services/secret so it survives restarts.
local_secret() {
  if [[ ! -s "$SVC/secret" ]]; then
    mkdir -p "$SVC"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SVC/secret.tmp")
    mv -f "$SVC/secret.tmp" "$SVC/secret"
  fi
  cat "$SVC/secret"
}

env_lines() {
  local secret
  secret="$(local_secret)"
  cat <<EOF
DATABASE_URL=postgres://helpdesk:helpdesk@$HOST:$PG_PORT/helpdesk
REDIS_URL=redis://$HOST:$REDIS_PORT
IMAP_URL=imap://support%40trinax.example:test@$HOST:$IMAP_PORT/INBOX
SMTP_URL=smtp://$HOST:$SMTP_PORT
HELPDESK_PG_HOST=$HOST
HELPDESK_PG_PORT=$PG_PORT
HELPDESK_PG_LZ4=$(read_file "$PG_DIR/lz4" | tr -dc 01)
HELPDESK_REDIS_HOST=$HOST
HELPDESK_REDIS_PORT=$REDIS_PORT
HELPDESK_IMAP_HOST=$HOST
HELPDESK_IMAP_PORT=$IMAP_PORT
HELPDESK_LMTP_HOST=$HOST
HELPDESK_LMTP_PORT=$LMTP_PORT
HELPDESK_SMTP_HOST=$HOST
HELPDESK_SMTP_PORT=$SMTP_PORT
HELPDESK_MAIL_ROOT=$MAIL_ROOT
HELPDESK_MAIL_UID=$MAIL_UID
HELPDESK_MAIL_GID=$MAIL_GID
HELPDESK_SERVICES_DIR=$SVC
HELPDESK_SECRET=$secret
EOF
}

write_env() {
  env_lines >"$SVC/env.tmp"
  mv -f "$SVC/env.tmp" "$SVC/env" # atomic: readers never see half a file
}

# ---------------------------------------------------------------------------------------------
# commands

lock() {
  mkdir -p "$SVC"
  exec 9>"$SVC/.lock"
  flock -w "$((TIMEOUT * 5))" 9 || die "another services.sh holds $SVC/.lock"
}

cmd_start() {
  local t0=$SECONDS
  check_config
  ensure_packages
  lock
  pick_users
  pick_run_dir
  mkdir -p "$RUN"
  grant_traverse "$SVC"
  grant_traverse "$RUN"
  pg_start
  redis_start
  dove_start
  relay_start
  write_env
  say "all up in $((SECONDS - t0))s: postgres :$PG_PORT, redis :$REDIS_PORT, imap :$IMAP_PORT, lmtp :$LMTP_PORT, smtp :$SMTP_PORT (settings: $SVC/env)"
}

cmd_stop() {
  lock
  pick_users
  pick_run_dir
  relay_stop
  dove_stop
  redis_stop
  pg_stop
  # the short socket dir outside .services (long checkout paths only): ours alone, by exact name
  if [[ "$RUN" == /tmp/hd-services-* ]] && ! pg_pid >/dev/null && ! dove_pid >/dev/null; then
    rm -rf -- "$RUN"
  fi
  say "stopped"
}

cmd_status() {
  pick_users
  pick_run_dir
  local bad=0 pid
  row() { printf '%-11s %-8s %-10s %s\n' "$@"; }
  if pid="$(pg_pid)" && pg_ready; then row postgres up "pid $pid" "$HOST:$PG_PORT"; else
    row postgres down - "$HOST:$PG_PORT  log: $PG_LOG"
    bad=1
  fi
  if pid="$(redis_pid)" && redis_ready; then row redis up "pid $pid" "$HOST:$REDIS_PORT"; else
    row redis down - "$HOST:$REDIS_PORT  log: $REDIS_LOG"
    bad=1
  fi
  if pid="$(dove_pid)" && imap_ready && lmtp_ready; then
    row dovecot up "pid $pid" "imap $HOST:$IMAP_PORT, lmtp $HOST:$LMTP_PORT"
  else
    row dovecot down - "imap $HOST:$IMAP_PORT, lmtp $HOST:$LMTP_PORT  log: $DOVE_LOG"
    bad=1
  fi
  if pid="$(relay_pid)" && smtp_ready; then row smtp-relay up "pid $pid" "$HOST:$SMTP_PORT"; else
    row smtp-relay down - "$HOST:$SMTP_PORT  log: $RELAY_LOG"
    bad=1
  fi
  return $((bad ? 3 : 0))
}

cmd_env() {
  pick_users
  env_lines
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
restart)
  cmd_stop
  cmd_start
  ;;
status) cmd_status ;;
env) cmd_env ;;
*)
  echo "usage: bash scripts/services.sh start|stop|restart|status|env" >&2
  exit 2
  ;;
esac
