#!/usr/bin/env bash
# Cluster benchmark, Shoal beside Redis 7.0 in one run, on two 3-master
# clusters of the same shape (tutorial config, appendonly no):
#  1. time from `redis-cli --cluster create` to cluster_state:ok on every node;
#  2. bus traffic per node when idle (messages and bytes per second, from
#     CLUSTER INFO's counters and /proc/net/dev is not per process, so bytes
#     are counted as the bus messages' sizes: ping/pong carry the 2256-byte
#     header plus gossip);
#  3. redis-benchmark --cluster SET/GET at -P 1 and -P 16, interleaved
#     shoal/redis, with server CPU per request (utime+stime of the three
#     processes, /proc/PID/stat) beside requests per second;
#  4. resharding speed: 100,000 keys in 1000 slots moved with
#     redis-cli --cluster reshard, keys per second.
#   bench/cluster.sh               # BASE=24100 N=200000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/ ./cmd/...
BASE=${BASE:-24100}
N=${N:-200000}
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
HZ=$(getconf CLK_TCK)

# start KIND BIN PORT...
start() {
  local kind=$1 bin=$2; shift 2
  for p in "$@"; do
    mkdir -p "$WORK/$kind/$p"
    printf 'port %s\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\nappendonly no\nsave ""\n' "$p" >"$WORK/$kind/$p/redis.conf"
    (cd "$WORK/$kind/$p" && exec "$bin" ./redis.conf >log 2>&1) &
    PIDS+=($!)
    eval "PID_$p=$!"
  done
  for p in "$@"; do
    for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
  done
}

# create PORT... : prints seconds from create to cluster_state:ok everywhere
create() {
  local t0 args=()
  for p in "$@"; do args+=("127.0.0.1:$p"); done
  t0=$(date +%s.%N)
  redis-cli --cluster create "${args[@]}" --cluster-yes >/dev/null
  for p in "$@"; do
    until redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok'; do sleep 0.01; done
  done
  echo "$(date +%s.%N) - $t0" | bc
}

cpu() { # total utime+stime ticks of the given ports' processes
  local t=0 pid
  for p in "$@"; do
    pid=$(eval echo "\$PID_$p")
    t=$((t + $(awk '{print $14+$15}' "/proc/$pid/stat")))
  done
  echo $t
}

busstats() { # sum of messages sent over the given ports
  local m=0
  for p in "$@"; do
    m=$((m + $(redis-cli -p "$p" cluster info | tr -d '\r' | awk -F: '/^cluster_stats_messages_sent:/{print $2}')))
  done
  echo $m
}

SP=($BASE $((BASE + 1)) $((BASE + 2)))
RP=($((BASE + 3)) $((BASE + 4)) $((BASE + 5)))
start shoal "$PWD/bin/shoal-server" "${SP[@]}"
start redis "$(command -v redis-server)" "${RP[@]}"
echo "== create to cluster_state:ok (s)"
echo "shoal $(create "${SP[@]}")"
echo "redis $(create "${RP[@]}")"

echo "== idle bus traffic per node (10 s)"
for kind in shoal redis; do
  [ $kind = shoal ] && ports=("${SP[@]}") || ports=("${RP[@]}")
  m0=$(busstats "${ports[@]}"); sleep 10; m1=$(busstats "${ports[@]}")
  # Three nodes with two peers each: every message is a 2256-byte header
  # plus one 104-byte gossip entry (a third of the cluster, at least one).
  echo "$kind msgs/s/node $(echo "scale=1; ($m1 - $m0) / 10 / 3" | bc)  bytes/s/node $(echo "scale=0; ($m1 - $m0) * (2256 + 104) / 10 / 3" | bc)"
done

echo "== redis-benchmark --cluster (rps, server CPU us/request)"
for P in 1 16; do
  for t in set get; do
    for kind in shoal redis; do
      [ $kind = shoal ] && ports=("${SP[@]}") || ports=("${RP[@]}")
      c0=$(cpu "${ports[@]}")
      rps=$(redis-benchmark --cluster -p "${ports[0]}" -t $t -n "$N" -P $P -q 2>/dev/null | tr '\r' '\n' | awk '/requests per second/{print $2}' | tail -1)
      c1=$(cpu "${ports[@]}")
      us=$(echo "scale=2; ($c1 - $c0) * 1000000 / $HZ / $N" | bc)
      echo "$t -P $P $kind rps=$rps cpu_us_per_req=$us"
    done
  done
done

echo "== reshard 1000 slots holding 100,000 keys"
for kind in shoal redis; do
  [ $kind = shoal ] && ports=("${SP[@]}") || ports=("${RP[@]}")
  # 100 keys per slot of 0..999: keys tagged so they hash there.
  python3 - >"$WORK/load.txt" <<'PY'
def slot(k):
    crc = 0
    for b in k.encode():
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc & 0x3FFF
tags, i = {}, 0
while len(tags) < 1000:
    s = slot(str(i))
    if s < 1000 and s not in tags:
        tags[s] = str(i)
    i += 1
for s, t in tags.items():
    for k in range(100):
        key = '{%s}:%d' % (t, k)
        print('*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r' % (len(key), key))
PY
  redis-cli -p "${ports[0]}" --pipe <"$WORK/load.txt" >/dev/null
  to=$(redis-cli -p "${ports[1]}" cluster myid)
  from=$(redis-cli -p "${ports[0]}" cluster myid)
  t0=$(date +%s.%N)
  redis-cli --cluster reshard "127.0.0.1:${ports[0]}" --cluster-from "$from" --cluster-to "$to" \
    --cluster-slots 1000 --cluster-yes --cluster-pipeline 100 >/dev/null
  dt=$(echo "$(date +%s.%N) - $t0" | bc)
  echo "$kind ${dt}s $(echo "scale=0; 100000 / $dt" | bc) keys/s"
done
