#!/usr/bin/env bash
# Runs redis-benchmark against shoal-server and redis-server 7.0 side by
# side, interleaved, and prints requests/s for both and the ratio
# shoal/redis (median of RUNS runs each) for every test at each pipeline
# depth.
#   bench/throughput.sh                       # issue 3 set
#   TESTS=lpush,rpop,lrange_100,sadd,spop,hset,zadd,zpopmin,xadd bench/throughput.sh
# Environment: RUNS (default 3), N (requests per run, default 200000 at -P 1
# and 2000000 at -P 16), CLIENTS (default 50), PIPELINES (default "1 16"),
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
run() { # port pipeline test n -> rps
  if [ "$3" = xadd ]; then
    # redis-benchmark has no XADD test: send it as a custom command.
    redis-benchmark -p "$1" -c "$CLIENTS" -n "$4" -P "$2" --csv XADD bench:stream '*' field value 2>/dev/null | awk -F'","' 'NR==2{print $2}'
    return
  fi
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$4" -P "$2" -t "$3" --csv 2>/dev/null | awk -F'","' 'NR==2{print $2}'
}
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf '%-12s %3s %14s %14s %7s\n' test P shoal_rps redis_rps ratio
for P in $PIPELINES; do
  n=${N:-$([ "$P" -gt 1 ] && echo 2000000 || echo 200000)}
  for t in ${TESTS//,/ }; do
    s=(); r=()
    for _ in $(seq "$RUNS"); do
      s+=("$(run $SPORT "$P" "$t" "$n")")
      r+=("$(run $RPORT "$P" "$t" "$n")")
    done
    sm=$(printf '%s\n' "${s[@]}" | median)
    rm=$(printf '%s\n' "${r[@]}" | median)
    printf '%-12s %3s %14s %14s %7.2f\n' "$t" "$P" "$sm" "$rm" "$(echo "$sm / $rm" | bc -l)"
  done
done
