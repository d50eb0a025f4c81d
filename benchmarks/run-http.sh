#!/usr/bin/env bash
# HTTP hello servers with wrk: Squall (bare HttpServer), Squall's web Application, Netty 4.2
# HttpServerCodec, Jetty 12.1 core Handler, Jetty 12.1 ee10 servlet, Tornado 6 (Debian's
# python3-tornado), each on one event loop / one selector, in one run.
#
#   benchmarks/run-http.sh                         # all six, about 16 minutes
#   SERVERS="squall netty" benchmarks/run-http.sh  # a subset
#   DURATION=8 benchmarks/run-http.sh              # shorter measurements
#
# Method of shared/docs/performance-targets.md: every server pinned to core 0
# (taskset -c 0 java -Xms1g -Xmx1g -XX:+UseParallelGC -jar squall-benchmarks.jar NAME-http PORT;
# Tornado: taskset -c 0 $PYTHON benchmarks/tornado_hello.py PORT),
# wrk pinned to core 1 (taskset -c 1 wrk -t1 -cN -dDs --latency). All servers are started first
# and run for the whole script (an idle one costs nothing); each is warmed up for WARMUP seconds
# (split over plaintext c64, json c64 and pipelined c256, so every path is compiled), then ROUNDS
# rounds run, the order of the servers alternating from round to round (forward, reversed, ...).
# Each round gives every server the same four tests:
#   plaintext c64      wrk -t1 -c64  GET /plaintext
#   plaintext c256     wrk -t1 -c256 GET /plaintext
#   json c64           wrk -t1 -c64  GET /json
#   pipelined c256     wrk -t1 -c256 -s pipeline.lua (16 GET /plaintext per write)
# The table gives medians over the rounds of requests/s and wrk's p99 latency in ms. When
# pipelining, wrk 4.1's latency percentiles are unusable (it prints 0.00us for p90 and p99), so
# the pipelined p99 shows "-". Every wrk output is kept in the results file.
# Any socket error or non-2xx answer is counted and shown. Loopback only. Every server started is
# stopped at the end, on failure and on Ctrl-C.
#
# Settings (environment): DURATION (10, seconds per measurement), WARMUP (10, seconds per server),
# ROUNDS (3), SERVERS ("squall squall-app netty jetty jetty-servlet tornado"), SQUALL_PORT (18190),
# JETTY_PORT (18191), NETTY_PORT (18192), SQUALL_APP_PORT (18193), JETTY_SERVLET_PORT (18194),
# TORNADO_PORT (18195), PYTHON (/usr/bin/python3, needs tornado), OUT (results file),
# BUILD (auto|yes|no), SERVER_JVM_EXTRA (extra JVM options for every Java server, e.g. a JFR
# recording), RATIOS (pairs A/B whose ratio rows are printed).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"
lua="$here/pipeline.lua"
tornado_py="$here/tornado_hello.py"
PYTHON="${PYTHON:-/usr/bin/python3}"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-10}"
ROUNDS="${ROUNDS:-3}"
SERVERS="${SERVERS:-squall squall-app netty jetty jetty-servlet tornado}"
RATIOS="${RATIOS:-squall-app/squall squall-app/jetty-servlet squall-app/tornado squall/netty squall/jetty}"
BUILD="${BUILD:-auto}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$here/target/http-$stamp.txt}"
HOST=127.0.0.1

SERVER_JVM=(-Xms1g -Xmx1g -XX:+UseParallelGC)
# shellcheck disable=SC2206
[[ -n "${SERVER_JVM_EXTRA:-}" ]] && SERVER_JVM+=(${SERVER_JVM_EXTRA})

declare -A PID PORT
PORT[squall]="${SQUALL_PORT:-18190}"
PORT[jetty]="${JETTY_PORT:-18191}"
PORT[netty]="${NETTY_PORT:-18192}"
PORT[squall-app]="${SQUALL_APP_PORT:-18193}"
PORT[jetty-servlet]="${JETTY_SERVLET_PORT:-18194}"
PORT[tornado]="${TORNADO_PORT:-18195}"

if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }
for tool in taskset wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
for s in $SERVERS; do
  [[ -n "${PORT[$s]:-}" ]] || {
    echo "unknown server $s (squall, squall-app, netty, jetty, jetty-servlet, tornado)" >&2; exit 1; }
done
if [[ " $SERVERS " == *" tornado "* ]] && ! "$PYTHON" -c 'import tornado' 2>/dev/null; then
  echo "$PYTHON cannot import tornado: apt-get install python3-tornado, or set PYTHON" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUT")"
raw="$(mktemp)"
logdir="$(mktemp -d)"

stop_servers() {
  for s in "${!PID[@]}"; do
    local p="${PID[$s]}"
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
    unset "PID[$s]"
  done
}
cleanup() {
  local rc=$?
  stop_servers
  rm -f "$raw"
  if (( rc != 0 )); then
    echo "run-http.sh failed (exit $rc); server logs in $logdir" >&2
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
    echo "port $port is already in use; set $(tr a-z- A-Z_ <<<"$s")_PORT" >&2
    exit 1
  fi
  if [[ "$s" == tornado ]]; then
    taskset -c 0 "$PYTHON" "$tornado_py" "$port" >"$logdir/$s.log" 2>&1 &
  else
    taskset -c 0 java "${SERVER_JVM[@]}" -jar "$jar" "$s-http" "$port" >"$logdir/$s.log" 2>&1 &
  fi
  PID[$s]=$!
  for _ in $(seq 300); do
    answers "$port" && return 0
    kill -0 "${PID[$s]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$s server did not start; its log:" >&2
  cat "$logdir/$s.log" >&2
  exit 1
}

# wrk_run SERVER TEST SECONDS -> wrk's output on stdout
wrk_run() {
  local s=$1 t=$2 secs=$3 url="http://$HOST:${PORT[$1]}"
  case "$t" in
    plaintext-c64) taskset -c 1 wrk -t1 -c64 -d"${secs}s" --latency "$url/plaintext" ;;
    plaintext-c256) taskset -c 1 wrk -t1 -c256 -d"${secs}s" --latency "$url/plaintext" ;;
    json-c64) taskset -c 1 wrk -t1 -c64 -d"${secs}s" --latency "$url/json" ;;
    pipelined-c256) taskset -c 1 wrk -t1 -c256 -d"${secs}s" --latency -s "$lua" "$url/plaintext" ;;
    *) echo "unknown test $t" >&2; return 1 ;;
  esac
}

# parse wrk output -> "rps p99_ms errors"
parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
      if (v ~ /m$/) { sub(/m$/, "", v); return v * 60000 }
      return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $5 }
    END { printf "%s %s %d\n", (rps == "" ? "0" : rps), (p99 == "" || p99 == 0 ? "-" : p99), err }'
}

# Share of both cores busy over 2 s (from /proc/stat): unlike the load average, which decays over
# minutes, this says whether something else is running right now.
cpu_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  awk -v u=$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] )) \
      -v i=$(( b[4]+b[5] - a[4]-a[5] )) 'BEGIN { printf "%.0f%%", (u + i > 0 ? 100 * u / (u + i) : 0) }'
}

TESTS=(plaintext-c64 plaintext-c256 json-c64 pipelined-c256)

{
  echo "# run-http $stamp  host=$(hostname)  java=$(java -version 2>&1 | head -1)  $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "# servers: $SERVERS; ${DURATION}s per measurement, ${WARMUP}s warm-up per server, $ROUNDS rounds"
  echo "# server: taskset -c 0 java ${SERVER_JVM[*]} -jar $(basename "$jar") NAME-http PORT"
  echo "#   tornado: taskset -c 0 $PYTHON tornado_hello.py PORT  ($("$PYTHON" -c 'import tornado; print("tornado", tornado.version)' 2>/dev/null || echo "no tornado"))"
  echo "# client: taskset -c 1 wrk -t1 -cN -d${DURATION}s --latency [-s pipeline.lua] http://$HOST:PORT/PATH"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); CPU busy over 2 s before start: $(cpu_busy)"
  if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
    echo "# WARNING: other work is running on this machine; the figures will be noisy"
  fi
} | tee "$OUT"

for s in $SERVERS; do
  start_server "$s"
  echo "started $s (pid ${PID[$s]}) on port ${PORT[$s]}" | tee -a "$OUT"
done

# Warm-up: WARMUP seconds per server, split over the three request kinds.
w1=$(( WARMUP * 4 / 10 )); w2=$(( WARMUP * 3 / 10 )); w3=$(( WARMUP - w1 - w2 ))
for s in $SERVERS; do
  for spec in "plaintext-c64 $w1" "json-c64 $w2" "pipelined-c256 $w3"; do
    set -- $spec
    (( $2 > 0 )) || continue
    r="$(wrk_run "$s" "$1" "$2" | parse)"
    echo "warm-up $s $1 ${2}s: rps p99_ms errors = $r" | tee -a "$OUT"
  done
done

order=($SERVERS)
for round in $(seq "$ROUNDS"); do
  if (( round % 2 == 0 )); then
    servers=(); for ((i=${#order[@]}-1; i>=0; i--)); do servers+=("${order[$i]}"); done
  else
    servers=("${order[@]}")
  fi
  for s in "${servers[@]}"; do
    kill -0 "${PID[$s]}" 2>/dev/null || { echo "$s server died; its log:" >&2; cat "$logdir/$s.log" >&2; exit 1; }
    for t in "${TESTS[@]}"; do
      out="$(wrk_run "$s" "$t" "$DURATION")"
      { echo "## round $round $s $t"; echo "$out"; } >>"$OUT"
      r="$(parse <<<"$out")"
      echo "round $round $s $t: rps p99_ms errors = $r" | tee -a "$OUT"
      echo "$s $t $round $r" >>"$raw"
    done
  done
done

stop_servers

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# pick SERVER TEST COLUMN (4 rps, 5 p99, 6 errors)
pick() { awk -v s="$1" -v t="$2" -v c="$3" '$1==s && $2==t && $c != "-" {print $c}' "$raw" | median; }
total() { awk -v s="$1" '$1==s {n += $6} END {print n + 0}' "$raw"; }
k() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1fk", v / 1000 }'; }
f2() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f", v }'; }

{
  echo
  echo "Medians of $ROUNDS rounds: requests/s, p99 latency in ms (pipelined: wrk gives none)"
  printf '%-24s | %9s %7s | %9s %7s | %9s %7s | %9s %7s | %6s\n' server \
    "plain c64" p99 "plain256" p99 "json c64" p99 "pipe c256" p99 errors
  printf -- '-------------------------+-------------------+-------------------+-------------------+-------------------+-------\n'
  for s in $SERVERS; do
    printf '%-24s | %9s %7s | %9s %7s | %9s %7s | %9s %7s | %6s\n' "$s" \
      "$(k "$(pick "$s" plaintext-c64 4)")" "$(f2 "$(pick "$s" plaintext-c64 5)")" \
      "$(k "$(pick "$s" plaintext-c256 4)")" "$(f2 "$(pick "$s" plaintext-c256 5)")" \
      "$(k "$(pick "$s" json-c64 4)")" "$(f2 "$(pick "$s" json-c64 5)")" \
      "$(k "$(pick "$s" pipelined-c256 4)")" "$(f2 "$(pick "$s" pipelined-c256 5)")" \
      "$(total "$s")"
  done
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-" && b != "-") printf "%.2f", a / b; else print "-" }'; }
  for pair in $RATIOS; do
    a=${pair%/*}; b=${pair#*/}
    [[ " $SERVERS " == *" $a "* && " $SERVERS " == *" $b "* ]] || continue
    printf '%-24s | %9s %7s | %9s %7s | %9s %7s | %9s %7s |\n' "$pair" \
      "$(ratio "$(pick "$a" plaintext-c64 4)" "$(pick "$b" plaintext-c64 4)")" \
      "$(ratio "$(pick "$a" plaintext-c64 5)" "$(pick "$b" plaintext-c64 5)")" \
      "$(ratio "$(pick "$a" plaintext-c256 4)" "$(pick "$b" plaintext-c256 4)")" \
      "$(ratio "$(pick "$a" plaintext-c256 5)" "$(pick "$b" plaintext-c256 5)")" \
      "$(ratio "$(pick "$a" json-c64 4)" "$(pick "$b" json-c64 4)")" \
      "$(ratio "$(pick "$a" json-c64 5)" "$(pick "$b" json-c64 5)")" \
      "$(ratio "$(pick "$a" pipelined-c256 4)" "$(pick "$b" pipelined-c256 4)")" \
      "$(ratio "$(pick "$a" pipelined-c256 5)" "$(pick "$b" pipelined-c256 5)")"
  done
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (this run alone accounts for about 2)"
  echo "results (every wrk output): $OUT"
} | tee -a "$OUT"
