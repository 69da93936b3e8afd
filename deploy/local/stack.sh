#!/usr/bin/env bash
# Local stack without Docker: real Kafka (KRaft: one node, or a replicated cluster of N nodes) and a real
# Confluent-compatible schema registry (Apicurio Registry 3), both fetched from Maven Central and run with the
# machine's Java 17.
#
#   stack.sh up [--brokers N] [--kafka-version V]   fetch (first time), start what is not running, wait until ready
#   stack.sh down                                     stop only the processes this script started (by pid file)
#   stack.sh status                                   show what runs, where, and where the logs are
#   stack.sh fetch                                    only download the servers (CI does this before the tests)
#   stack.sh reset                                    down, then remove the data
#   stack.sh restart-kafka                            stop and start every Kafka node
#   stack.sh kill-broker ID                           SIGKILL one node (cluster failover by hand; `up` brings it back)
#   stack.sh controller                               print the node id of the active KRaft controller
#   stack.sh env                                      print KAFKA_BROKERS=… and SCHEMA_REGISTRY_URL=… for this stack
#
# Environment (docs/configuration.md, "Simulators, demo and local stack"): STACK_BROKERS (1; 3 = a replicated cluster), KAFKA_VERSION
# (pom.xml's; 4.x uses pom-kafka4.xml), KAFKA_PORT (9092; cluster 19092, node i listens on KAFKA_PORT+i-1),
# KAFKA_CONTROLLER_PORT (9093; cluster 19192), REGISTRY_PORT (8081; cluster 18081), STACK_DIR (deploy/local/.stack;
# cluster deploy/local/.stack-cluster), STACK_LIB_DIR (deploy/local/.stack/lib: jars shared by every stack),
# STACK_COMPONENTS ("kafka registry"), KAFKA_HEAP_OPTS, STACK_READY_TIMEOUT (seconds, 180).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command_name="${1:-}"
[ $# -gt 0 ] && shift
BROKERS="${STACK_BROKERS:-1}"
KAFKA_VERSION="${KAFKA_VERSION:-}"
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --brokers) BROKERS="${2:?--brokers needs a number}"; shift 2 ;;
    --kafka-version) KAFKA_VERSION="${2:?--kafka-version needs a version}"; shift 2 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
case "$BROKERS" in ''|*[!0-9]*|0) echo "STACK_BROKERS/--brokers must be a positive number, got '$BROKERS'" >&2; exit 2 ;; esac

pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$2"; }
KAFKA_VERSION="${KAFKA_VERSION:-$(pom_property kafka.version "$here/pom.xml")}"
kafka_major="${KAFKA_VERSION%%.*}"
# Kafka 4 logs through Log4j 2 (KIP-653): another slf4j binding, so another pom and another logging config.
if [ "$kafka_major" -ge 4 ]; then kafka_pom="$here/pom-kafka4.xml"; else kafka_pom="$here/pom.xml"; fi
apicurio_version="$(pom_property apicurio.version "$here/pom.xml")"

# A cluster gets its own default ports and folder so it runs beside the single broker on 9092.
if [ "$BROKERS" -gt 1 ]; then
  default_dir="$here/.stack-cluster" default_port=19092 default_controller=19192 default_registry=18081
  default_heap="-Xms128m -Xmx384m"
else
  default_dir="$here/.stack" default_port=9092 default_controller=9093 default_registry=8081
  default_heap="-Xms256m -Xmx512m"
fi
STACK_DIR="${STACK_DIR:-$default_dir}"
KAFKA_PORT="${KAFKA_PORT:-$default_port}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$default_controller}"
REGISTRY_PORT="${REGISTRY_PORT:-$default_registry}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:-$default_heap}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-180}"
# "kafka registry" (default) or "kafka": tests that restart a broker run a private Kafka-only stack.
COMPONENTS="${STACK_COMPONENTS:-kafka registry}"

lib_dir="${STACK_LIB_DIR:-$here/.stack/lib}"
kafka_libs="$lib_dir/kafka-$KAFKA_VERSION"
apicurio_home="$lib_dir/apicurio-$apicurio_version"
run_dir="$STACK_DIR/run"
data_dir="$STACK_DIR/data"
log_dir="$STACK_DIR/logs"

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wants() { case " $COMPONENTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# Node i of 1..BROKERS. A single node keeps the historical names (kafka.pid, kafka.log, data/kafka).
node_name() { if [ "$BROKERS" -eq 1 ]; then echo kafka; else echo "kafka-$1"; fi; }
node_port() { echo $((KAFKA_PORT + $1 - 1)); }
node_controller_port() { echo $((KAFKA_CONTROLLER_PORT + $1 - 1)); }
nodes() { seq 1 "$BROKERS"; }
bootstrap() {
  local i list=()
  for i in $(nodes); do list+=("127.0.0.1:$(node_port "$i")"); done
  (IFS=,; echo "${list[*]}")
}
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

fetch() {
  command -v java >/dev/null || die "java not found (Java 17+ is required)"
  command -v mvn >/dev/null || die "mvn not found (Maven is required to fetch Kafka and the registry)"
  mkdir -p "$lib_dir" "$log_dir"
  if [ ! -f "$kafka_libs/.complete" ]; then
    log "fetching Kafka $KAFKA_VERSION from Maven Central into $kafka_libs (first run only; progress: $log_dir/maven-kafka.log)"
    rm -rf "$kafka_libs"
    mvn -q -B -Dstyle.color=never -f "$kafka_pom" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
      -DoutputDirectory="$kafka_libs" -DincludeScope=runtime >"$log_dir/maven-kafka.log" 2>&1 \
      || die "Maven could not fetch Kafka $KAFKA_VERSION, see $log_dir/maven-kafka.log"
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

log_options() {
  if [ "$kafka_major" -ge 4 ]; then echo "-Dlog4j2.configurationFile=$here/log4j2.properties"
  else echo "-Dlog4j.configuration=file:$here/log4j.properties"; fi
}

# Data written by one Kafka version is not read back by an older one: refuse instead of failing obscurely.
check_data_version() {
  local marker="$data_dir/kafka-version"
  if [ -f "$marker" ] && [ "$(cat "$marker")" != "$KAFKA_VERSION" ]; then
    die "$data_dir was written by Kafka $(cat "$marker"), not $KAFKA_VERSION: run \`stack.sh reset\` or use another STACK_DIR"
  fi
  mkdir -p "$data_dir"
  echo "$KAFKA_VERSION" >"$marker"
}

write_node_config() {
  local i=$1 conf=$2 voters=() v
  for v in $(nodes); do voters+=("$v@127.0.0.1:$(node_controller_port "$v")"); done
  local replicas; replicas=$(min 3 "$BROKERS")
  local min_isr=1; [ "$BROKERS" -ge 3 ] && min_isr=2
  cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$(IFS=,; echo "${voters[*]}")
listeners=PLAINTEXT://127.0.0.1:$(node_port "$i"),CONTROLLER://127.0.0.1:$(node_controller_port "$i")
advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port "$i")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/$(node_name "$i")
num.partitions=1
auto.create.topics.enable=false
default.replication.factor=$replicas
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  if [ "$BROKERS" -gt 1 ]; then
    # Several JVMs on 2 cores: fewer threads each, and a restarted node catches up without waiting for a timer.
    cat >>"$conf" <<PROPS
num.network.threads=2
num.io.threads=4
num.replica.fetchers=1
background.threads=4
unclean.leader.election.enable=false
PROPS
  fi
}

cluster_id() {
  local file="$data_dir/cluster-id"
  if [ ! -f "$file" ]; then
    java -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$file"
  fi
  cat "$file"
}

start_node() {
  local i=$1 name; name=$(node_name "$1")
  local pidfile="$run_dir/$name.pid" port; port=$(node_port "$i")
  if pid_alive "$pidfile"; then log "$name already running (pid $(cat "$pidfile"))"; return; fi
  if port_open "$port"; then die "port $port is taken by a process this script did not start"; fi
  local conf="$run_dir/server-$name.properties"
  write_node_config "$i" "$conf"
  if [ ! -f "$data_dir/$name/meta.properties" ]; then
    mkdir -p "$data_dir/$name"
    # shellcheck disable=SC2046
    java -cp "$kafka_libs/*" $(log_options) kafka.tools.StorageTool format -t "$(cluster_id)" -c "$conf" \
      >"$log_dir/$name-format.log" 2>&1 || die "formatting Kafka storage failed, see $log_dir/$name-format.log"
  fi
  log "starting $name (Kafka $KAFKA_VERSION) on 127.0.0.1:$port (log: $log_dir/$name.log)"
  # shellcheck disable=SC2046,SC2086
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true $(log_options) \
    -cp "$kafka_libs/*" kafka.Kafka "$conf" >"$log_dir/$name.log" 2>&1 &
  echo $! >"$pidfile"
}

start_kafka() {
  check_data_version
  local i
  for i in $(nodes); do start_node "$i"; done
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

node_ready() {
  local name; name=$(node_name "$1")
  port_open "$(node_port "$1")" && grep -q "Kafka Server started" "$log_dir/$name.log" 2>/dev/null
}

wait_ready() {
  local started=$SECONDS registry_ok=1 i pending
  wants registry && registry_ok=0
  declare -A ready=()
  while [ $((SECONDS - started)) -lt "$READY_TIMEOUT" ]; do
    pending=0
    for i in $(nodes); do
      [ -n "${ready[$i]:-}" ] && continue
      if node_ready "$i"; then ready[$i]=1; log "$(node_name "$i") ready after $((SECONDS - started))s"
      else
        pending=1
        pid_alive "$run_dir/$(node_name "$i").pid" || die "$(node_name "$i") exited during start-up, see $log_dir/$(node_name "$i").log"
      fi
    done
    if [ $registry_ok = 0 ] && curl -fsS "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1; then
      registry_ok=1; log "registry ready after $((SECONDS - started))s"
    fi
    [ $pending = 0 ] && [ $registry_ok = 1 ] && return 0
    if wants registry; then
      pid_alive "$run_dir/registry.pid" || die "registry exited during start-up, see $log_dir/registry.log"
    fi
    sleep 0.5
  done
  die "stack not ready after ${READY_TIMEOUT}s (kafka nodes ready: ${#ready[@]}/$BROKERS, registry=$registry_ok); logs in $log_dir"
}

# Sends SIGTERM to every named process at once (a cluster shutting down one node at a time would keep moving
# leaders to the remaining ones), then waits up to 30 s before SIGKILL.
stop_all() {
  local name pidfile pid pids=() names=()
  for name in "$@"; do
    pidfile="$run_dir/$name.pid"
    if ! pid_alive "$pidfile"; then rm -f "$pidfile"; log "$name not running"; continue; fi
    pid="$(cat "$pidfile")"; kill "$pid" 2>/dev/null || true
    pids+=("$pid"); names+=("$name")
  done
  local k
  for k in "${!pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "${pids[$k]}" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "${pids[$k]}" 2>/dev/null; then log "${names[$k]} did not stop in 30s, killing"; kill -9 "${pids[$k]}" 2>/dev/null || true; fi
    rm -f "$run_dir/${names[$k]}.pid"
    log "${names[$k]} stopped (pid ${pids[$k]})"
  done
}

kafka_names() { local i; for i in $(nodes); do node_name "$i"; done; }

kill_broker() {
  local id=${1:?kill-broker needs a node id} pidfile
  pidfile="$run_dir/$(node_name "$id").pid"
  pid_alive "$pidfile" || die "$(node_name "$id") is not running"
  kill -9 "$(cat "$pidfile")"; rm -f "$pidfile"
  log "$(node_name "$id") killed (SIGKILL); \`stack.sh up\` brings it back"
}

# The active controller is the quorum leader: the live node whose last Raft transition was to Leader.
controller() {
  local i name last
  for i in $(nodes); do
    name=$(node_name "$i")
    pid_alive "$run_dir/$name.pid" || continue
    last=$(grep -o "Completed transition to [A-Za-z]*" "$log_dir/$name.log" 2>/dev/null | tail -n 1 || true)
    case "$last" in "Completed transition to Leader"*) echo "$i"; return 0 ;; esac
  done
  die "no live node reports being the KRaft leader (yet)"
}

status() {
  local rc=0 name
  for name in $(kafka_names) $(wants registry && echo registry); do
    if pid_alive "$run_dir/$name.pid"; then log "$name running (pid $(cat "$run_dir/$name.pid"), log $log_dir/$name.log)"
    else log "$name not running"; rc=1; fi
  done
  log "Kafka $KAFKA_VERSION, $BROKERS node(s), $STACK_DIR"
  log "KAFKA_BROKERS=$(bootstrap) SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
  return $rc
}

all_running() {
  local name
  for name in $(kafka_names); do pid_alive "$run_dir/$name.pid" || return 1; done
  ! wants registry || pid_alive "$run_dir/registry.pid"
}

mkdir -p "$run_dir" "$data_dir" "$log_dir"
case "$command_name" in
  up)
    if all_running; then log "already running"; status || true; exit 0; fi
    fetch
    started=$SECONDS
    start_kafka
    if wants registry; then start_registry; fi
    wait_ready
    log "stack up in $((SECONDS - started))s"
    status
    ;;
  down)
    # shellcheck disable=SC2046
    stop_all $(wants registry && echo registry) $(kafka_names)
    ;;
  fetch) fetch ;;
  status) status ;;
  # shellcheck disable=SC2046
  reset) stop_all $(wants registry && echo registry) $(kafka_names); rm -rf "$data_dir"; log "data removed" ;;
  # shellcheck disable=SC2046
  restart-kafka) stop_all $(kafka_names); fetch; start_kafka; wait_ready ;;
  kill-broker) kill_broker "${positional[0]:-}" ;;
  controller) controller ;;
  # What clients need, one VARIABLE=value a line (test/support/global-setup.ts reads it).
  env) printf 'KAFKA_BROKERS=%s\nSCHEMA_REGISTRY_URL=%s\n' "$(bootstrap)" "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7" ;;
  *) echo "usage: $0 up|down|status|fetch|reset|restart-kafka|kill-broker ID|controller|env [--brokers N] [--kafka-version V]" >&2; exit 2 ;;
esac
