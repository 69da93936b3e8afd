#!/usr/bin/env bash
# Tools the deployment checks (test/deploy/**) need, installed into the repo-local, git-ignored .tools/ folder:
#   .tools/bin/helm   helm, built from source with the Go toolchain (`go install`, uses the Go build cache)
#   .tools/venv       Python venv with kubernetes-validate (ships the Kubernetes JSON schemas, validates offline)
#   .tools/node24     Node 24 from the npm registry's `node` package (CI's node24 part, when the machine's is older)
#   .tools/bin/promtool  Prometheus's rules checker, built from source like helm (checks the chart's PrometheusRule)
#   .tools/bin/docker-compose  Docker Compose v2, built from source (test/deploy/compose.test.ts runs `config` only)
# Idempotent: each tool is (re)installed only when missing or at another version. Nothing here is needed at test
# time from the network; the tests only run the installed binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HELM_VERSION=v3.22.0
KUBERNETES_VALIDATE_VERSION=1.37.0
# Prometheus 3.16.0 as a Go module version (Prometheus tags its Go module v0.<major><minor>.<patch>).
PROMTOOL_MODULE_VERSION=v0.316.0

root=$PWD/.tools
mkdir -p "$root/bin"
started=$SECONDS

require_go() { command -v go >/dev/null || { echo "tools: Go is required to build $1" >&2; exit 1; }; }

helm_version() { "$root/bin/helm" version --template '{{.Version}}' 2>/dev/null || true; }
if [ "$(helm_version)" = "$HELM_VERSION" ]; then
  echo "tools: helm $HELM_VERSION already at .tools/bin/helm"
else
  require_go helm
  echo "tools: building helm $HELM_VERSION with $(go version) (a few minutes on 2 cores; cached afterwards)"
  t=$SECONDS
  # Same link-time settings as helm's release Makefile: without them `helm version` says "v3.22" and the default
  # .Capabilities.KubeVersion is v1.20 (the chart needs >= 1.25). The Kubernetes minor comes from the client-go
  # version helm is built with (client-go v0.N.x ↔ Kubernetes 1.N).
  gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  k8s_minor=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n 1)
  [ -n "$k8s_minor" ] || { echo "tools: cannot read the client-go version from $gomod" >&2; exit 1; }
  ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
  # -trimpath keeps the binary independent of this checkout's path; the Go build cache is reused across runs.
  GOBIN="$root/bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  [ "$(helm_version)" = "$HELM_VERSION" ] || { echo "tools: helm build did not produce $HELM_VERSION" >&2; exit 1; }
  echo "tools: helm $HELM_VERSION built in $((SECONDS - t))s"
fi

kv_version() { "$root/venv/bin/kubernetes-validate" --version 2>/dev/null || true; }
if [ "$(kv_version)" = "$KUBERNETES_VALIDATE_VERSION" ]; then
  echo "tools: kubernetes-validate $KUBERNETES_VALIDATE_VERSION already in .tools/venv"
else
  echo "tools: installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into .tools/venv"
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  [ "$(kv_version)" = "$KUBERNETES_VALIDATE_VERSION" ] || { echo "tools: kubernetes-validate install failed" >&2; exit 1; }
fi

# promtool prints no usable version without release ldflags: a stamp file beside it records what was built.
if [ -x "$root/bin/promtool" ] && [ "$(cat "$root/bin/promtool.version" 2>/dev/null)" = "$PROMTOOL_MODULE_VERSION" ]; then
  echo "tools: promtool $PROMTOOL_MODULE_VERSION already at .tools/bin/promtool"
else
  require_go promtool
  echo "tools: building promtool $PROMTOOL_MODULE_VERSION (a few minutes on 2 cores; cached afterwards)"
  t=$SECONDS
  GOBIN="$root/bin" go install -trimpath "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_MODULE_VERSION"
  "$root/bin/promtool" --help >/dev/null || { echo "tools: promtool build failed" >&2; exit 1; }
  echo "$PROMTOOL_MODULE_VERSION" >"$root/bin/promtool.version"
  echo "tools: promtool built in $((SECONDS - t))s"
fi

# Docker Compose v2 for `docker compose config` in test/deploy/compose.test.ts (no engine needed), unless the docker
# CLI has the plugin. Built from the module source: `go install` refuses modules with replace/exclude directives.
COMPOSE_VERSION=v2.40.3
compose_version() { cat "$root/bin/docker-compose.version" 2>/dev/null || true; }
if docker compose version >/dev/null 2>&1; then
  echo "tools: docker compose plugin present; no standalone build needed"
elif [ -x "$root/bin/docker-compose" ] && [ "$(compose_version)" = "$COMPOSE_VERSION" ]; then
  echo "tools: docker-compose $COMPOSE_VERSION already at .tools/bin/docker-compose"
else
  require_go docker-compose
  echo "tools: building docker-compose $COMPOSE_VERSION (several minutes on 2 cores; cached afterwards)"
  t=$SECONDS
  src=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -n "$src" ] || { echo "tools: cannot download github.com/docker/compose/v2@$COMPOSE_VERSION" >&2; exit 1; }
  # The module cache is read-only and the build may update go.sum: build a writable copy.
  work=$(mktemp -d)
  cp -r "$src/." "$work" && chmod -R u+w "$work"
  (cd "$work" && GOFLAGS=-mod=mod go build -trimpath -o "$root/bin/docker-compose" ./cmd)
  rm -rf "$work"
  echo "$COMPOSE_VERSION" > "$root/bin/docker-compose.version"
  echo "tools: docker-compose $COMPOSE_VERSION built in $((SECONDS - t))s"
fi

# Node 24, the runtime the image ships, for the node24 part of .ci/matrix.sh: the `node` package of the npm registry
# ships the binary (.tools/node24/node_modules/node/bin/node). Not needed when the machine's Node is 24 or newer.
NODE24_VERSION=24.21.0
node24="$root/node24/node_modules/node/bin/node"
if [ "$(node --version | sed 's/^v\([0-9]*\).*/\1/')" -ge 24 ]; then
  echo "tools: the machine's Node $(node --version) is 24 or newer, no separate Node 24"
elif [ "$("$node24" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  echo "tools: Node $NODE24_VERSION already at .tools/node24"
else
  echo "tools: installing Node $NODE24_VERSION (npm package node@$NODE24_VERSION) into .tools/node24"
  mkdir -p "$root/node24"
  npm install --prefix "$root/node24" --no-save --no-audit --no-fund --loglevel=error "node@$NODE24_VERSION"
  [ "$("$node24" --version 2>/dev/null)" = "v$NODE24_VERSION" ] || { echo "tools: Node 24 install failed" >&2; exit 1; }
fi


echo "tools: ready in $((SECONDS - started))s"
