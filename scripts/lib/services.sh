# Postgres and Redis from Debian, and the OPA server, started on loopback for the production-settings
# test run. Each gets a throw-away data directory and a free port; stop_services undoes it all.

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
SERVICES_DIR=""

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
    local port; port="$(free_port)"
    local data="$SERVICES_DIR/pg"
    mkdir -p "$data"
    local as_pg=()
    # Postgres refuses to run as root: run it as the postgres user Debian's package creates.
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$SERVICES_DIR" "$data"; as_pg=(runuser -u postgres --); fi
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$data" -U mtvweb --auth=trust -E UTF8 >/dev/null
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null
    PG_STOP=("${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate stop)
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U mtvweb mtvweb
    export DATABASE_URL="postgres://mtvweb@127.0.0.1:$port/mtvweb"
    log "Postgres on 127.0.0.1:$port"
}

start_redis() {
    local port; port="$(free_port)"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
        --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" --dir "$SERVICES_DIR"
    local i; for i in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "Redis on 127.0.0.1:$port"
}

# The validation service as production runs it: only requests with its token are served
# (providers/validation/opa.py).
start_opa() {
    local port; port="$(free_port)"
    export MTVWEB_OPA_TOKEN; MTVWEB_OPA_TOKEN="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    (cd "$ROOT" && exec python -m providers.validation.opa --addr "127.0.0.1:$port" --binary "$CACHE/bin/opa") \
        > "$SERVICES_DIR/opa.log" 2>&1 &
    OPA_PID=$!
    local i; for i in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
    export MTVWEB_OPA_URL="http://127.0.0.1:$port"
    log "OPA on 127.0.0.1:$port (token required)"
}

start_services() {
    SERVICES_DIR="$(mktemp -d /tmp/mtvweb-services.XXXXXX)"
    chmod 755 "$SERVICES_DIR"
    start_postgres
    start_redis
    start_opa
}

stop_services() {
    [ -n "$SERVICES_DIR" ] || return 0
    [ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true
    [ -f "$SERVICES_DIR/redis.pid" ] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
    [ -n "${OPA_PID:-}" ] && kill "$OPA_PID" 2>/dev/null || true
    rm -rf "$SERVICES_DIR"
}
