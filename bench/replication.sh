#!/usr/bin/env bash
# Replication figures, shoal-server beside redis-server 7.0:
#  1. SET on a master with one replica attached (redis-benchmark, 50
#     clients): requests/s, and CPU time per request of the master and of
#     the replica (utime+stime from /proc/PID/stat, which a busy machine
#     disturbs less than throughput), median of RUNS interleaved runs.
#  2. Full sync of KEYS keys (DEBUG POPULATE) to a new replica: disk-based
#     (repl-diskless-sync no), diskless (repl-diskless-sync yes, the replica
#     writing the payload to disk before loading it, repl-diskless-load
#     disabled) and diskless-load (repl-diskless-sync yes, the replica
#     loading from the socket, repl-diskless-load on-empty-db): seconds from
#     REPLICAOF until the replica's link is up with every key loaded, and
#     the CPU seconds the master (with Redis's fork child) and the replica
#     spent meanwhile (which a busy machine disturbs less), median of RUNS.
#   bench/replication.sh
# Environment: RUNS (default 3), N (SET requests per run, default 200000),
# PIPELINES (default "1 16"), KEYS (default 1000000), PARTS (default
# "set sync": which of the two to run), BASE (first port, default 17400).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
N=${N:-200000}
PIPELINES=${PIPELINES:-"1 16"}
KEYS=${KEYS:-1000000}
BASE=${BASE:-17400}
PARTS=${PARTS:-"set sync"}
go build -o bin/ ./cmd/...
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

start() { # bin port -> pid (args after port go to the server)
  local bin=$1 port=$2; shift 2
  mkdir -p "$TMP/$port"
  "$bin" --port "$port" --dir "$TMP/$port" --save "" --appendonly no --enable-debug-command yes "$@" >"$TMP/$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  echo $pid
}
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # clock ticks
cpuall() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; } # with reaped children
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
field() { redis-cli -p "$1" info replication | tr -d '\r' | awk -F: -v f="$2" '$1==f{print $2}'; }
waitsync() { # master replica
  while [ "$(field "$2" master_link_status)" != up ] || [ "$(field "$2" slave_repl_offset)" != "$(field "$1" master_repl_offset)" ]; do sleep 0.01; done
}

if [[ " $PARTS " == *" set "* ]]; then
echo "== SET with one replica attached (c=50, n=$N)"
declare -A MPID RPID_ PORTM PORTR
i=0
for kind in shoal redis; do
  bin=./bin/shoal-server; [ $kind = redis ] && bin=redis-server
  PORTM[$kind]=$((BASE + i)); PORTR[$kind]=$((BASE + i + 1)); i=$((i + 2))
  MPID[$kind]=$(start $bin ${PORTM[$kind]})
  RPID_[$kind]=$(start $bin ${PORTR[$kind]} --replicaof 127.0.0.1 ${PORTM[$kind]})
  PIDS+=(${MPID[$kind]} ${RPID_[$kind]})
done
for kind in shoal redis; do waitsync ${PORTM[$kind]} ${PORTR[$kind]}; done
printf '%-6s %3s %12s %14s %15s\n' server P rps master_us/req replica_us/req
for P in $PIPELINES; do
  declare -A RPS MUS RUS
  for kind in shoal redis; do RPS[$kind]=""; MUS[$kind]=""; RUS[$kind]=""; done
  for _ in $(seq "$RUNS"); do
    for kind in shoal redis; do
      m=${MPID[$kind]} r=${RPID_[$kind]}
      m0=$(cpu $m) r0=$(cpu $r)
      rps=$(redis-benchmark -p ${PORTM[$kind]} -c 50 -n "$N" -P "$P" -t set -r 100000 --csv 2>/dev/null | awk -F'","' 'NR==2{print $2}')
      waitsync ${PORTM[$kind]} ${PORTR[$kind]}
      m1=$(cpu $m) r1=$(cpu $r)
      RPS[$kind]+="$rps "
      MUS[$kind]+="$(echo "($m1 - $m0) * 1000000 / $hz / $N" | bc -l) "
      RUS[$kind]+="$(echo "($r1 - $r0) * 1000000 / $hz / $N" | bc -l) "
    done
  done
  for kind in shoal redis; do
    printf '%-6s %3s %12s %14.2f %15.2f\n' $kind "$P" \
      "$(printf '%s\n' ${RPS[$kind]} | median)" "$(printf '%s\n' ${MUS[$kind]} | median)" "$(printf '%s\n' ${RUS[$kind]} | median)"
  done
done
for kind in shoal redis; do
  kill ${MPID[$kind]} ${RPID_[$kind]}
done

fi

if [[ " $PARTS " == *" sync "* ]]; then
echo "== Full sync of $KEYS keys to a new replica: wall seconds, and CPU seconds of master (with its fork children) and replica"
printf '%-6s %-36s %8s %11s %12s\n' server mode wall master_cpu replica_cpu
i=10
for kind in shoal redis; do
  bin=./bin/shoal-server; [ $kind = redis ] && bin=redis-server
  for mode in no:disabled yes:disabled yes:on-empty-db; do
    mp=$((BASE + i)); i=$((i + 1))
    m=$(start $bin $mp --repl-diskless-sync ${mode%%:*} --repl-diskless-sync-delay 0)
    PIDS+=($m)
    redis-cli -p $mp debug populate "$KEYS" >/dev/null
    times=() mcpu=() rcpu=()
    for _ in $(seq "$RUNS"); do
      rp=$((BASE + i)); i=$((i + 1))
      r=$(start $bin $rp --repl-diskless-load ${mode#*:})
      PIDS+=($r)
      m0=$(cpuall $m) r0=$(cpu $r)
      t0=$(date +%s.%N)
      redis-cli -p $rp replicaof 127.0.0.1 $mp >/dev/null
      while [ "$(field $rp master_link_status)" != up ] || [ "$(redis-cli -p $rp dbsize)" != "$KEYS" ]; do sleep 0.01; done
      t1=$(date +%s.%N)
      # Redis's fork child is counted once reaped (cutime/cstime).
      while [ "$(redis-cli -p $mp info persistence | tr -d '\r' | grep -c 'rdb_bgsave_in_progress:1')" != 0 ]; do sleep 0.01; done
      m1=$(cpuall $m) r1=$(cpu $r)
      times+=("$(echo "$t1 - $t0" | bc -l)")
      mcpu+=("$(echo "($m1 - $m0) / $hz" | bc -l)")
      rcpu+=("$(echo "($r1 - $r0) / $hz" | bc -l)")
      kill "$r"
    done
    printf '%-6s %-36s %8.2f %11.2f %12.2f\n' $kind "diskless-sync ${mode%%:*}, load ${mode#*:}" \
      "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${mcpu[@]}" | median)" "$(printf '%s\n' "${rcpu[@]}" | median)"
    kill "$m"
  done
done
fi
