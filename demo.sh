#!/usr/bin/env bash
# Builds what the demo needs and starts it: the TCP echo server (port 8888 unless given).
# Then, from another terminal: nc localhost 8888
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java -cp "examples/target/classes:examples/target/lib/*" \
  io.squall.examples.tcpecho.EchoServer "$@"
