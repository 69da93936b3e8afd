#!/usr/bin/env bash
# Local stack without Docker: a real Kafka broker (KRaft, single node) and a real Confluent-compatible schema
# registry (Apicurio Registry 3), both fetched from Maven Central and run with the machine's Java 17.
#
#   stack.sh up      fetch (first time), start, wait until ready; already running -> report and exit 0
#   stack.sh down    stop only the processes this script started (by pid file)
#   stack.sh status  show what runs, where, and where the logs are
#   stack.sh fetch   only download the servers (CI does this before the tests)
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), REGISTRY_PORT (8081), STACK_DIR (deploy/local/.stack),
#              STACK_READY_TIMEOUT (seconds, 180).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STACK_DIR="${STACK_DIR:-$here/.stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-180}"
# "kafka registry" (default) or "kafka": tests that restart a broker run a private Kafka-only stack.
COMPONENTS="${STACK_COMPONENTS:-kafka registry}"
apicurio_version="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$here/pom.xml")"

lib_dir="$STACK_DIR/lib"
kafka_libs="$lib_dir/kafka"
apicurio_home="$lib_dir/apicurio-$apicurio_version"
run_dir="$STACK_DIR/run"
data_dir="$STACK_DIR/data"
log_dir="$STACK_DIR/logs"

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wants() { case " $COMPONENTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

fetch() {
  command -v java >/dev/null || die "java not found (Java 17+ is required)"
  command -v mvn >/dev/null || die "mvn not found (Maven is required to fetch Kafka and the registry)"
  mkdir -p "$lib_dir"
  if [ ! -f "$kafka_libs/.complete" ]; then
    log "fetching Kafka from Maven Central into $kafka_libs (first run only; progress: $log_dir/maven-kafka.log)"
    rm -rf "$kafka_libs"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$kafka_libs" \
      -DincludeScope=runtime >"$log_dir/maven-kafka.log" 2>&1 || die "Maven could not fetch Kafka, see $log_dir/maven-kafka.log"
    touch "$kafka_libs/.complete"
  fi
  if wants registry && [ ! -f "$apicurio_home/.complete" ]; then
    log "fetching Apicurio Registry $apicurio_version from Maven Central (~160 MB, first run only; progress: $log_dir/maven-registry.log)"
    rm -rf "$apicurio_home" "$lib_dir/apicurio-download"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$apicurio_version:tar.gz:all" \
      -DoutputDirectory="$lib_dir/apicurio-download" >"$log_dir/maven-registry.log" 2>&1 \
      || die "Maven could not fetch the registry, see $log_dir/maven-registry.log"
    mkdir -p "$apicurio_home"
    tar xzf "$lib_dir/apicurio-download/apicurio-registry-app-$apicurio_version-all.tar.gz" -C "$apicurio_home"
    rm -rf "$lib_dir/apicurio-download"
    touch "$apicurio_home/.complete"
  fi
}

start_kafka() {
  if pid_alive "$run_dir/kafka.pid"; then log "kafka already running (pid $(cat "$run_dir/kafka.pid"))"; return; fi
  if port_open "$KAFKA_PORT"; then die "port $KAFKA_PORT is taken by a process this script did not start"; fi
  local conf="$run_dir/server.properties"
  cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/kafka
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  if [ ! -f "$data_dir/kafka/meta.properties" ]; then
    mkdir -p "$data_dir/kafka"
    local cluster_id
    cluster_id="$(java -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$kafka_libs/*" -Dlog4j.configuration="file:$here/log4j.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" >"$log_dir/kafka-format.log" 2>&1 \
      || die "formatting Kafka storage failed, see $log_dir/kafka-format.log"
  fi
  log "starting kafka on 127.0.0.1:$KAFKA_PORT (log: $log_dir/kafka.log)"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$here/log4j.properties" \
    -cp "$kafka_libs/*" kafka.Kafka "$conf" >"$log_dir/kafka.log" 2>&1 &
  echo $! >"$run_dir/kafka.pid"
}

# Apicurio 3.0.x ships an uber-style `*-runner.jar`, later 3.x a `quarkus-run.jar`.
registry_jar() {
  local jar
  for jar in "$apicurio_home/quarkus-run.jar" "$apicurio_home"/apicurio-registry-app-*-runner.jar; do
    [ -f "$jar" ] && { echo "$jar"; return; }
  done
  die "no runnable jar in $apicurio_home"
}

start_registry() {
  if pid_alive "$run_dir/registry.pid"; then log "registry already running (pid $(cat "$run_dir/registry.pid"))"; return; fi
  if port_open "$REGISTRY_PORT"; then die "port $REGISTRY_PORT is taken by a process this script did not start"; fi
  mkdir -p "$data_dir/registry"
  log "starting schema registry (Apicurio $apicurio_version) on 127.0.0.1:$REGISTRY_PORT (log: $log_dir/registry.log)"
  # H2 on disk so schema ids survive a restart (records on Kafka refer to them).
  nohup java -Xms128m -Xmx512m -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false \
    -Dapicurio.datasource.url="jdbc:h2:file:$data_dir/registry/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.rest.deletion.artifact.enabled=true -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dquarkus.log.level=WARN \
    -jar "$(registry_jar)" >"$log_dir/registry.log" 2>&1 &
  echo $! >"$run_dir/registry.pid"
}

wait_ready() {
  local started=$SECONDS kafka_ok=0 registry_ok=1
  wants registry && registry_ok=0
  while [ $((SECONDS - started)) -lt "$READY_TIMEOUT" ]; do
    if [ $kafka_ok = 0 ] && port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$log_dir/kafka.log" 2>/dev/null; then
      kafka_ok=1; log "kafka ready after $((SECONDS - started))s"
    fi
    if [ $registry_ok = 0 ] && curl -fsS "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1; then
      registry_ok=1; log "registry ready after $((SECONDS - started))s"
    fi
    [ $kafka_ok = 1 ] && [ $registry_ok = 1 ] && return 0
    pid_alive "$run_dir/kafka.pid" || die "kafka exited during start-up, see $log_dir/kafka.log"
    if wants registry; then
      pid_alive "$run_dir/registry.pid" || die "registry exited during start-up, see $log_dir/registry.log"
    fi
    sleep 0.5
  done
  die "stack not ready after ${READY_TIMEOUT}s (kafka=$kafka_ok registry=$registry_ok); logs in $log_dir"
}

stop_one() {
  local name=$1 pidfile="$run_dir/$1.pid"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; log "$name not running"; return; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 30s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
  log "$name stopped (pid $pid)"
}

status() {
  local rc=0
  for name in $COMPONENTS; do
    if pid_alive "$run_dir/$name.pid"; then log "$name running (pid $(cat "$run_dir/$name.pid"), log $log_dir/$name.log)"
    else log "$name not running"; rc=1; fi
  done
  log "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
  return $rc
}

mkdir -p "$run_dir" "$data_dir" "$log_dir"
case "${1:-}" in
  up)
    if pid_alive "$run_dir/kafka.pid" && { ! wants registry || pid_alive "$run_dir/registry.pid"; }; then
      log "already running"; status || true; exit 0
    fi
    fetch
    started=$SECONDS
    start_kafka
    if wants registry; then start_registry; fi
    wait_ready
    log "stack up in $((SECONDS - started))s"
    status
    ;;
  down) if wants registry; then stop_one registry; fi; stop_one kafka ;;
  fetch) fetch ;;
  status) status ;;
  reset) "$0" down; rm -rf "$data_dir"; log "data removed" ;;
  restart-kafka) stop_one kafka; start_kafka; wait_ready ;;
  *) echo "usage: $0 up|down|status|fetch|reset|restart-kafka" >&2; exit 2 ;;
esac
