#!/usr/bin/env bash
# Start a Dask scheduler and two workers on this machine (loopback only), render reports on them
# with `sco-research render --scheduler`, and stop the cluster whatever happens.
#
#   scripts/cluster_demo.sh [VENV] [render arguments...]
#   default arguments: 'membership-map-*' --force
set -euo pipefail
VENV=${1:-.venv}
shift || true
if [ "$#" -eq 0 ]; then set -- 'membership-map-*' --force; fi
BIN=$(cd "$VENV/bin" && pwd)  # absolute: the workers start in other folders
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sco-research-cluster.XXXXXX")
PIDS=()
stop() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$BIN/dask" scheduler --host 127.0.0.1 --port 0 --no-dashboard \
    --scheduler-file "$TMP/scheduler.json" >"$TMP/scheduler.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/scheduler.json" ] && break; sleep 0.1; done
for i in 1 2; do
    # Each worker starts in its own empty folder: it needs only the installed package.
    mkdir -p "$TMP/worker-$i"
    (cd "$TMP/worker-$i" && exec "$BIN/dask" worker --scheduler-file "$TMP/scheduler.json" \
        --nthreads 1 --host 127.0.0.1 --no-dashboard >"$TMP/worker-$i.log" 2>&1) &
    PIDS+=($!)
done
echo "cluster: scheduler $(sed -n 's/.*"address": "\(.*\)".*/\1/p' "$TMP/scheduler.json"), 2 workers"
"$BIN/sco-research" render --scheduler "$TMP/scheduler.json" "$@"
