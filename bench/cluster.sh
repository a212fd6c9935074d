#!/usr/bin/env bash
# Cluster benchmark of issue 9: a 3-master shoal-server cluster beside a
# 3-master redis-server 7.0 cluster of the same shape (the tutorial's
# redis.conf with appendonly no and save ""), in one run, interleaved
# shoal/redis at every step. Prints:
#  1. create: seconds taken by `redis-cli --cluster create ... --cluster-yes`
#     and seconds from its return to cluster_state:ok on every node (CLUSTER
#     INFO polled every 10 ms) and their sum, median of CREATE_RUNS fresh
#     clusters;
#  2. idle bus traffic per node per second over IDLE seconds: messages sent
#     and received (CLUSTER INFO cluster_stats_messages_sent/received) and
#     bytes sent. Shoal exposes no byte counters (neither does Redis), and
#     /proc/PID/io counts every read and write, including Redis reading
#     /proc/self/stat ten times a second, so bytes are the kernel's per
#     socket counters (tcp_info bytes_sent + bytes_received, `ss -ti`) of
#     every established connection to a bus port, i.e. each link once from
#     its connecting side; bytes sent by the nodes = that total, divided by
#     the number of nodes and seconds. /proc/PID/io's wchar is printed
#     beside as a cross-check (it also counts our two CLUSTER INFO replies);
#  3. redis-benchmark --cluster SET/GET at each pipeline depth: requests/s,
#     ratio shoal/redis and server CPU per request (utime+stime of the three
#     masters from /proc/PID/stat, divided by the requests), median of RUNS;
#     on a busy machine CPU per request is the steadier figure;
#  4. resharding: KEYS keys in 1000 slots (KEYS/1000 per slot, loaded with
#     redis-cli --pipe) moved between two masters by
#     `redis-cli --cluster reshard --cluster-slots 1000`, keys/s, median of
#     RESHARD_RUNS moves (there and back), and the keys counted afterwards.
#   bench/cluster.sh
# Environment: RUNS (default 3), N (requests per run, default 200000 at -P 1
# and 2000000 at deeper pipelines), CLIENTS (default 50), PIPELINES
# (default "1 16"), CREATE_RUNS (default 3), IDLE (default 10), KEYS
# (default 100000), RESHARD_RUNS (default 3), RESHARD_PIPELINE (keys per
# MIGRATE, redis-cli's default 10), BASE (first port tried, default 24100;
# a port is used only if it and its bus port are free).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
CREATE_RUNS=${CREATE_RUNS:-3}
IDLE=${IDLE:-10}
KEYS=${KEYS:-100000}
RESHARD_RUNS=${RESHARD_RUNS:-3}
RESHARD_PIPELINE=${RESHARD_PIPELINE:-10}
NEXTPORT=${BASE:-24100}
go build -o bin/ ./cmd/...
SHOAL=$PWD/bin/shoal-server
REDIS=$(command -v redis-server)
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
ticks() { # utime+stime of the given pids, in clock ticks
  local t=0 pid f
  for pid in "$@"; do
    # The title between parentheses may hold spaces: count fields after
    # the last ')', where state is field 3 of stat(5), utime 14, stime 15.
    f=$(sed 's/.*) //' "/proc/$pid/stat")
    t=$((t + $(echo "$f" | awk '{print $12 + $13}')))
  done
  echo $t
}
freeport() { # sets PORT to the next port >= NEXTPORT whose bus port is also free
  local used
  used=" $(ss -Htan | awk '{n = split($4, a, ":"); printf "%s ", a[n]}') "
  while [[ $used == *" $NEXTPORT "* || $used == *" $((NEXTPORT + 10000)) "* ]]; do
    NEXTPORT=$((NEXTPORT + 1))
  done
  PORT=$NEXTPORT
  NEXTPORT=$((NEXTPORT + 1))
}
info() { # port field -> value from CLUSTER INFO
  redis-cli -p "$1" cluster info | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'
}

declare -A PORTS NODEPIDS
# up KIND: starts three fresh nodes of KIND, creates the cluster and sets
# CREATE_S (seconds the create command took) and OK_S (seconds from its
# return to cluster_state:ok everywhere).
up() {
  local kind=$1 bin p dir args=() pids=() ports=() t0 t1 t2
  bin=$SHOAL; [ "$kind" = redis ] && bin=$REDIS
  for _ in 1 2 3; do
    freeport
    p=$PORT
    dir=$WORK/$kind-$p
    mkdir -p "$dir"
    printf 'port %s\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\nappendonly no\nsave ""\n' "$p" >"$dir/redis.conf"
    (cd "$dir" && exec "$bin" ./redis.conf >log 2>&1) &
    PIDS+=($!)
    pids+=($!)
    ports+=("$p")
    args+=("127.0.0.1:$p")
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 200); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
  done
  PORTS[$kind]="${ports[*]}"
  NODEPIDS[$kind]="${pids[*]}"
  t0=$(now)
  redis-cli --cluster create "${args[@]}" --cluster-yes >"$WORK/create-$kind.log" 2>&1
  t1=$(now)
  for p in "${ports[@]}"; do
    until [ "$(info "$p" cluster_state)" = ok ]; do sleep 0.01; done
  done
  t2=$(now)
  CREATE_S=$(echo "$t1 - $t0" | bc -l)
  OK_S=$(echo "$t2 - $t1" | bc -l)
}
down() { # KIND: stops its nodes
  local pid
  for pid in ${NODEPIDS[$1]}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${NODEPIDS[$1]}; do wait "$pid" 2>/dev/null || true; done
}

echo "== create (seconds; median of $CREATE_RUNS fresh clusters)"
declare -A CR OK TOT
for kind in shoal redis; do CR[$kind]=""; OK[$kind]=""; TOT[$kind]=""; done
for i in $(seq "$CREATE_RUNS"); do
  for kind in shoal redis; do
    up $kind
    CR[$kind]+="$CREATE_S "
    OK[$kind]+="$OK_S "
    TOT[$kind]+="$(echo "$CREATE_S + $OK_S" | bc -l) "
    [ "$i" -lt "$CREATE_RUNS" ] && down $kind
  done
done
# redis-cli checks that the nodes agree once a second before it returns,
# so the first two columns move in steps of about a second; the third is
# the whole wait a user sees.
printf '%-6s %14s %22s %16s\n' server create_cmd_s create_return_to_ok_s create_to_ok_s
for kind in shoal redis; do
  printf '%-6s %14.3f %22.3f %16.3f\n' $kind "$(printf '%s\n' ${CR[$kind]} | median)" \
    "$(printf '%s\n' ${OK[$kind]} | median)" "$(printf '%s\n' ${TOT[$kind]} | median)"
done

# busbytes KIND: bytes both ways on every link of the cluster (tcp_info of
# the connecting side of each connection to a bus port).
busbytes() {
  local filter="" p
  for p in ${PORTS[$1]}; do filter+="${filter:+ or }dport = :$((p + 10000))"; done
  ss -tinH state established "( $filter )" |
    awk '{for (i = 1; i <= NF; i++) if ($i ~ /^bytes_(sent|received):/) {split($i, a, ":"); s += a[2]}} END{print s + 0}'
}
msgs() { # KIND field: sum of a CLUSTER INFO counter over its nodes
  local s=0 p
  for p in ${PORTS[$1]}; do s=$((s + $(info "$p" "$2"))); done
  echo $s
}
wchar() { # KIND: sum of /proc/PID/io wchar over its nodes
  local s=0 pid
  for pid in ${NODEPIDS[$1]}; do s=$((s + $(awk '$1 == "wchar:" {print $2}' "/proc/$pid/io"))); done
  echo $s
}

echo "== idle bus traffic per node per second (${IDLE} s, both clusters at once)"
declare -A S0 R0 B0 W0 T0
for kind in shoal redis; do
  S0[$kind]=$(msgs $kind cluster_stats_messages_sent)
  R0[$kind]=$(msgs $kind cluster_stats_messages_received)
  B0[$kind]=$(busbytes $kind)
  W0[$kind]=$(wchar $kind)
  T0[$kind]=$(now)
done
sleep "$IDLE"
printf '%-6s %10s %10s %12s %12s\n' server msgs_sent msgs_recv bus_bytes wchar_bytes
for kind in shoal redis; do
  dt=$(echo "$(now) - ${T0[$kind]}" | bc -l)
  s=$(msgs $kind cluster_stats_messages_sent)
  r=$(msgs $kind cluster_stats_messages_received)
  b=$(busbytes $kind)
  w=$(wchar $kind)
  printf '%-6s %10.2f %10.2f %12.0f %12.0f\n' $kind \
    "$(echo "($s - ${S0[$kind]}) / 3 / $dt" | bc -l)" "$(echo "($r - ${R0[$kind]}) / 3 / $dt" | bc -l)" \
    "$(echo "($b - ${B0[$kind]}) / 3 / $dt" | bc -l)" "$(echo "($w - ${W0[$kind]}) / 3 / $dt" | bc -l)"
done

echo "== redis-benchmark --cluster (c=$CLIENTS, -r 100000; median of $RUNS; CPU = 3 masters' utime+stime / requests)"
printf '%-4s %3s %12s %12s %7s %14s %14s\n' test P shoal_rps redis_rps ratio shoal_us/req redis_us/req
for P in $PIPELINES; do
  n=${N:-$([ "$P" -gt 1 ] && echo 2000000 || echo 200000)}
  for t in set get; do
    declare -A RPS=() CPU=()
    for _ in $(seq "$RUNS"); do
      for kind in shoal redis; do
        read -r first _ <<<"${PORTS[$kind]}"
        c0=$(ticks ${NODEPIDS[$kind]})
        # In cluster mode the CSV follows a list of the masters.
        rps=$(redis-benchmark --cluster -p "$first" -c "$CLIENTS" -n "$n" -P "$P" -r 100000 -t $t --csv 2>/dev/null |
          awk -F'","' '/^"(SET|GET)"/ {print $2}')
        c1=$(ticks ${NODEPIDS[$kind]})
        RPS[$kind]+="$rps "
        CPU[$kind]+="$(echo "($c1 - $c0) * 1000000 / $HZ / $n" | bc -l) "
      done
    done
    sm=$(printf '%s\n' ${RPS[shoal]} | median)
    rm=$(printf '%s\n' ${RPS[redis]} | median)
    printf '%-4s %3s %12.0f %12.0f %7.2f %14.2f %14.2f\n' $t "$P" "$sm" "$rm" "$(echo "$sm / $rm" | bc -l)" \
      "$(printf '%s\n' ${CPU[shoal]} | median)" "$(printf '%s\n' ${CPU[redis]} | median)"
  done
done

# KEYS keys spread over slots 0..999, which `--cluster create` gives to the
# first master: keys {tag}:i where tag is the first decimal number hashing
# to the slot (CRC16/XMODEM, as CLUSTER KEYSLOT).
python3 - "$KEYS" >"$WORK/load.resp" <<'PY'
import sys
keys = int(sys.argv[1])
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
out = sys.stdout
for n in range(keys):
    key = '{%s}:%d' % (tags[n % 1000], n)
    out.write('*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n' % (len(key), key))
PY
echo "== reshard 1000 slots holding $KEYS keys (redis-cli --cluster reshard, pipeline $RESHARD_PIPELINE; median of $RESHARD_RUNS moves)"
declare -A KPS LEFT
for kind in shoal redis; do
  KPS[$kind]=""
  read -r a b _ <<<"${PORTS[$kind]}"
  for p in ${PORTS[$kind]}; do redis-cli -p "$p" flushall >/dev/null; done
  redis-cli -p "$a" --pipe <"$WORK/load.resp" >/dev/null
done
for i in $(seq "$RESHARD_RUNS"); do
  for kind in shoal redis; do
    read -r a b _ <<<"${PORTS[$kind]}"
    # Odd runs move the slots from the first master to the second, even
    # runs move them back.
    from=$a to=$b
    [ $((i % 2)) -eq 0 ] && from=$b to=$a
    t0=$(now)
    redis-cli --cluster reshard "127.0.0.1:$a" --cluster-from "$(redis-cli -p $from cluster myid)" \
      --cluster-to "$(redis-cli -p $to cluster myid)" --cluster-slots 1000 --cluster-yes \
      --cluster-pipeline "$RESHARD_PIPELINE" >"$WORK/reshard-$kind-$i.log" 2>&1
    dt=$(echo "$(now) - $t0" | bc -l)
    KPS[$kind]+="$(echo "$KEYS / $dt" | bc -l) "
    LEFT[$kind]=$(redis-cli -p "$to" dbsize)
  done
done
printf '%-6s %10s %14s\n' server keys_per_s keys_at_target
for kind in shoal redis; do
  printf '%-6s %10.0f %14s\n' $kind "$(printf '%s\n' ${KPS[$kind]} | median)" "${LEFT[$kind]}"
done
