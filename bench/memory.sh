#!/usr/bin/env bash
# Loads the same data set into shoal-server and redis-server 7.0 and
# prints the resident memory of both and the ratio shoal/redis.
#   bench/memory.sh            # 1,000,000 keys with 16-byte values
#   KIND=hash|set|zset|list|stream bench/memory.sh   # one key of COUNT members
#   KIND=smallhash bench/memory.sh                    # COUNT hashes of 10 fields
# Memory is read a few seconds after loading, once the server is idle (it
# returns garbage to the OS then, see internal/server/memrelease.go).
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=${KIND:-string}
COUNT=${COUNT:-1000000}
go build -o bin/ ./cmd/...
SPORT=${SPORT:-17311}
RPORT=${RPORT:-17312}
./bin/shoal-server --port "$SPORT" --save "" --appendonly no >/tmp/mem-shoal.log 2>&1 &
SPID=$!
redis-server --port "$RPORT" --save "" --appendonly no >/tmp/mem-redis.log 2>&1 &
RPID=$!
trap 'kill $SPID $RPID 2>/dev/null; wait 2>/dev/null' EXIT
for p in $SPORT $RPORT; do
  for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
gen=$(mktemp)
python3 - "$KIND" "$COUNT" >"$gen" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
def cmd(*a):
    out.write('*%d\r\n' % len(a))
    for x in a:
        out.write('$%d\r\n%s\r\n' % (len(x), x))
v = 'v' * 16
for i in range(n):
    if kind == 'string': cmd('SET', 'key:%012d' % i, v)
    elif kind == 'hash': cmd('HSET', 'h', 'field:%012d' % i, v)
    elif kind == 'set': cmd('SADD', 's', 'member:%012d' % i)
    elif kind == 'zset': cmd('ZADD', 'z', str(i), 'member:%012d' % i)
    elif kind == 'list': cmd('RPUSH', 'l', 'element:%012d' % i)
    elif kind == 'stream': cmd('XADD', 'x', '*', 'f', v)
    elif kind == 'smallhash':
        args = ['HSET', 'hash:%012d' % i]
        for f in range(10): args += ['f%d' % f, v]
        cmd(*args)
PY
for p in $SPORT $RPORT; do redis-cli -p "$p" --pipe <"$gen" >/dev/null; done
rm -f "$gen"
sleep 2
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
s=$(rss $SPID); r=$(rss $RPID)
printf 'kind=%s count=%s shoal_rss_kb=%s redis_rss_kb=%s ratio=%.2f\n' "$KIND" "$COUNT" "$s" "$r" "$(echo "$s / $r" | bc -l)"
