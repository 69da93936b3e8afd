#!/bin/sh
# Selects what the one image runs. tini is PID 1 (forwards SIGTERM, reaps zombies); `exec` makes node its direct
# child so the services' own SIGTERM handlers drain in-flight work before exit.
#   ingress                    webhook receiver (dist/ingress/server.js; PORT default 8080)
#   processor                  Kafka consumer group (dist/processor/main.js; PORT default 9090)
#   fc-connector <args...>     the operator CLI, e.g. `fc-connector topics create` (dist/cli/main.js)
#   anything else              executed as given (e.g. `node -e ...`, `sh`)
set -eu
cmd="${1:-ingress}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  ingress) exec node /app/dist/ingress/server.js "$@" ;;
  processor) exec node /app/dist/processor/main.js "$@" ;;
  fc-connector | cli) exec node /app/dist/cli/main.js "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
