#!/usr/bin/env bash
# Live heap per idle keep-alive connection: Squall, Jetty 12.1 core, Netty 4.2 hello servers.
#
#   benchmarks/run-idle.sh                      # all three, N=10000, about 2 minutes
#   SERVERS=squall CONNS=2000 benchmarks/run-idle.sh
#
# For each server in turn (one at a time):
#   1. start it: taskset -c 0 java -Xms1g -Xmx1g -XX:+UseParallelGC -jar squall-benchmarks.jar
#      NAME-http PORT; wait until it answers;
#   2. prime it: idle-client with PRIME (200) connections, then stop them, so that classes, lazily
#      built tables and the loop's own structures exist before the first reading;
#   3. before: jcmd PID GC.run, then read the live heap two ways: the total of
#      jcmd PID GC.class_histogram (which itself does a full GC and counts live objects only) and
#      the "used" of jcmd PID GC.heap_info (young + old, KB granularity);
#   4. open CONNS (10,000) keep-alive connections with the idle client (taskset -c 1 java -jar
#      squall-benchmarks.jar idle-client 127.0.0.1 PORT CONNS: one GET /plaintext each, response
#      read whole, then held);
#   5. after: the same GC and readings, with the connections held; the client checks that none
#      was closed;
#   6. report (after - before) / CONNS bytes per connection; stop the client and the server.
# Only the Java heap is counted: direct buffers and kernel socket memory are not (idle connections
# of all three hold no read buffer, pooled or not, between requests). Loopback only; the client
# uses ephemeral ports of one address (the range must hold CONNS). Every process started is
# stopped at the end, on failure and on Ctrl-C.
#
# Settings (environment): CONNS (10000), PRIME (200), SERVERS ("squall jetty netty"),
# SQUALL_PORT (18190), JETTY_PORT (18191), NETTY_PORT (18192), OUT, BUILD (auto|yes|no).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"

CONNS="${CONNS:-10000}"
PRIME="${PRIME:-200}"
SERVERS="${SERVERS:-squall jetty netty}"
BUILD="${BUILD:-auto}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$here/target/idle-$stamp.txt}"
HOST=127.0.0.1

SERVER_JVM=(-Xms1g -Xmx1g -XX:+UseParallelGC)
CLIENT_JVM=(-Xms256m -Xmx256m -XX:+UseParallelGC)

declare -A PORT
PORT[squall]="${SQUALL_PORT:-18190}"
PORT[jetty]="${JETTY_PORT:-18191}"
PORT[netty]="${NETTY_PORT:-18192}"

if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }
for tool in taskset jcmd curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

# File descriptors: the server and the client each need CONNS of them, plus some. Raise the soft
# limit as far as allowed (65536, else the hard limit); children inherit it.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fds="$(ulimit -n)"
if [[ "$fds" != unlimited ]] && (( fds < CONNS + 200 )); then
  echo "ulimit -n is $fds, too low for $CONNS connections (raise the hard limit:" \
    "/etc/security/limits.conf, systemd LimitNOFILE, or docker --ulimit nofile=65536)" >&2
  exit 1
fi
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range
if (( port_hi - port_lo + 1 < CONNS + PRIME )); then
  echo "the ephemeral port range $port_lo-$port_hi is smaller than $CONNS connections" >&2
  exit 1
fi

mkdir -p "$(dirname "$OUT")"
logdir="$(mktemp -d)"
SERVER_PID=""
CLIENT_PID=""

stop_pid() {
  local p=$1
  [[ -n "$p" ]] || return 0
  if kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}
stop_all() {
  stop_pid "$CLIENT_PID"; CLIENT_PID=""
  stop_pid "$SERVER_PID"; SERVER_PID=""
}
cleanup() {
  local rc=$?
  stop_all
  if (( rc != 0 )); then
    echo "run-idle.sh failed (exit $rc); logs in $logdir" >&2
  else
    rm -rf "$logdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

answers() { curl -sf -o /dev/null --max-time 1 "http://$HOST:$1/plaintext"; }

start_server() {
  local s=$1 port=${PORT[$1]}
  if answers "$port" || (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
    echo "port $port is already in use; set ${s^^}_PORT" >&2
    exit 1
  fi
  taskset -c 0 java "${SERVER_JVM[@]}" -jar "$jar" "$s-http" "$port" >"$logdir/$s.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    answers "$port" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "$s server did not start; its log:" >&2
  cat "$logdir/$s.log" >&2
  exit 1
}

# start_client PORT N LOG: starts the idle client in the background, waits for READY
start_client() {
  local port=$1 n=$2 log=$3
  taskset -c 1 java "${CLIENT_JVM[@]}" -jar "$jar" idle-client "$HOST" "$port" "$n" \
    </dev/null >"$log" 2>&1 &
  CLIENT_PID=$!
  for _ in $(seq 1200); do
    grep -q '^READY' "$log" && return 0
    if grep -q '^FAILED' "$log" || ! kill -0 "$CLIENT_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "idle client did not get $n connections ready; its log:" >&2
  cat "$log" >&2
  exit 1
}

stop_client() {
  local log=$1
  if ! kill -0 "$CLIENT_PID" 2>/dev/null || grep -q '^FAILED' "$log"; then
    echo "idle client failed while holding its connections; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  stop_pid "$CLIENT_PID"
  CLIENT_PID=""
}

# live heap of SERVER_PID in bytes: "histogram_total heap_info_used"
live_heap() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  sleep 0.5
  jcmd "$SERVER_PID" GC.run >/dev/null
  local hist info
  hist="$(jcmd "$SERVER_PID" GC.class_histogram | awk '$1 == "Total" { print $3 }')"
  info="$(jcmd "$SERVER_PID" GC.heap_info |
    awk '/(PSYoungGen|ParOldGen) +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?$/, "", v); sum += v } }
         END { printf "%d", sum * 1024 }')"
  echo "$hist $info"
}

# Share of both cores busy over 2 s (from /proc/stat): unlike the load average, which decays over
# minutes, this says whether something else is running right now.
cpu_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  awk -v u=$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] )) \
      -v i=$(( b[4]+b[5] - a[4]-a[5] )) 'BEGIN { printf "%.0f%%", (u + i > 0 ? 100 * u / (u + i) : 0) }'
}

{
  echo "# run-idle $stamp  host=$(hostname)  java=$(java -version 2>&1 | head -1)"
  echo "# servers: $SERVERS; $CONNS idle keep-alive connections (one GET /plaintext each), primed with $PRIME"
  echo "# server: taskset -c 0 java ${SERVER_JVM[*]} -jar $(basename "$jar") NAME-http PORT"
  echo "# client: taskset -c 1 java ${CLIENT_JVM[*]} -jar $(basename "$jar") idle-client $HOST PORT $CONNS"
  echo "# live heap: jcmd PID GC.run (twice), then GC.class_histogram total and GC.heap_info used"
  echo "# ulimit -n $fds; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); CPU busy over 2 s: $(cpu_busy)"
} | tee "$OUT"

results=()
for s in $SERVERS; do
  start_server "$s"
  port=${PORT[$s]}
  start_client "$port" "$PRIME" "$logdir/$s-prime.log"
  stop_client "$logdir/$s-prime.log"
  sleep 1
  read -r hist0 info0 <<<"$(live_heap)"
  start_client "$port" "$CONNS" "$logdir/$s-idle.log"
  sleep 1
  read -r hist1 info1 <<<"$(live_heap)"
  echo "$s: $(grep '^READY' "$logdir/$s-idle.log")" | tee -a "$OUT"
  stop_client "$logdir/$s-idle.log"
  stop_pid "$SERVER_PID"; SERVER_PID=""
  line="$(awk -v s="$s" -v n="$CONNS" -v h0="$hist0" -v h1="$hist1" -v i0="$info0" -v i1="$info1" \
    'BEGIN { printf "%-7s | %12d | %12d | %9.0f | %10d | %10d | %9.0f", s, h0, h1, (h1 - h0) / n, i0, i1, (i1 - i0) / n }')"
  echo "$s: histogram before $hist0 after $hist1; heap_info before $info0 after $info1" | tee -a "$OUT"
  results+=("$line")
  sleep 2 # let the client's ports leave TIME_WAIT's way (the server side closes none)
done

{
  echo
  echo "Live heap in bytes, before and after $CONNS idle connections; B/conn = (after - before) / $CONNS"
  printf '%-7s | %12s | %12s | %9s | %10s | %10s | %9s\n' server "histo before" "histo after" "B/conn" \
    "info before" "info after" "B/conn"
  printf -- '--------+--------------+--------------+-----------+------------+------------+----------\n'
  for l in "${results[@]}"; do echo "$l"; done
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "results: $OUT"
} | tee -a "$OUT"
