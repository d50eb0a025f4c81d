#!/usr/bin/env bash
# Websockets: Squall (Application + WebSocketHandler) against Jetty 12.1 (core WebSocketUpgradeHandler)
# and Netty 4.2 (WebSocketServerProtocolHandler), each on one event loop, in one run.
#
#   benchmarks/run-ws.sh                            # all four, defaults: about 15 minutes
#   SERVERS="squall jetty" benchmarks/run-ws.sh     # a subset
#   CONNS=200 DURATION=2 ROUNDS=1 benchmarks/run-ws.sh   # a quick check of the harness
#
# squall-spin is the same Squall server with busy polling on (IOLoop.setSpinWait, through
# -Dsquall.spinWaitMicros=SPIN_MICROS): before it sleeps, its loop polls for SPIN_MICROS; it shows
# what waking an idle core costs one connection's round trips, and what Squall's latency option buys.
#
# Method of shared/docs/performance-targets.md: every server pinned to core 0
# (taskset -c 0 java -Xms1g -Xmx1g -XX:+UseParallelGC -jar squall-benchmarks.jar NAME-ws PORT),
# the client pinned to core 1 (taskset -c 1 java ... ws-client ..., a new JVM per measurement).
# All servers are started first and run for the whole script (an idle one costs nothing). Each
# gets a warm-up (rr c1 and rr c64 for SERVER_WARMUP seconds each, one broadcast run of 3 rounds
# to CONNS connections), then ROUNDS rounds run, the order of the servers alternating from round
# to round (forward, reversed, ...); in a round every server gets, in this order:
#   rr c1         ws-client rr ... /echo 1 DURATION CLIENT_WARMUP MSG      -> round trips/s, p99
#   rr c64        the same on 64 connections
#   broadcast     ws-client broadcast ... /broadcast CONNS BCAST_ROUNDS MSG
#                 -> median over BCAST_ROUNDS of the time until all CONNS have the message
#   idle plain    live heap per idle websocket on /echo, as run-idle.sh measures it:
#                 prime (PRIME connections opened, one echo each, closed), jcmd PID GC.run twice,
#                 GC.class_histogram total (live objects only); CONNS websockets opened (at most
#                 256 in progress), one 64-byte echo each, held; the same reading;
#                 (after - before) / CONNS. GC.heap_info's used and the process's VmRSS are
#                 read too (RSS includes native memory: zlib's, thread stacks, kernel buffers not)
#   idle deflate  the same on /echo-deflate, the client offering permessage-deflate (every
#                 connection must get it; the echo comes back compressed)
# The table gives the medians over the rounds. Loopback only. Every process started is stopped at
# the end, on failure and on Ctrl-C (trap).
#
# Settings (environment): SERVERS ("squall squall-spin jetty netty"), SPIN_MICROS (100), CONNS (10000, broadcast and idle),
# ROUNDS (3), DURATION (10, seconds per rr measurement), CLIENT_WARMUP (2, inside each rr run,
# dropped), SERVER_WARMUP (5, per rr test and server, before round 1), BCAST_ROUNDS (10 messages
# per broadcast run), MSG (64, bytes per message), PRIME (200), SQUALL_PORT (18390), JETTY_PORT
# (18391), NETTY_PORT (18392), SQUALL_SPIN_PORT (18393), OUT (results file), BUILD (auto|yes|no).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"

SERVERS="${SERVERS:-squall squall-spin jetty netty}"
SPIN_MICROS="${SPIN_MICROS:-100}"
CONNS="${CONNS:-10000}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
CLIENT_WARMUP="${CLIENT_WARMUP:-2}"
SERVER_WARMUP="${SERVER_WARMUP:-5}"
BCAST_ROUNDS="${BCAST_ROUNDS:-10}"
MSG="${MSG:-64}"
PRIME="${PRIME:-200}"
BUILD="${BUILD:-auto}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$here/target/ws-$stamp.txt}"
HOST=127.0.0.1

SERVER_JVM=(-Xms1g -Xmx1g -XX:+UseParallelGC)
CLIENT_JVM=(-Xms512m -Xmx512m -XX:+UseParallelGC)

declare -A PID PORT
PORT[squall]="${SQUALL_PORT:-18390}"
PORT[jetty]="${JETTY_PORT:-18391}"
PORT[netty]="${NETTY_PORT:-18392}"
PORT[squall-spin]="${SQUALL_SPIN_PORT:-18393}"
# what each server runs: the jar's NAME-ws, but squall-spin is squall-ws with busy polling
declare -A MODE EXTRA_JVM
MODE[squall-spin]=squall-ws
EXTRA_JVM[squall-spin]="-Dsquall.spinWaitMicros=$SPIN_MICROS"
for s in $SERVERS; do
  [[ -n "${PORT[$s]:-}" ]] || {
    echo "unknown server '$s' (squall, squall-spin, jetty, netty)" >&2
    exit 64
  }
done

if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }
for tool in taskset jcmd; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

# File descriptors: the server and the client each need CONNS of them, plus some. Raise the soft
# limit as far as allowed (65536, else the hard limit); children inherit it.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fds="$(ulimit -n)"
if [[ "$fds" != unlimited ]] && (( fds < CONNS + 300 )); then
  echo "ulimit -n is $fds, too low for $CONNS connections (raise the hard limit:" \
    "/etc/security/limits.conf, systemd LimitNOFILE, or docker --ulimit nofile=65536)" >&2
  exit 1
fi
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range
if (( port_hi - port_lo + 1 < CONNS + PRIME + 100 )); then
  echo "the ephemeral port range $port_lo-$port_hi is smaller than $CONNS connections" >&2
  exit 1
fi

mkdir -p "$(dirname "$OUT")"
logdir="$(mktemp -d)"
raw="$logdir/raw"
: >"$raw"
CLIENT_PID=""
t_start=$SECONDS

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
  for s in "${!PID[@]}"; do
    stop_pid "${PID[$s]}"
    unset "PID[$s]"
  done
}
cleanup() {
  local rc=$?
  stop_all
  if (( rc != 0 )); then
    echo "run-ws.sh failed (exit $rc); logs in $logdir" >&2
  else
    rm -rf "$logdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

start_server() {
  local s=$1 port=${PORT[$1]}
  if port_open "$port"; then
    local var=${s^^}
    echo "port $port is already in use; set ${var//-/_}_PORT" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # EXTRA_JVM is one word or none
  taskset -c 0 java "${SERVER_JVM[@]}" ${EXTRA_JVM[$s]:-} -jar "$jar" "${MODE[$s]:-$s-ws}" "$port" \
    >"$logdir/$s.log" 2>&1 &
  PID[$s]=$!
  for _ in $(seq 300); do
    port_open "$port" && return 0
    kill -0 "${PID[$s]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$s server did not start; its log:" >&2
  cat "$logdir/$s.log" >&2
  exit 1
}

# ws_client NAME ARGS... : runs the client in the foreground; prints its RESULT line
ws_client() {
  local name=$1; shift
  local log="$logdir/client-$name.log"
  if ! taskset -c 1 java "${CLIENT_JVM[@]}" -jar "$jar" ws-client "$@" </dev/null >"$log" 2>&1 \
      || ! grep -q '^RESULT' "$log"; then
    echo "client failed ($name: ws-client $*); its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  grep '^RESULT' "$log"
}

# idle_client_start PORT PATH N MODE LOG: the idle client in the background, waits for READY
idle_client_start() {
  local port=$1 path=$2 n=$3 mode=$4 log=$5
  taskset -c 1 java "${CLIENT_JVM[@]}" -jar "$jar" ws-client idle "$HOST" "$port" "$path" "$n" "$mode" \
    </dev/null >"$log" 2>&1 &
  CLIENT_PID=$!
  for _ in $(seq 1800); do
    grep -q '^READY' "$log" && return 0
    if grep -q '^FAILED' "$log" || ! kill -0 "$CLIENT_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "idle client did not get $n websockets ready on $path; its log:" >&2
  cat "$log" >&2
  exit 1
}

idle_client_stop() {
  local log=$1
  if ! kill -0 "$CLIENT_PID" 2>/dev/null || grep -q '^FAILED' "$log"; then
    echo "idle client failed while holding its websockets; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  stop_pid "$CLIENT_PID"
  CLIENT_PID=""
  if grep -q '^FAILED' "$log"; then
    echo "idle client failed while closing; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
}

# live_heap PID -> "histogram_total heap_info_used rss" in bytes (as run-idle.sh, plus VmRSS)
live_heap() {
  local pid=$1 hist info rss
  jcmd "$pid" GC.run >/dev/null
  sleep 0.5
  jcmd "$pid" GC.run >/dev/null
  hist="$(jcmd "$pid" GC.class_histogram | awk '$1 == "Total" { print $3 }')"
  info="$(jcmd "$pid" GC.heap_info |
    awk '/(PSYoungGen|ParOldGen) +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?$/, "", v); sum += v } }
         END { printf "%d", sum * 1024 }')"
  rss="$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")"
  echo "$hist $info $rss"
}

# idle SERVER MODE(plain|deflate) TAG -> sets IDLE_RESULT to a RESULT line (not run in $(...): it
# starts a background client, which the EXIT trap must know of)
IDLE_RESULT=""
idle() {
  local s=$1 mode=$2 tag=$3 port=${PORT[$1]} pid=${PID[$1]} path=/echo
  [[ "$mode" == deflate ]] && path=/echo-deflate
  idle_client_start "$port" "$path" "$PRIME" "$mode" "$logdir/$s-$tag-prime.log"
  idle_client_stop "$logdir/$s-$tag-prime.log"
  sleep 1
  local h0 i0 r0 h1 i1 r1
  read -r h0 i0 r0 <<<"$(live_heap "$pid")"
  idle_client_start "$port" "$path" "$CONNS" "$mode" "$logdir/$s-$tag.log"
  sleep 1
  read -r h1 i1 r1 <<<"$(live_heap "$pid")"
  local ready; ready="$(grep '^READY' "$logdir/$s-$tag.log")"
  idle_client_stop "$logdir/$s-$tag.log"
  IDLE_RESULT="$(awk -v m="$mode" -v n="$CONNS" -v h0="$h0" -v h1="$h1" -v i0="$i0" -v i1="$i1" -v r0="$r0" -v r1="$r1" \
    -v ready="$ready" 'BEGIN { printf "RESULT mode=idle-%s conns=%d hist_b=%.0f info_b=%.0f rss_b=%.0f hist_before=%d hist_after=%d rss_before=%d rss_after=%d (%s)\n",
      m, n, (h1 - h0) / n, (i1 - i0) / n, (r1 - r0) / n, h0, h1, r0, r1, ready }')"
}

# Share of both cores busy over 2 s (from /proc/stat): whether something else is running now.
cpu_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  awk -v u=$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] )) \
      -v i=$(( b[4]+b[5] - a[4]-a[5] )) 'BEGIN { printf "%.0f%%", (u + i > 0 ? 100 * u / (u + i) : 0) }'
}

{
  echo "# run-ws $stamp  host=$(hostname)  java=$(java -version 2>&1 | head -1)"
  echo "# servers: $SERVERS; rr ${DURATION}s (+${CLIENT_WARMUP}s client warm-up), server warm-up ${SERVER_WARMUP}s per rr test;" \
    "broadcast to $CONNS x $BCAST_ROUNDS; idle $CONNS (primed with $PRIME); $ROUNDS rounds; ${MSG}-byte messages"
  echo "# server: taskset -c 0 java ${SERVER_JVM[*]} -jar $(basename "$jar") NAME-ws PORT"
  echo "# squall-spin: the squall server with -Dsquall.spinWaitMicros=$SPIN_MICROS (IOLoop.setSpinWait)"
  echo "# client: taskset -c 1 java ${CLIENT_JVM[*]} -jar $(basename "$jar") ws-client rr|broadcast|idle $HOST PORT PATH ..."
  echo "# ulimit -n $fds; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); CPU busy over 2 s before start: $(cpu_busy)"
  if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
    echo "# WARNING: other work is running on this machine; the figures will be noisy"
  fi
} | tee "$OUT"

for s in $SERVERS; do
  start_server "$s"
  echo "started $s (pid ${PID[$s]}) on port ${PORT[$s]}" | tee -a "$OUT"
done

# Warm-up: every test's path on every server, results shown but not counted.
for s in $SERVERS; do
  port=${PORT[$s]}
  r="$(ws_client "$s-warm-rr1" rr "$HOST" "$port" /echo 1 "$SERVER_WARMUP" 0 "$MSG")"
  echo "warm-up $s rr c1: $r" | tee -a "$OUT"
  r="$(ws_client "$s-warm-rr64" rr "$HOST" "$port" /echo 64 "$SERVER_WARMUP" 0 "$MSG")"
  echo "warm-up $s rr c64: $r" | tee -a "$OUT"
  r="$(ws_client "$s-warm-bc" broadcast "$HOST" "$port" /broadcast "$CONNS" 3 "$MSG")"
  echo "warm-up $s broadcast: $r" | tee -a "$OUT"
done
echo "# warm-up done after $(( SECONDS - t_start )) s" | tee -a "$OUT"

order=($SERVERS)
for round in $(seq "$ROUNDS"); do
  if (( round % 2 == 0 )); then
    servers=(); for ((i=${#order[@]}-1; i>=0; i--)); do servers+=("${order[$i]}"); done
  else
    servers=("${order[@]}")
  fi
  for s in "${servers[@]}"; do
    port=${PORT[$s]}
    t0=$SECONDS
    r="$(ws_client "$s-rr1" rr "$HOST" "$port" /echo 1 "$DURATION" "$CLIENT_WARMUP" "$MSG")"
    echo "round $round $s rr c1: $r" | tee -a "$OUT"; echo "$s rr1 $round $r" >>"$raw"
    r="$(ws_client "$s-rr64" rr "$HOST" "$port" /echo 64 "$DURATION" "$CLIENT_WARMUP" "$MSG")"
    echo "round $round $s rr c64: $r" | tee -a "$OUT"; echo "$s rr64 $round $r" >>"$raw"
    r="$(ws_client "$s-bc" broadcast "$HOST" "$port" /broadcast "$CONNS" "$BCAST_ROUNDS" "$MSG")"
    echo "round $round $s broadcast: $r" | tee -a "$OUT"; echo "$s bc $round $r" >>"$raw"
    idle "$s" plain "r$round-plain"; r=$IDLE_RESULT
    echo "round $round $s idle plain: $r" | tee -a "$OUT"; echo "$s idle $round $r" >>"$raw"
    idle "$s" deflate "r$round-deflate"; r=$IDLE_RESULT
    echo "round $round $s idle deflate: $r" | tee -a "$OUT"; echo "$s idledeflate $round $r" >>"$raw"
    echo "# round $round $s took $(( SECONDS - t0 )) s" | tee -a "$OUT"
  done
done

stop_all

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
pick() { # server test key
  awk -v s="$1" -v t="$2" '$1==s && $2==t' "$raw" |
    while read -r line; do field "$3" "$line"; done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b; else print "-" }'; }

COLS=("rr1 rps" "rr1 p99_us" "rr64 rps" "rr64 p99_us" "bc all_ms" "bc p50_ms" "idle hist_b" "idledeflate hist_b" "idle rss_b" "idledeflate rss_b")
row() { # label values...
  printf '%-18s |' "$1"; shift
  printf ' %9s |' "$@"; echo
}
values() { local s=$1 c; for c in "${COLS[@]}"; do set -- $c; pick "$s" "$1" "$2"; done; }

{
  echo
  echo "Medians of $ROUNDS rounds. rt/s: round trips per second; p99 in microseconds; broadcast: ms until"
  echo "all $CONNS have the message, and its p50 arrival (median of $BCAST_ROUNDS rounds each); heap: live"
  echo "heap per idle websocket in bytes (GC.class_histogram, after - before, / $CONNS); RSS: VmRSS growth per"
  echo "websocket (includes native memory such as zlib's; noisy)."
  row server "rt/s c1" "p99 c1" "rt/s c64" "p99 c64" "bc all ms" "bc p50 ms" "heap B" "heap defl" "RSS B" "RSS defl"
  printf -- '-------------------+%s\n' "$(printf -- '-----------+%.0s' $(seq ${#COLS[@]}))"
  for s in $SERVERS; do
    mapfile -t v < <(values "$s")
    row "$s" "${v[@]}"
  done
  for ours in squall squall-spin; do
    for other in jetty netty; do
      if [[ " $SERVERS " == *" $ours "* && " $SERVERS " == *" $other "* ]]; then
        mapfile -t a < <(values "$ours")
        mapfile -t b < <(values "$other")
        r=(); for i in "${!a[@]}"; do r+=("$(ratio "${a[$i]}" "${b[$i]}")"); done
        row "$ours/$other" "${r[@]}"
      fi
    done
  done
  echo "(ratios: above 1 is better for rt/s, below 1 is better for every other column)"
  echo
  echo "total time: $(( SECONDS - t_start )) s; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "results: $OUT"
} | tee -a "$OUT"
