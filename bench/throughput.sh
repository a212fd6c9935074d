#!/usr/bin/env bash
# Runs redis-benchmark against shoal-server and redis-server 7.0 side by
# side, interleaved, and prints requests/s for both and the ratio
# shoal/redis (median of RUNS runs each) for every test at each pipeline
# depth, and the server CPU time per request (utime+stime from
# /proc/PID/stat around each run, in microseconds) for both and its ratio:
# on a 2-core machine redis-benchmark saturates its own core near 1.3 M
# req/s at -P 16, so requests/s there measures the client and CPU per
# request is the figure that shows the server.
#   bench/throughput.sh                       # issue 3 set
#   TESTS=lpush,rpop,lrange_100,sadd,spop,hset,zadd,zpopmin,xadd bench/throughput.sh
# Environment: RUNS (default 3), N (requests per run, default 200000 at -P 1
# and 2000000 at -P 16), CLIENTS (default 50), PIPELINES (default "1 16"),
# RANDOM_RANGE (redis-benchmark -r: random keys in that range, default
# none; e.g. TESTS=zadd RANDOM_RANGE=100000 PIPELINES=16),
# SERVER_ARGS (directives given to both servers, default
# '--save "" --appendonly no'; e.g. SERVER_ARGS='--appendonly yes' measures
# the tutorial's AOF set-up; each server then writes in its own temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-ping_inline,set,get,incr,mset}
go build -o bin/ ./cmd/...
SPORT=${SPORT:-17301}
RPORT=${RPORT:-17302}
SERVER_ARGS=${SERVER_ARGS:-'--save "" --appendonly no'}
SDIR=$(mktemp -d)
RDIR=$(mktemp -d)
eval "exec ./bin/shoal-server --port $SPORT --dir $SDIR $SERVER_ARGS" >/tmp/bench-shoal.log 2>&1 &
SPID=$!
eval "exec redis-server --port $RPORT --dir $RDIR $SERVER_ARGS" >/tmp/bench-redis.log 2>&1 &
RPID=$!
trap 'kill $SPID $RPID 2>/dev/null; wait 2>/dev/null; rm -rf "$SDIR" "$RDIR"' EXIT
for p in $SPORT $RPORT; do
  for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
RAND_ARGS=()
if [ -n "${RANDOM_RANGE:-}" ]; then RAND_ARGS=(-r "$RANDOM_RANGE"); fi
# ticks: the server's utime+stime in clock ticks (fields 14 and 15 of
# /proc/PID/stat, counted after the last ')' as the title may hold spaces).
ticks() { awk '{sub(/.*\) /, ""); print $12+$13}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
run() { # port pid pipeline test n -> "rps cpu_us_per_request"
  local before after rps
  before=$(ticks "$2")
  if [ "$4" = xadd ]; then
    # redis-benchmark has no XADD test: send it as a custom command.
    rps=$(redis-benchmark -p "$1" -c "$CLIENTS" -n "$5" -P "$3" "${RAND_ARGS[@]}" --csv XADD bench:stream '*' field value 2>/dev/null | awk -F'","' 'NR==2{print $2}')
  else
    rps=$(redis-benchmark -p "$1" -c "$CLIENTS" -n "$5" -P "$3" "${RAND_ARGS[@]}" -t "$4" --csv 2>/dev/null | awk -F'","' 'NR==2{print $2}')
  fi
  after=$(ticks "$2")
  echo "$rps $(echo "($after - $before) * 1000000 / $HZ / $5" | bc -l)"
}
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf '%-12s %3s %14s %14s %7s %9s %9s %7s\n' test P shoal_rps redis_rps ratio shoal_us redis_us cpu_rat
for P in $PIPELINES; do
  n=${N:-$([ "$P" -gt 1 ] && echo 2000000 || echo 200000)}
  for t in ${TESTS//,/ }; do
    s=(); r=(); sc=(); rc=()
    for _ in $(seq "$RUNS"); do
      read -r rps cpu <<<"$(run $SPORT $SPID "$P" "$t" "$n")"; s+=("$rps"); sc+=("$cpu")
      read -r rps cpu <<<"$(run $RPORT $RPID "$P" "$t" "$n")"; r+=("$rps"); rc+=("$cpu")
    done
    sm=$(printf '%s\n' "${s[@]}" | median)
    rm=$(printf '%s\n' "${r[@]}" | median)
    scm=$(printf '%s\n' "${sc[@]}" | median)
    rcm=$(printf '%s\n' "${rc[@]}" | median)
    printf '%-12s %3s %14s %14s %7.2f %9.3f %9.3f %7.2f\n' "$t" "$P" "$sm" "$rm" "$(echo "$sm / $rm" | bc -l)" \
      "$scm" "$rcm" "$(echo "$scm / $rcm" | bc -l)"
  done
done
