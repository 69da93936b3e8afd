#!/usr/bin/env bash
# The test matrix .ci/run runs once everything is installed (README.md, "Platforms"):
#
#   main    the machine's Node (20), `npm test` (typecheck, lint, format, every test project incl. the reliability
#           profile with the three-broker failover run) on the local stack's Kafka 3.9.1
#   kafka4  the machine's Node, the integration and e2e projects on Kafka $CI_KAFKA4_VERSION (its own broker on
#           29092, the shared registry)
#   node24  `npm test` again under Node 24, the runtime the image ships (the `node` package from the npm registry,
#           installed by .ci/tools.sh into .tools/node24 when the machine's Node is older)
#
# Parts run CI_PARALLEL at a time (default: one per two cores, at least one: a 2-core machine runs them one after
# another, timing-sensitive tests stay honest). Each part logs to .ci/logs/<part>.log; a failing part's tail is
# printed. The closing table gives each part's time, and one summed "N passed, N failed" line.
#
# Environment: CI_PARTS ("main kafka4 node24"), CI_PARALLEL, CI_KAFKA4_VERSION (4.4.0).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PARTS="${CI_PARTS:-main kafka4 node24}"
KAFKA4_VERSION="${CI_KAFKA4_VERSION:-4.4.0}"
PARALLEL="${CI_PARALLEL:-$(($(nproc) / 2))}"
[ "$PARALLEL" -ge 1 ] 2>/dev/null || PARALLEL=1
NODE24_BIN="$PWD/.tools/node24/node_modules/node/bin"
logs="$PWD/.ci/logs"
mkdir -p "$logs"
started=$SECONDS

# The Kafka 4 broker: own folder and ports, beside the shared stack; Kafka only (the registry is the shared one).
kafka4_env=(STACK_DIR="$PWD/deploy/local/.stack-kafka4" KAFKA_VERSION="$KAFKA4_VERSION" KAFKA_PORT=29092
  KAFKA_CONTROLLER_PORT=29093 STACK_COMPONENTS=kafka)
registry_url="http://127.0.0.1:${REGISTRY_PORT:-8081}/apis/ccompat/v7"

node_major() { "${1:-node}" --version | sed 's/^v\([0-9]*\).*/\1/'; }

part_main() { npm test; }

part_kafka4() {
  env "${kafka4_env[@]}" bash deploy/local/stack.sh up &&
    KAFKA_BROKERS=127.0.0.1:29092 SCHEMA_REGISTRY_URL="$registry_url" \
      npx vitest run --project integration --project e2e
}

part_node24() {
  local bin=""
  if [ "$(node_major)" -ge 24 ]; then bin="$(dirname "$(command -v node)")"
  elif [ -x "$NODE24_BIN/node" ]; then bin="$NODE24_BIN"
  else echo "node24: no Node 24 (.ci/tools.sh installs it into .tools/node24)" >&2; return 1; fi
  echo "node24: $("$bin/node" --version) from $bin"
  PATH="$bin:$PATH" npm test
}

cleanup() { env "${kafka4_env[@]}" bash deploy/local/stack.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

# Both the main and the Node 24 part use the shared stack; the Kafka 4 part its registry: start it once up front.
bash deploy/local/stack.sh up || exit 1

declare -A pid_of=() took=() status=() began=()
run_part() {
  local part=$1
  printf '[matrix %4ss] %s started (log %s)\n' "$((SECONDS - started))" "$part" ".ci/logs/$part.log"
  "part_$part" >"$logs/$part.log" 2>&1
}

wait_one() {
  local part code
  wait -n -p done_pid "${pid_of[@]}"
  code=$?
  for part in "${!pid_of[@]}"; do
    [ "${pid_of[$part]}" = "$done_pid" ] || continue
    unset "pid_of[$part]"
    took[$part]=$((SECONDS - began[$part]))
    status[$part]=$code
    printf '[matrix %4ss] %s %s in %ss: %s\n' "$((SECONDS - started))" "$part" \
      "$([ "$code" = 0 ] && echo passed || echo FAILED)" "${took[$part]}" "$(tail -n 1 "$logs/$part.log")"
    if [ "$code" != 0 ]; then echo "---- last 60 lines of .ci/logs/$part.log"; tail -n 60 "$logs/$part.log"; echo "----"; fi
  done
}

for part in $PARTS; do
  declare -F "part_$part" >/dev/null || { echo "unknown CI part: $part" >&2; exit 2; }
  while [ "${#pid_of[@]}" -ge "$PARALLEL" ]; do wait_one; done
  began[$part]=$SECONDS
  run_part "$part" &
  pid_of[$part]=$!
done
while [ "${#pid_of[@]}" -gt 0 ]; do wait_one; done

# Each part's closing "N passed, N failed, N skipped" line (test/support/summary-reporter.ts), summed.
passed=0 failed=0 skipped=0 rc=0
printf '\n%-8s %8s %8s  %s\n' part seconds result 'tests (passed / failed / skipped)'
for part in $PARTS; do
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/$part.log" | tail -n 1)
  read -r p f s <<<"$(sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"${line:-0 passed, 0 failed}")"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
  [ "${status[$part]}" = 0 ] || rc=1
  printf '%-8s %8s %8s  %s\n' "$part" "${took[$part]}" "$([ "${status[$part]}" = 0 ] && echo ok || echo FAILED)" "${line:-no summary line}"
done
printf 'matrix: %ss wall clock, parts %s, %s at a time\n' "$((SECONDS - started))" "$PARTS" "$PARALLEL"
printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
exit $rc
