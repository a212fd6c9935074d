#!/usr/bin/env bash
# EVALSHA throughput of shoal-server beside redis-server 7.0: a script that
# runs one command (return redis.call('incr',KEYS[1])) and one that runs
# ten, at each pipeline depth. Prints requests/s and the server's CPU time
# per request (utime+stime from /proc/PID/stat over the run), which is the
# figure to compare on a busy machine.
#   bench/scripting.sh
# Environment: N (requests per run, default 300000), CLIENTS (default 50),
# PIPELINES (default "1 16").
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
go build -o bin/ ./cmd/...
SPORT=${SPORT:-17321}
RPORT=${RPORT:-17322}
./bin/shoal-server --port "$SPORT" --save "" --appendonly no >/tmp/bench-script-shoal.log 2>&1 &
SPID=$!
redis-server --port "$RPORT" --save "" --appendonly no >/tmp/bench-script-redis.log 2>&1 &
RPID=$!
trap 'kill $SPID $RPID 2>/dev/null; wait 2>/dev/null' EXIT
for p in $SPORT $RPORT; do
  for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
ONE="return redis.call('incr',KEYS[1])"
TEN="local n = 0 for i = 1, 10 do n = redis.call('incr',KEYS[1]) end return n"
# utime+stime, counted after the last ')': shoal-server's process title
# ("shoal-server *:PORT") has a space in it.
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hz=$(getconf CLK_TCK)
printf "%-8s %-3s %-6s %12s %14s\n" script P server "requests/s" "CPU us/request"
for name in one ten; do
  body=$ONE
  [ "$name" = ten ] && body=$TEN
  for P in $PIPELINES; do
    for side in shoal redis; do
      port=$SPORT pid=$SPID
      [ "$side" = redis ] && port=$RPORT pid=$RPID
      sha=$(redis-cli -p "$port" script load "$body")
      t0=$(ticks "$pid")
      rps=$(redis-benchmark -p "$port" -n "$N" -c "$CLIENTS" -P "$P" -r 1000 -q \
        evalsha "$sha" 1 "key:__rand_int__" | awk '{for(i=1;i<=NF;i++) if($i=="requests") print $(i-1)}' | tail -1)
      t1=$(ticks "$pid")
      cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$N" 'BEGIN{printf "%.2f", d / hz * 1e6 / n}')
      printf "%-8s %-3s %-6s %12s %14s\n" "$name" "$P" "$side" "$rps" "$cpu"
    done
  done
done
