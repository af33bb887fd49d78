#!/usr/bin/env bash
# Installs (OS packages and language registries) and starts the real servers the
# suite needs, under a gitignored state dir, bound to 127.0.0.1 only.
#
#   bash deploy/local/infra.sh up       install what is missing, start what is not answering
#   bash deploy/local/infra.sh down     stop what this script started
#   bash deploy/local/infra.sh status   which servers answer
#   bash deploy/local/infra.sh env      print the URLs as shell exports
#
# A server that already answers on its port is reused, never started twice.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${LMS_STATE_DIR:-$ROOT/.lms}"
mkdir -p "$STATE"/{bin,logs,run}
STATE="$(cd "$STATE" && pwd)"

PG_PORT="${LMS_PG_PORT:-5432}"
REDIS_PORT="${LMS_REDIS_PORT:-6379}"
AMQP_PORT="${LMS_AMQP_PORT:-5672}"
RABBIT_MGMT_PORT="${LMS_RABBIT_MGMT_PORT:-15672}"
RABBIT_DIST_PORT="${LMS_RABBIT_DIST_PORT:-25672}"
MONGO_PORT="${LMS_MONGO_PORT:-27017}"
ZIPKIN_PORT="${LMS_ZIPKIN_PORT:-9411}"
ZIPKIN_VERSION="${LMS_ZIPKIN_VERSION:-3.5.1}"
FERRETDB_VERSION="v1.24.2"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port name seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done
  die "$2 did not open port $1 within $3 s; see $STATE/logs/$2.log"
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* with your package manager"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ "$APT_UPDATED" = 0 ]; then $sudo apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >"$STATE/logs/apt.log" 2>&1 \
    || die "apt-get install $* failed; see $STATE/logs/apt.log"
}

secret() { # name: a random password generated once per state dir, never committed
  local f="$STATE/secrets/$1"
  mkdir -p "$STATE/secrets"; chmod 700 "$STATE/secrets"
  [ -s "$f" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$f")
  cat "$f"
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

start_postgres() {
  if port_open "$PG_PORT"; then log "postgres: reusing the server on :$PG_PORT"; return; fi
  local bin; bin="$(pg_bin)" || { apt_install postgresql; bin="$(pg_bin)"; }
  local data="$STATE/pg/data" pw; pw="$(secret postgres)"
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if [ ! -s "$data/PG_VERSION" ]; then
    log "postgres: initdb in $data"
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE/pg"
    printf '%s\n' "$pw" >"$STATE/pg/pwfile"; [ "$(id -u)" = 0 ] && chown postgres: "$STATE/pg/pwfile"
    "${as[@]}" "$bin/initdb" -D "$data" -U postgres --pwfile="$STATE/pg/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STATE/logs/postgres-init.log" 2>&1 \
      || die "initdb failed; see $STATE/logs/postgres-init.log"
    rm -f "$STATE/pg/pwfile"
  fi
  log "postgres: starting on 127.0.0.1:$PG_PORT"
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$STATE/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STATE/pg -c max_connections=300 -c shared_buffers=256MB -c fsync=${LMS_PG_FSYNC:-on} -c synchronous_commit=${LMS_PG_SYNC_COMMIT:-on}" start >/dev/null \
    || die "postgres did not start; see $STATE/pg/postgres.log"
  echo "$bin" >"$STATE/run/postgres.bin"
}

stop_postgres() {
  [ -f "$STATE/run/postgres.bin" ] || return 0
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$(cat "$STATE/run/postgres.bin")/pg_ctl" -D "$STATE/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -f "$STATE/run/postgres.bin"
}

# --------------------------------------------------------------------- Redis
start_redis() {
  if port_open "$REDIS_PORT"; then log "redis: reusing the server on :$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$STATE/redis"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE/redis" --daemonize yes \
    --pidfile "$STATE/run/redis.pid" --logfile "$STATE/logs/redis.log" --save "" --appendonly no >/dev/null
  wait_port "$REDIS_PORT" redis 20
}

stop_redis() { stop_pidfile redis; }

# ------------------------------------------------------------------ RabbitMQ
rabbit_env() {
  export RABBITMQ_NODENAME="lms@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$STATE/rabbitmq/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins" RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq"
  export RABBITMQ_PID_FILE="$STATE/run/rabbitmq.pid" HOME="$STATE/rabbitmq"
}

start_rabbitmq() {
  if port_open "$AMQP_PORT"; then log "rabbitmq: reusing the broker on :$AMQP_PORT"; return; fi
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || apt_install rabbitmq-server
  mkdir -p "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
  echo '[rabbitmq_management].' >"$STATE/rabbitmq/enabled_plugins"
  cat >"$STATE/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users.guest = true
vm_memory_high_watermark.relative = 0.3
EOF
  log "rabbitmq: starting on 127.0.0.1:$AMQP_PORT (management UI :$RABBIT_MGMT_PORT)"
  (
    rabbit_env
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$STATE/logs/rabbitmq.log" 2>&1 &
    echo $! >"$STATE/run/rabbitmq.launcher"
  )
  wait_port "$AMQP_PORT" rabbitmq 90
  touch "$STATE/run/rabbitmq.started"
}

stop_rabbitmq() {
  [ -f "$STATE/run/rabbitmq.started" ] || return 0
  (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1) || stop_pidfile rabbitmq
  rm -f "$STATE/run/rabbitmq.started" "$STATE/run/rabbitmq.launcher"
}

# ------------------------------------------- MongoDB (mongod, else FerretDB)
start_mongo() {
  if port_open "$MONGO_PORT"; then log "mongodb: reusing the server on :$MONGO_PORT"; return; fi
  mkdir -p "$STATE/mongo"
  if command -v mongod >/dev/null; then
    log "mongodb: starting mongod on 127.0.0.1:$MONGO_PORT"
    mongod --bind_ip 127.0.0.1 --port "$MONGO_PORT" --dbpath "$STATE/mongo" --fork \
      --pidfilepath "$STATE/run/mongo.pid" --logpath "$STATE/logs/mongo.log" >/dev/null
  else
    local ferret="$STATE/bin/ferretdb"
    if [ ! -x "$ferret" ]; then
      command -v go >/dev/null || apt_install golang-go
      log "mongodb: building FerretDB $FERRETDB_VERSION from the Go module proxy (one time, a few minutes)"
      build_ferretdb >"$STATE/logs/ferretdb-build.log" 2>&1 || die "FerretDB build failed; see $STATE/logs/ferretdb-build.log"
    fi
    log "mongodb: starting FerretDB (SQLite backend) on 127.0.0.1:$MONGO_PORT"
    setsid nohup "$ferret" --listen-addr="127.0.0.1:$MONGO_PORT" --handler=sqlite --sqlite-url="file:$STATE/mongo/" \
      --state-dir="$STATE/mongo" --telemetry=disable --log-level=warn --debug-addr=- >"$STATE/logs/mongo.log" 2>&1 &
    echo $! >"$STATE/run/mongo.pid"
  fi
  wait_port "$MONGO_PORT" mongo 30
}

stop_mongo() { stop_pidfile mongo; }

# FerretDB embeds build/version/version.txt, which the published module leaves
# empty, so it is built from a writable copy of the module with the file filled.
build_ferretdb() {
  set -e
  local dir src="$STATE/src/ferretdb"
  dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || return 1
  rm -rf "$src"; mkdir -p "$(dirname "$src")"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && go build -trimpath -o "$STATE/bin/ferretdb" ./cmd/ferretdb)
}

# -------------------------------------------------------------------- Zipkin
start_zipkin() {
  if port_open "$ZIPKIN_PORT"; then log "zipkin: reusing the server on :$ZIPKIN_PORT"; return; fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  local jar="$STATE/bin/zipkin-server-$ZIPKIN_VERSION-exec.jar"
  if [ ! -s "$jar" ]; then
    command -v mvn >/dev/null || apt_install maven
    log "zipkin: fetching io.zipkin:zipkin-server:$ZIPKIN_VERSION:exec with Maven"
    mvn -q dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -DoutputDirectory="$STATE/bin" \
      -Dmdep.overWriteIfNewer=true >"$STATE/logs/zipkin-fetch.log" 2>&1 || die "could not fetch Zipkin; see $STATE/logs/zipkin-fetch.log"
  fi
  log "zipkin: starting on 127.0.0.1:$ZIPKIN_PORT"
  # In-memory storage: cap the spans kept so long test and benchmark runs cannot exhaust the heap.
  MEM_MAX_SPANS="${LMS_ZIPKIN_MAX_SPANS:-100000}" setsid nohup java -Xms64m -Xmx512m -XX:+UseSerialGC -jar "$jar" \
    --armeria.ports[0].port="$ZIPKIN_PORT" --armeria.ports[0].ip=127.0.0.1 --armeria.ports[0].protocols=http \
    >"$STATE/logs/zipkin.log" 2>&1 &
  echo $! >"$STATE/run/zipkin.pid"
  wait_port "$ZIPKIN_PORT" zipkin 90
}

stop_zipkin() { stop_pidfile zipkin; }

stop_pidfile() {
  local f="$STATE/run/$1.pid"
  [ -f "$f" ] || return 0
  local pid; pid="$(cat "$f")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

# ----------------------------------------------------------------------- env
print_env() {
  local pg_admin="${LMS_PG_ADMIN_URL:-postgres://postgres:$(secret postgres)@127.0.0.1:$PG_PORT/postgres}"
  cat <<EOF
export LMS_PG_ADMIN_URL='$pg_admin'
export REDIS_URL='${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}'
export AMQP_URL='${AMQP_URL:-amqp://guest:guest@127.0.0.1:$AMQP_PORT}'
export RABBITMQ_MANAGEMENT_URL='${RABBITMQ_MANAGEMENT_URL:-http://guest:guest@127.0.0.1:$RABBIT_MGMT_PORT}'
export MONGO_URL='${MONGO_URL:-mongodb://127.0.0.1:$MONGO_PORT}'
export ZIPKIN_URL='${ZIPKIN_URL:-http://127.0.0.1:$ZIPKIN_PORT}'
EOF
}

status() {
  local name port
  for pair in "postgres:$PG_PORT" "redis:$REDIS_PORT" "rabbitmq:$AMQP_PORT" "mongodb:$MONGO_PORT" "zipkin:$ZIPKIN_PORT"; do
    name="${pair%%:*}"; port="${pair##*:}"
    if port_open "$port"; then echo "$name 127.0.0.1:$port up"; else echo "$name 127.0.0.1:$port down"; fi
  done
}

case "${1:-up}" in
  up)
    # The slow starters (RabbitMQ, Zipkin) boot while the others are checked.
    start_postgres
    start_redis
    start_mongo
    start_rabbitmq &
    rabbit=$!
    start_zipkin &
    zipkin=$!
    wait "$rabbit" || die "rabbitmq failed to start"
    wait "$zipkin" || die "zipkin failed to start"
    print_env >"$STATE/infra.env"
    log "all servers answer; URLs in $STATE/infra.env"
    ;;
  down) stop_zipkin; stop_rabbitmq; stop_mongo; stop_redis; stop_postgres ;;
  status) status ;;
  restart-rabbitmq)
    # Stops and starts the broker application (the Erlang node stays up): connections drop,
    # durable queues and persistent messages survive.
    (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl stop_app >/dev/null && /usr/lib/rabbitmq/bin/rabbitmqctl start_app >/dev/null) \
      || die "rabbitmqctl stop_app/start_app failed"
    wait_port "$AMQP_PORT" rabbitmq 60
    log "rabbitmq restarted"
    ;;
  env) print_env ;;
  *) die "usage: $0 up|down|status|env" ;;
esac
