#!/usr/bin/env bash
# Cluster failover benchmark, Shoal beside Redis 7.0 in one run: a 3+3
# cluster (redis-cli --cluster create, appendonly no), a client writing
# SET {fo}:i continuously to one master's slot, kill -9 of that master.
# Measured (median of RUNS, default 3), at cluster-node-timeout 5000 and
# 2000, with and without WAIT 1 after every write:
#   promotion   kill -9 -> the replica answers ROLE master
#   first write kill -9 -> first SET sent after the kill acknowledged
#   lost        acknowledged writes missing on the new master (with WAIT:
#               writes whose WAIT 1 reported the replica had them)
# The test is test/integration's TestClusterFailoverKill; this script runs
# it with FAILOVER_BIN set to each server.
#   bench/failover.sh                 # RUNS=3 TIMEOUTS="5000 2000"
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
TIMEOUTS=${TIMEOUTS:-"5000 2000"}
REDIS=${REDIS:-$(command -v redis-server)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
go build -o bin/ ./cmd/...
go test -c -o "$WORK/integration.test" ./test/integration/
SHOAL=$PWD/bin/shoal-server

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print a[int((NR+1)/2)]}'; }

for t in $TIMEOUTS; do
  for bin in "$REDIS" "$SHOAL"; do
    FAILOVER_BIN=$bin FAILOVER_NODE_TIMEOUT=$t "$WORK/integration.test" \
      -test.run '^TestClusterFailoverKill$' -test.count "$RUNS" -test.v 2>&1 |
      grep '^FAILOVER-RESULT' >>"$WORK/results" || true
  done
done

printf '%-13s %-7s %-5s %8s %12s %14s %5s\n' server timeout wait runs promotion_ms first_write_ms lost
for t in $TIMEOUTS; do
  for bin in "$REDIS" "$SHOAL"; do
    name=$(basename "$bin")
    for wait in false true; do
      sel=$(grep -F "bin=$name node-timeout=$t wait=$wait " "$WORK/results" || true)
      n=$(printf '%s' "$sel" | grep -c . || true)
      field() { printf '%s\n' "$sel" | grep -o "$1=[0-9]*" | cut -d= -f2 | median; }
      printf '%-13s %-7s %-5s %8s %12s %14s %5s\n' "$name" "$t" "$wait" "$n" \
        "$(field promotion_ms)" "$(field first_write_ms)" "$(field lost)"
    done
  done
done
