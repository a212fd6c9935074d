#!/usr/bin/env bash
# Persistence under load, shoal-server beside redis-server 7.0 on the same
# data set (KEYS keys of 100 bytes written by DEBUG POPULATE):
#   - GET latency p50/p99/max seen by a client sending one GET every 0.5 ms
#     while BGSAVE runs and while BGREWRITEAOF runs, and how long each job
#     takes (bench/latprobe), RUNS times interleaved, medians;
#   - load time of the same dump.rdb and of the same command-form AOF at
#     start-up (each server's "DB loaded from ..." log line) and the server
#     CPU time it took (utime+stime from /proc/PID/stat);
#   - Shoal's lock hold time per snapshot step for each job (its verbose
#     "Background snapshot:" log line), which the machine's load barely
#     changes: the longest a client's command can wait behind the job.
#   bench/persistence.sh
#   KEYS=500000 RUNS=5 bench/persistence.sh
# On a shared machine, wall-clock figures are noisy: look at the medians
# and at the load average printed first.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-2000000}
RUNS=${RUNS:-3}
SPORT=${SPORT:-17311}
RPORT=${RPORT:-17312}
go build -o bin/ ./cmd/shoal-server ./bench/latprobe
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do stop "$p"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
waitpong() { for _ in $(seq 600); do [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return; sleep 0.1; done; echo "no PONG on $1" >&2; exit 1; }
cpu() { awk '{sub(/.*\) /, ""); print ($12+$13)/100}' "/proc/$1/stat"; } # utime+stime, fields after the last ')'
stop() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
# The data set, written once by redis-server: an RDB and a command-form AOF.
mkdir -p "$WORK/src"
redis-server --port "$RPORT" --dir "$WORK/src" --save "" --enable-debug-command yes \
  --aof-use-rdb-preamble no >"$WORK/src.log" 2>&1 &
PIDS+=($!)
waitpong "$RPORT"
redis-cli -p "$RPORT" debug populate "$KEYS" key 100 >/dev/null
redis-cli -p "$RPORT" save >/dev/null
redis-cli -p "$RPORT" bgrewriteaof >/dev/null
while redis-cli -p "$RPORT" info persistence | grep -q 'aof_rewrite_in_progress:1'; do sleep 0.2; done
stop "${PIDS[0]}"
PIDS=()
ls "$WORK/src/appendonlydir" >/dev/null

# start NAME BIN PORT DIR ARGS... : starts a server over a copy of the data.
start() {
  local name=$1 bin=$2 port=$3 dir=$4
  shift 4
  "$bin" --port "$port" --dir "$dir" --save "" "$@" >"$dir/server.log" 2>&1 &
  echo $!
}

# Load times: the same files, interleaved.
for kind in rdb aof; do
  s=(); r=(); sc=(); rc=()
  for _ in $(seq "$RUNS"); do
    for who in shoal redis; do
      d="$WORK/load-$who"; rm -rf "$d"; mkdir -p "$d"
      if [ $kind = rdb ]; then
        cp "$WORK/src/dump.rdb" "$d/"; args=(--appendonly no)
      else
        cp -r "$WORK/src/appendonlydir" "$d/"; args=(--appendonly yes --aof-use-rdb-preamble no)
      fi
      if [ $who = shoal ]; then bin=./bin/shoal-server; port=$SPORT; else bin=redis-server; port=$RPORT; fi
      pid=$(start $who $bin $port "$d" "${args[@]}")
      PIDS+=("$pid")
      waitpong "$port"
      secs=$(grep -o 'DB loaded from [a-z ]*: [0-9.]* seconds' "$d/server.log" | grep -o '[0-9.]* seconds' | cut -d' ' -f1 | tail -1)
      c=$(cpu "$pid")
      stop "$pid"
      if [ $who = shoal ]; then s+=("$secs"); sc+=("$c"); else r+=("$secs"); rc+=("$c"); fi
    done
  done
  printf 'load %-4s  shoal %6.3f s (cpu %5.2f s)   redis %6.3f s (cpu %5.2f s)\n' $kind \
    "$(printf '%s\n' "${s[@]}" | median)" "$(printf '%s\n' "${sc[@]}" | median)" \
    "$(printf '%s\n' "${r[@]}" | median)" "$(printf '%s\n' "${rc[@]}" | median)"
done

# Latency during background jobs.
rm -rf "$WORK/s" "$WORK/r"; mkdir -p "$WORK/s" "$WORK/r"
cp "$WORK/src/dump.rdb" "$WORK/s/"; cp "$WORK/src/dump.rdb" "$WORK/r/"
PIDS+=("$(start shoal ./bin/shoal-server "$SPORT" "$WORK/s" --appendonly no --loglevel verbose)")
PIDS+=("$(start redis redis-server "$RPORT" "$WORK/r" --appendonly no)")
waitpong "$SPORT"; waitpong "$RPORT"
printf '%-13s %-6s %8s %8s %8s %7s\n' job server p50_ms p99_ms max_ms job_s
for op in BGSAVE BGREWRITEAOF; do
  declare -A res=()
  for _ in $(seq "$RUNS"); do
    for who in shoal redis; do
      port=$SPORT; [ $who = redis ] && port=$RPORT
      res[$who]+="$(./bin/latprobe -addr "127.0.0.1:$port" -op $op -keys "$KEYS")"$'\n'
    done
  done
  for who in shoal redis; do
    col() { printf '%s' "${res[$who]}" | grep -o "$1=[0-9.]*" | cut -d= -f2 | median; }
    printf '%-13s %-6s %8s %8s %8s %7s\n' $op $who "$(col p50_ms)" "$(col p99_ms)" "$(col max_ms)" "$(col job_s)"
  done
  unset res
done
echo "shoal lock hold per step, one line per job (BGSAVE runs first):"
grep -o 'Background snapshot: .*' "$WORK/s/server.log" | sed 's/^/  /'
