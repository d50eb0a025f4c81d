#!/usr/bin/env bash
# Raw TCP echo: Squall against Netty 4.2, both on one event loop, in one run.
#
#   benchmarks/run-echo.sh                 # both servers
#   SERVERS="netty" benchmarks/run-echo.sh # one server only (e.g. to check the harness)
#
# Each server runs pinned to core 0 (taskset -c 0, -Xms1g -Xmx1g -XX:+UseParallelGC); the NIO
# load client runs pinned to core 1, one JVM per measurement. After a warm-up of each server, three
# rounds run; in each round every server gets the same three tests, the order of the servers
# alternating from round to round:
#   rr  c1   64-byte round trips, 1 connection      -> round trips/s, p99
#   rr  c64  64-byte round trips, 64 connections    -> round trips/s, p99
#   tput c4  64 KiB streaming writes, 4 connections -> MB/s echoed
# The table gives the median of the rounds. Everything is loopback only; the servers are stopped
# at the end (and on Ctrl-C).
#
# Settings (environment): SECONDS_PER_TEST (10), CLIENT_WARMUP (2, inside each client run, dropped),
# SERVER_WARMUP (5, per test and server, before round 1), ROUNDS (3), MSG (64), SERVERS
# ("squall netty"), SQUALL_PORT (18090), NETTY_PORT (18091), OUT (results file), BUILD (auto|yes|no).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"

SECONDS_PER_TEST="${SECONDS_PER_TEST:-10}"
CLIENT_WARMUP="${CLIENT_WARMUP:-2}"
SERVER_WARMUP="${SERVER_WARMUP:-5}"
ROUNDS="${ROUNDS:-3}"
MSG="${MSG:-64}"
SERVERS="${SERVERS:-squall netty}"
SQUALL_PORT="${SQUALL_PORT:-18090}"
NETTY_PORT="${NETTY_PORT:-18091}"
BUILD="${BUILD:-auto}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$here/target/echo-$stamp.txt}"
HOST=127.0.0.1

SERVER_JVM=(-Xms1g -Xmx1g -XX:+UseParallelGC)
CLIENT_JVM=(-Xms512m -Xmx512m -XX:+UseParallelGC)

if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is needed (util-linux)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
raw="$(mktemp)"
logdir="$(mktemp -d)"

declare -A PID PORT
PORT[squall]=$SQUALL_PORT
PORT[netty]=$NETTY_PORT

stop_servers() {
  for s in "${!PID[@]}"; do
    local p="${PID[$s]}"
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null || true
    fi
    unset "PID[$s]"
  done
}
trap 'stop_servers; rm -f "$raw"' EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

start_server() {
  local s=$1 port=${PORT[$1]}
  if port_open "$port"; then
    echo "port $port is already in use; set ${s^^}_PORT" >&2
    exit 1
  fi
  taskset -c 0 java "${SERVER_JVM[@]}" -jar "$jar" "$s-echo" "$port" >"$logdir/$s.log" 2>&1 &
  PID[$s]=$!
  for _ in $(seq 200); do
    port_open "$port" && return 0
    kill -0 "${PID[$s]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$s server did not start; its log:" >&2
  cat "$logdir/$s.log" >&2
  exit 1
}

# client SERVER MODE CONNS SECONDS WARMUP -> prints the RESULT line
client() {
  local s=$1 mode=$2 conns=$3 secs=$4 warm=$5 extra=()
  [[ "$mode" == tput && "${6:-}" == verify ]] && extra=(-Dverify=true)
  local line
  line="$(taskset -c 1 java "${CLIENT_JVM[@]}" "${extra[@]}" -jar "$jar" client \
    "$HOST" "${PORT[$s]}" "$mode" "$conns" "$secs" "$warm" "$MSG" | grep '^RESULT')" || {
    echo "client failed against $s ($mode c$conns)" >&2
    return 1
  }
  echo "$line"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

TESTS=("rr 1" "rr 64" "tput 4")

{
  echo "# run-echo $stamp  host=$(hostname)  java=$(java -version 2>&1 | head -1)"
  echo "# servers: $SERVERS; ${SECONDS_PER_TEST}s per test (+${CLIENT_WARMUP}s client warm-up)," \
    "server warm-up ${SERVER_WARMUP}s per test, $ROUNDS rounds, ${MSG}-byte messages"
  echo "# server: taskset -c 0 java ${SERVER_JVM[*]} -jar $(basename "$jar") SERVER-echo PORT"
  echo "# client: taskset -c 1 java ${CLIENT_JVM[*]} -jar $(basename "$jar") client $HOST PORT MODE CONNS SECS WARMUP $MSG"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
    echo "# WARNING: other work is running on this machine; the figures will be noisy"
  fi
} | tee "$OUT"

for s in $SERVERS; do
  start_server "$s"
  echo "started $s (pid ${PID[$s]}) on port ${PORT[$s]}" | tee -a "$OUT"
done

# Warm-up: every test on every server, echoed bytes verified in the streaming test.
for s in $SERVERS; do
  for t in "${TESTS[@]}"; do
    set -- $t
    r="$(client "$s" "$1" "$2" "$SERVER_WARMUP" 0 verify)"
    echo "warm-up $s $1 c$2: $r" | tee -a "$OUT"
  done
done

order=($SERVERS)
for round in $(seq "$ROUNDS"); do
  if (( round % 2 == 0 )); then
    rev=(); for ((i=${#order[@]}-1; i>=0; i--)); do rev+=("${order[$i]}"); done
    servers=("${rev[@]}")
  else
    servers=("${order[@]}")
  fi
  for s in "${servers[@]}"; do
    for t in "${TESTS[@]}"; do
      set -- $t
      r="$(client "$s" "$1" "$2" "$SECONDS_PER_TEST" "$CLIENT_WARMUP")"
      echo "round $round $s $1 c$2: $r" | tee -a "$OUT"
      echo "$s $1 $2 $round $r" >>"$raw"
    done
  done
done

stop_servers

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
pick() { # server mode conns key
  awk -v s="$1" -v m="$2" -v c="$3" '$1==s && $2==m && $3==c' "$raw" |
    while read -r line; do field "$4" "$line"; done | median
}

{
  echo
  echo "Medians of $ROUNDS rounds (round trips/s, p99 in microseconds, MB/s = 10^6 bytes/s echoed):"
  printf '%-8s | %12s | %9s | %12s | %9s | %10s\n' server "rt/s c1" "p99 c1" "rt/s c64" "p99 c64" "MB/s c4"
  printf -- '---------+--------------+-----------+--------------+-----------+-----------\n'
  for s in $SERVERS; do
    printf '%-8s | %12s | %9s | %12s | %9s | %10s\n' "$s" \
      "$(pick "$s" rr 1 rps)" "$(pick "$s" rr 1 p99_us)" \
      "$(pick "$s" rr 64 rps)" "$(pick "$s" rr 64 p99_us)" \
      "$(pick "$s" tput 4 mbps)"
  done
  if [[ " $SERVERS " == *" squall "* && " $SERVERS " == *" netty "* ]]; then
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
    printf '%-8s | %12s | %9s | %12s | %9s | %10s\n' "sq/netty" \
      "$(ratio "$(pick squall rr 1 rps)" "$(pick netty rr 1 rps)")" \
      "$(ratio "$(pick squall rr 1 p99_us)" "$(pick netty rr 1 p99_us)")" \
      "$(ratio "$(pick squall rr 64 rps)" "$(pick netty rr 64 rps)")" \
      "$(ratio "$(pick squall rr 64 p99_us)" "$(pick netty rr 64 p99_us)")" \
      "$(ratio "$(pick squall tput 4 mbps)" "$(pick netty tput 4 mbps)")"
  fi
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (this run alone accounts for about 2)"
  echo "results: $OUT"
} | tee -a "$OUT"
