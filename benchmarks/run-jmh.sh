#!/usr/bin/env bash
# The JMH suite (IOLoopBenchmark: Squall's IOLoop against a Netty 4.2 NIO event loop).
#
#   benchmarks/run-jmh.sh                      # the whole suite, about 5 minutes on 2 cores
#   benchmarks/run-jmh.sh 'timerAdd.*'         # a subset (regular expressions, as JMH takes them)
#   benchmarks/run-jmh.sh -- -prof gc          # extra JMH options after --
#
# Settings: 2 forks x (3 x 1 s warm-up + 5 x 1 s measured) per benchmark and parameter
# (20 combinations). Results go to benchmarks/target/jmh-TIMESTAMP.{txt,json}.
# Environment: FORKS (2), WI (3), I (5), W (1s), R (1s), BUILD (auto|yes|no).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/squall-benchmarks.jar"
BUILD="${BUILD:-auto}"
if [[ "$BUILD" == yes || ( "$BUILD" == auto && ! -f "$jar" ) ]]; then
  (cd "$root" && mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dmaven.test.skip=true)
fi
[[ -f "$jar" ]] || { echo "no $jar: build it first" >&2; exit 1; }

patterns=()
while [[ $# -gt 0 && "$1" != "--" ]]; do patterns+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
[[ ${#patterns[@]} -eq 0 ]] && patterns=("io.squall.bench.*")

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$here/target"
txt="$here/target/jmh-$stamp.txt"
json="$here/target/jmh-$stamp.json"

# The forked JVMs get -Xms1g -Xmx1g -XX:+UseParallelGC from the benchmarks' @Fork.
java -Xmx256m -jar "$jar" jmh \
  -f "${FORKS:-2}" -wi "${WI:-3}" -i "${I:-5}" -w "${W:-1s}" -r "${R:-1s}" \
  -rf json -rff "$json" "$@" "${patterns[@]}" 2>&1 | tee "$txt"
echo "results: $txt, $json"
