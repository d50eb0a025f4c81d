#!/usr/bin/env bash
# Long-poll fan-out on Squall: N clients wait in POST /updates on one Condition; one POST /new
# wakes them all. See io.squall.bench.LongPollBench.
#
#   benchmarks/run-longpoll.sh                    # N=5000, ROUNDS=5
#   N=1000 ROUNDS=3 benchmarks/run-longpoll.sh
#
# Steps:
#   0. wait while another benchmark (`pgrep -x wrk`) runs: poll every 30 s, at most WRK_WAIT s
#      (1500), then go on anyway and say so in the output;
#   1. server: taskset -c 0 java -Xms1g -Xmx1g -XX:+UseParallelGC -cp squall-benchmarks.jar
#      io.squall.bench.LongPollBench server PORT (one IOLoop); wait until GET /waiting answers;
#   2. prime: the client with PRIME (200) polls and 2 rounds, so classes and JIT exist first;
#   3. before: jcmd PID GC.run, then the GC.class_histogram total (live objects only);
#   4. client: taskset -c 1 java -Xms256m -Xmx256m -XX:+UseParallelGC -cp squall-benchmarks.jar
#      io.squall.bench.LongPollBench client 127.0.0.1 PORT N ROUNDS GOFILE: opens N polls; once
#      the server reports N waiting it prints ALL_WAITING and pauses;
#   5. with all N waiting: the same GC and histogram; (with - before) / N = live heap per waiting
#      client (connection + handler + condition waiter); then the client goes on with ROUNDS
#      rounds: post, time until all N responses arrived (and p50/p99 of per-client arrival),
#      re-arm, and prints the medians.
# The server and client are stopped on exit, failure or Ctrl-C.
#
# Settings (environment): N (5000), ROUNDS (5), PRIME (200), PORT (18194), WRK_WAIT (1500),
# OUT, BUILD (auto|yes|no).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"
main=io.squall.bench.LongPollBench

N="${N:-5000}"
ROUNDS="${ROUNDS:-5}"
PRIME="${PRIME:-200}"
PORT="${PORT:-18194}"
WRK_WAIT="${WRK_WAIT:-1500}"
BUILD="${BUILD:-auto}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$here/target/longpoll-$stamp.txt}"
HOST=127.0.0.1

SERVER_JVM=(-Xms1g -Xmx1g -XX:+UseParallelGC)
CLIENT_JVM=(-Xms256m -Xmx256m -XX:+UseParallelGC)

if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }
for tool in taskset jcmd curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
fds="$(ulimit -n)"
if [[ "$fds" != unlimited ]] && (( fds < N + 200 )); then
  echo "ulimit -n is $fds, too low for $N polls" >&2
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
cleanup() {
  local rc=$?
  stop_pid "$CLIENT_PID"; CLIENT_PID=""
  stop_pid "$SERVER_PID"; SERVER_PID=""
  if (( rc != 0 )); then
    echo "run-longpoll.sh failed (exit $rc); logs in $logdir" >&2
  else
    rm -rf "$logdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 0. another benchmark running?
waited=0
while pgrep -x wrk >/dev/null && (( waited < WRK_WAIT )); do
  echo "wrk is running; waiting ($waited s so far)" >&2
  sleep 30
  waited=$(( waited + 30 ))
done
if pgrep -x wrk >/dev/null; then
  busy="wrk STILL RUNNING after ${waited} s: measured anyway"
else
  busy="no wrk running (waited ${waited} s)"
fi

live_heap() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  sleep 0.5
  jcmd "$SERVER_PID" GC.run >/dev/null
  jcmd "$SERVER_PID" GC.class_histogram | awk '$1 == "Total" { print $3 }'
}

{
  echo "# run-longpoll $stamp  host=$(hostname)  java=$(java -version 2>&1 | head -1)"
  echo "# server: taskset -c 0 java ${SERVER_JVM[*]} -cp $(basename "$jar") $main server $PORT"
  echo "# client: taskset -c 1 java ${CLIENT_JVM[*]} -cp $(basename "$jar") $main client $HOST $PORT $N $ROUNDS GOFILE"
  echo "# ulimit -n $fds; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $busy"
} | tee "$OUT"

# 1. server
if curl -sf -o /dev/null --max-time 1 "http://$HOST:$PORT/waiting"; then
  echo "port $PORT is already in use; set PORT" >&2
  exit 1
fi
taskset -c 0 java "${SERVER_JVM[@]}" -cp "$jar" "$main" server "$PORT" >"$logdir/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -sf -o /dev/null --max-time 1 "http://$HOST:$PORT/waiting" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logdir/server.log" >&2; exit 1; }
  sleep 0.1
done

# 2. prime
taskset -c 1 java "${CLIENT_JVM[@]}" -cp "$jar" "$main" client "$HOST" "$PORT" "$PRIME" 2 \
  </dev/null >"$logdir/prime.log" 2>&1 || { cat "$logdir/prime.log" >&2; exit 1; }
sleep 1

# 3. before
heap0="$(live_heap)"

# 4. client, paused once all N wait
gofile="$logdir/go"
taskset -c 1 java "${CLIENT_JVM[@]}" -cp "$jar" "$main" client "$HOST" "$PORT" "$N" "$ROUNDS" "$gofile" \
  </dev/null >"$logdir/client.log" 2>&1 &
CLIENT_PID=$!
for _ in $(seq 1200); do
  grep -q '^ALL_WAITING' "$logdir/client.log" && break
  if grep -q '^FAILED' "$logdir/client.log" || ! kill -0 "$CLIENT_PID" 2>/dev/null; then
    cat "$logdir/client.log" >&2; exit 1
  fi
  sleep 0.1
done
grep -q '^ALL_WAITING' "$logdir/client.log" || { echo "client never got all $N waiting" >&2; exit 1; }
sleep 1

# 5. with all N waiting; then the rounds
heap1="$(live_heap)"
touch "$gofile"
rc=0
wait "$CLIENT_PID" || rc=$?
CLIENT_PID=""
cat "$logdir/client.log" | tee -a "$OUT"
(( rc == 0 )) || { echo "client failed (exit $rc)" >&2; exit 1; }

{
  echo
  awk -v n="$N" -v h0="$heap0" -v h1="$heap1" 'BEGIN {
    printf "live heap (GC.class_histogram total): before %d B, with %d polls waiting %d B: %.0f B per waiting client\n", h0, n, h1, (h1 - h0) / n }'
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "results: $OUT"
} | tee -a "$OUT"
