#!/usr/bin/env bash
# Builds what the demo needs and starts it: Tornado's long-polling chat on http://localhost:8888/
# (pass e.g. --port=9000; --help lists the options). Open the page in two browser windows.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java -cp "examples/target/classes:examples/target/lib/*" \
  io.squall.examples.chat.ChatDemo "$@"
