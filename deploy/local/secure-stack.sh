#!/usr/bin/env bash
# A private, secured Kafka broker for trying and testing the connector's TLS, SASL and mutual-TLS settings against a
# real broker (KRaft, single node; the jars stack.sh fetched from Maven Central). Nothing here touches the shared
# stack: own STACK_DIR, own ports.
#
#   secure-stack.sh up      make a CA, a broker certificate (SAN 127.0.0.1, localhost), a client certificate and an
#                           unrelated CA (for "wrong CA" checks) with openssl; start the broker; create the SCRAM user
#                           with Kafka's own kafka-configs tool (kafka.admin.ConfigCommand); print the listeners
#   secure-stack.sh down    stop the broker this script started (pid file)
#   secure-stack.sh env     print the connector variables for each listener (sasl, mtls)
#
# Listeners (all on 127.0.0.1):
#   PLAINTEXT  SECURE_PLAINTEXT_PORT (9192)  inter-broker and set-up only (creating users and topics)
#   SASL_SSL   SECURE_SASL_PORT      (9193)  TLS + SASL SCRAM-SHA-256 / SCRAM-SHA-512 / PLAIN / OAUTHBEARER
#              (OAUTHBEARER with Kafka's unsecured validator: it accepts unsigned JWTs, for tests only)
#   MTLS       SECURE_MTLS_PORT      (9194)  TLS with a required client certificate signed by the CA
#   CONTROLLER SECURE_CONTROLLER_PORT (9195)
# Environment: SECURE_STACK_DIR (deploy/local/.stack-secure), SECURE_SCRAM_USER (fc-connector), STACK_LIB_DIR and
#              SECURE_KAFKA_LIBS (where the Kafka jars are: stack.sh's lib/kafka-<version> by default),
#              SECURE_SCRAM_PASSWORD (generated on first start, kept in $SECURE_STACK_DIR/tls/scram-password),
#              STACK_READY_TIMEOUT (seconds, 180).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${SECURE_STACK_DIR:-$here/.stack-secure}"
plain_port="${SECURE_PLAINTEXT_PORT:-9192}"
sasl_port="${SECURE_SASL_PORT:-9193}"
mtls_port="${SECURE_MTLS_PORT:-9194}"
controller_port="${SECURE_CONTROLLER_PORT:-9195}"
user="${SECURE_SCRAM_USER:-fc-connector}"
ready_timeout="${STACK_READY_TIMEOUT:-180}"
lib_dir="${STACK_LIB_DIR:-$here/.stack/lib}"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml" | head -n 1)"
tls="$dir/tls"
run="$dir/run"
logs="$dir/logs"

log() { printf '[secure-stack] %s\n' "$*"; }
die() { printf '[secure-stack] error: %s\n' "$*" >&2; exit 1; }
pid_alive() { [ -f "$run/kafka.pid" ] && kill -0 "$(cat "$run/kafka.pid")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The jars stack.sh fetched: lib/kafka-<version> (lib/kafka in older checkouts); SECURE_KAFKA_LIBS overrides.
find_kafka_libs() {
  local d
  for d in ${SECURE_KAFKA_LIBS:-} "$lib_dir/kafka-$kafka_version" "$lib_dir/kafka"; do
    [ -f "$d/.complete" ] && { kafka_libs="$d"; return 0; }
  done
  return 1
}
kafka_libs=""
find_kafka_libs || true
java_tool() { java -Dlog4j.configuration="file:$here/log4j.properties" -cp "$kafka_libs/*" "$@"; }

# Certificates, once per STACK_DIR: CA, broker (server auth, SAN 127.0.0.1/localhost), client (CN=$user), other CA.
make_certificates() {
  [ -f "$tls/.complete" ] && return
  command -v openssl >/dev/null || die "openssl not found"
  mkdir -p "$tls"
  local days=3650
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.crt" -days $days \
    -subj "/CN=fc-connector test CA" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/other-ca.key" -out "$tls/other-ca.crt" -days $days \
    -subj "/CN=some other CA" 2>/dev/null
  issue() { # name, subject, extensions
    openssl req -newkey rsa:2048 -nodes -keyout "$tls/$1.key" -out "$tls/$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "$3" >"$tls/$1.ext"
    openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days $days \
      -extfile "$tls/$1.ext" -out "$tls/$1.crt" 2>/dev/null
    rm -f "$tls/$1.csr" "$tls/$1.ext"
  }
  issue broker "/CN=localhost" "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth"
  issue client "/CN=$user" "extendedKeyUsage=clientAuth"
  # Kafka reads PEM key stores: the key (PKCS#8, unencrypted) followed by the certificate chain.
  cat "$tls/broker.key" "$tls/broker.crt" >"$tls/broker-keystore.pem"
  openssl rand -hex 16 >"$tls/scram-password"
  chmod 600 "$tls"/*.key "$tls/broker-keystore.pem" "$tls/scram-password"
  touch "$tls/.complete"
  log "certificates in $tls (ca.crt, client.crt/client.key, other-ca.crt)"
}

password() { printf '%s' "${SECURE_SCRAM_PASSWORD:-$(cat "$tls/scram-password")}"; }

write_config() {
  local conf="$run/server.properties" pass
  pass="$(password)"
  cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$plain_port,SASL_SSL://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$plain_port,SASL_SSL://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
ssl.keystore.type=PEM
ssl.keystore.location=$tls/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
listener.name.mtls.ssl.client.auth=required
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN,OAUTHBEARER
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$user="$pass";
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  chmod 600 "$conf"
}

start() {
  if pid_alive; then log "already running (pid $(cat "$run/kafka.pid"))"; return; fi
  find_kafka_libs || { bash "$here/stack.sh" fetch && find_kafka_libs; } || die "no Kafka jars under $lib_dir"
  command -v java >/dev/null || die "java not found (Java 17+ is required)"
  for port in "$plain_port" "$sasl_port" "$mtls_port" "$controller_port"; do
    port_open "$port" && die "port $port is taken by a process this script did not start"
  done
  mkdir -p "$run" "$logs" "$dir/data"
  make_certificates
  write_config
  if [ ! -f "$dir/data/meta.properties" ]; then
    java_tool kafka.tools.StorageTool format -t "$(java_tool kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" \
      -c "$run/server.properties" >"$logs/format.log" 2>&1 || die "formatting storage failed, see $logs/format.log"
  fi
  log "starting the secured broker (log: $logs/kafka.log)"
  nohup java -Xms128m -Xmx384m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j.configuration="file:$here/log4j.properties" \
    -cp "$kafka_libs/*" kafka.Kafka "$run/server.properties" >"$logs/kafka.log" 2>&1 &
  echo $! >"$run/kafka.pid"
  local started=$SECONDS
  until grep -q "Kafka Server started" "$logs/kafka.log" 2>/dev/null && port_open "$plain_port"; do
    pid_alive || die "the broker exited during start-up, see $logs/kafka.log"
    [ $((SECONDS - started)) -lt "$ready_timeout" ] || die "not ready after ${ready_timeout}s, see $logs/kafka.log"
    sleep 0.5
  done
  log "broker ready after $((SECONDS - started))s; creating SCRAM user $user with kafka-configs"
  # One mechanism per request: the broker refuses two credential changes for one user in one request.
  local mechanism
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    java_tool kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$plain_port" --alter --entity-type users \
      --entity-name "$user" --add-config "$mechanism=[password=$(password)]" >"$logs/scram.log" 2>&1 \
      || die "creating the $mechanism user failed, see $logs/scram.log"
  done
  print_env
}

stop() {
  if ! pid_alive; then rm -f "$run/kafka.pid"; log "not running"; return; fi
  local pid; pid="$(cat "$run/kafka.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$run/kafka.pid"
  log "stopped (pid $pid)"
}

print_env() {
  cat <<ENV
# TLS + SCRAM (SASL_SSL listener)
KAFKA_BROKERS=127.0.0.1:$sasl_port KAFKA_SSL_CA_FILE=$tls/ca.crt KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=$user KAFKA_SASL_PASSWORD_FILE=$tls/scram-password
# mutual TLS (MTLS listener)
KAFKA_BROKERS=127.0.0.1:$mtls_port KAFKA_SSL_CA_FILE=$tls/ca.crt KAFKA_SSL_CERT_FILE=$tls/client.crt KAFKA_SSL_KEY_FILE=$tls/client.key
# set-up only (no security): 127.0.0.1:$plain_port
ENV
}

case "${1:-}" in
  up) start ;;
  down) stop ;;
  env) print_env ;;
  status) if pid_alive; then log "running (pid $(cat "$run/kafka.pid"))"; print_env; else log "not running"; exit 1; fi ;;
  reset) stop; rm -rf "$dir"; log "removed $dir" ;;
  *) echo "usage: $0 up|down|status|env|reset" >&2; exit 2 ;;
esac
