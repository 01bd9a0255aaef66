#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: made in a fresh temp folder, served on a free
# loopback port, removed with everything in it when the command it wraps ends (or is stopped).
#
#   scripts/postgres-cluster.sh with COMMAND [ARGS...]   run COMMAND with CLEARANCE_TEST_POSTGRES (and _DATA) set
#   scripts/postgres-cluster.sh available                exit 0 when PostgreSQL's server programs are installed
#
# There is no separate start and stop: a server left to outlive this script would be adopted
# by PID 1, which on these machines reaps orphans late (a `[postgres] <defunct>` stays behind),
# so the server is always this script's own child and is stopped before it exits.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/postgres-cluster.sh with COMMAND [ARGS...]
       scripts/postgres-cluster.sh available

with       Make a throwaway PostgreSQL cluster (initdb in a new folder under /tmp, the server on
           a free port on 127.0.0.1 only, password login over TCP), create the role `clearance`
           (allowed to create databases) and its database `clearance_test`, then run COMMAND with
           CLEARANCE_TEST_POSTGRES=postgres://clearance:PASSWORD@127.0.0.1:PORT/clearance_test
           in its environment, CLEARANCE_TEST_POSTGRES_DATA naming the cluster's data folder
           (tests read it to show what never reaches PostgreSQL's files) and
           CLEARANCE_TEST_POSTGRES_ADMIN, the same server as its superuser (tests that edit a
           ledger's tables behind its back use it). When COMMAND ends, or this script is interrupted, the server is
           stopped and the folder deleted. Exits with COMMAND's status.
available  Exit 0 when PostgreSQL's server programs (initdb, postgres, pg_ctl, pg_isready) are
           installed, 1 otherwise.

The programs are taken from the newest /usr/lib/postgresql/*/bin (Debian's postgresql
package), or from $POSTGRES_BIN. As root, the server runs as the `postgres` user.
$POSTGRES_SHARED_BUFFERS (e.g. 1GB) sets the server's shared_buffers; by default it is
PostgreSQL's own (128MB), which the tests' small ledgers never fill.
EOF
}

find_bin() {
    local dir
    if [ -n "${POSTGRES_BIN:-}" ]; then dir=$POSTGRES_BIN
    else dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    [ -n "$dir" ] || return 1
    for program in initdb postgres pg_ctl pg_isready; do [ -x "$dir/$program" ] || return 1; done
    echo "$dir"
}

case "${1:-}" in
    available) find_bin > /dev/null; exit ;;
    with) shift; [ $# -gt 0 ] || { echo "postgres-cluster: \`with\` needs a command to run" >&2; usage >&2; exit 2; } ;;
    -h|--help|help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac

PGBIN=$(find_bin) || {
    echo "postgres-cluster: PostgreSQL's server programs are not installed (apt-get install postgresql, or set POSTGRES_BIN)" >&2
    exit 1
}

# initdb refuses to run as root: as root the cluster belongs to the postgres user.
RUNAS=()
if [ "$(id -u)" = 0 ]; then
    id postgres > /dev/null 2>&1 || { echo "postgres-cluster: running as root, but there is no postgres user to run the server as" >&2; exit 1; }
    RUNAS=(runuser -u postgres --)
fi

DIR=$(mktemp -d /tmp/clearance-pg.XXXXXX)
chmod 700 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$DIR"
SERVER=
COMMAND=

# The process ids of $1 and everything it started, parents first.
process_tree() {
    local child
    echo "$1"
    for child in $(ps -o pid= --ppid "$1" 2> /dev/null); do process_tree "$child"; done
}

# Stops the command and the server and removes the folder, whatever state the start reached.
# `set +e`: one failing step here must not skip the others (the server would be left running).
cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM HUP
    if [ -n "$COMMAND" ] && kill -0 "$COMMAND" 2> /dev/null; then
        # The whole tree: `swift test` exits on TERM without stopping the test process it started.
        local tree
        tree=$(process_tree "$COMMAND")
        kill -TERM $tree 2> /dev/null
        wait "$COMMAND" 2> /dev/null
        for _ in $(seq 50); do kill -0 $tree 2> /dev/null || break; sleep 0.1; done
        kill -KILL $tree 2> /dev/null
    fi
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2> /dev/null; then
        # Fast shutdown: rolls back open transactions and disconnects clients.
        "${RUNAS[@]}" "$PGBIN/pg_ctl" stop -D "$DIR/data" -m fast -w -t 30 > /dev/null 2>&1 || kill -KILL "$SERVER" 2> /dev/null
        wait "$SERVER" 2> /dev/null
    fi
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if ! "${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --no-sync -E UTF8 --locale=C.UTF-8 > "$DIR/initdb.log" 2>&1; then
    echo "postgres-cluster: initdb failed:" >&2; cat "$DIR/initdb.log" >&2; exit 1
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# The server is started as this script's child (not `pg_ctl start`, which detaches it; see the
# top). The port is free when asked for but could be taken before the server binds it: retry.
# fsync is off: the cluster is thrown away, and durability is not what these tests check.
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    "${RUNAS[@]}" "$PGBIN/postgres" -D "$DIR/data" -p "$PORT" -c listen_addresses=127.0.0.1 -k "$DIR" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 \
        ${POSTGRES_SHARED_BUFFERS:+-c "shared_buffers=$POSTGRES_SHARED_BUFFERS"} \
        > "$DIR/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 600); do   # up to 60 s on a busy machine
        "$PGBIN/pg_isready" -q -h "$DIR" -p "$PORT" && break
        kill -0 "$SERVER" 2> /dev/null || break
        sleep 0.1
    done
    "$PGBIN/pg_isready" -q -h "$DIR" -p "$PORT" && break
    kill -KILL "$SERVER" 2> /dev/null || true
    wait "$SERVER" 2> /dev/null || true
    SERVER=
    if [ "$attempt" = 5 ]; then
        echo "postgres-cluster: the server did not start:" >&2; cat "$DIR/server.log" >&2; exit 1
    fi
done

# A fresh password each time; hex, so it needs no percent-encoding in the address.
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
"${RUNAS[@]}" "$PGBIN/psql" -qX -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres \
    -c "ALTER ROLE postgres PASSWORD '$PASSWORD'" \
    -c "CREATE ROLE clearance LOGIN CREATEDB PASSWORD '$PASSWORD'" \
    -c "CREATE DATABASE clearance_test OWNER clearance" > /dev/null

export CLEARANCE_TEST_POSTGRES="postgres://clearance:$PASSWORD@127.0.0.1:$PORT/clearance_test"
# The cluster's files, for tests that read what PostgreSQL wrote to disk (erasure's).
export CLEARANCE_TEST_POSTGRES_DATA="$DIR/data"
# The superuser, for tests that edit a ledger's tables behind its back with the references
# switched off (session_replication_role), as they edit a SQLite file with foreign_keys off.
export CLEARANCE_TEST_POSTGRES_ADMIN="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/clearance_test"
echo "postgres-cluster: $("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /') on 127.0.0.1:$PORT, database clearance_test, in $DIR (removed afterwards)" >&2

# In the background and waited for: bash runs a trap only once a foreground command has ended,
# while `wait` returns as soon as a signal arrives, so an interrupt stops everything at once.
"$@" <&0 &
COMMAND=$!
set +e
wait "$COMMAND"
status=$?
set -e
COMMAND=
exit "$status"
