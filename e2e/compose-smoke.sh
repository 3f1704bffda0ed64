#!/bin/bash
# The compose smoke test: brings the whole cluster up with docker compose, runs the README's walkthrough
# (every block marked <!-- smoke:NAME -->, in order, exactly as written there) and checks the answers,
# then tears everything down, also when it fails. Run by .ci/run after `./mvnw verify`; by hand:
#   ./mvnw -B -ntp package -DskipTests && e2e/compose-smoke.sh
# On a machine without a container registry it uses the prebuilt jars and local base images (.ci/run
# builds local/jre:25, local/etcd:3.4 and local/busybox:latest).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=target/smoke
mkdir -p "$OUT"

export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-kube4j-smoke}
export KUBE4J_DOCKERFILE=${KUBE4J_DOCKERFILE:-docker/Dockerfile.prebuilt}
export KUBE4J_BASE_IMAGE=${KUBE4J_BASE_IMAGE:-local/jre:25}
export ETCD_IMAGE=${ETCD_IMAGE:-local/etcd:3.4}
# the README's reader exports this in the first block and keeps it; each block here runs in its own shell
export KUBECONFIG=$PWD/kube4j.kubeconfig

# the walkthrough's pods run busybox:1.36 then busybox:1.37; without a registry, the local busybox stands in
for tag in busybox:1.36 busybox:1.37; do
  docker image inspect "$tag" >/dev/null 2>&1 || docker tag local/busybox:latest "$tag"
done
for m in apiserver scheduler controller-manager kubelet kube-proxy; do
  [ -f "$m/target/$m.jar" ] || { echo "$m/target/$m.jar missing: run ./mvnw -B -ntp package -DskipTests first"; exit 1; }
done

cleanup() {
  local rc=$?
  echo "=== teardown"
  if [ "$rc" != 0 ]; then
    # what the cluster looked like when it failed, for the person reading the CI log
    kubectl --cache-dir "$OUT/kubectl-cache" get nodes,deployments,replicasets,pods,endpoints -o wide 2>&1 | tail -40 || true
    kubectl --cache-dir "$OUT/kubectl-cache" get events 2>&1 | tail -30 || true
    docker compose logs --no-color >"$OUT/compose.log" 2>&1 || true
    grep -E ' (WARN|ERROR) ' "$OUT/compose.log" | tail -30 || true
    echo "full compose logs: $OUT/compose.log"
  fi
  pkill -f 'kubectl proxy --port=8001' >/dev/null 2>&1 || true
  docker compose down -v --remove-orphans >/dev/null 2>&1 || true
  rm -f kube4j.kubeconfig kube4j-ca.crt
  # pods are sibling containers the kubelets created through the Docker socket: compose does not know them
  docker ps -aq --filter label=io.kube4j.node | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter label=io.kube4j.node | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network rm kube4j-pods >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT

# block NAME: the shell block that follows <!-- smoke:NAME --> in the README
block() {
  awk -v want="<!-- smoke:$1 -->" '
    $0 == want { found = 1; next }
    found && /^```sh/ { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }' README.md
}

# run NAME TIMEOUT_S: runs the block, shows and keeps its output in $OUT/NAME.out
run() {
  local name=$1 limit=$2 t0
  block "$name" >"$OUT/$name.sh"
  [ -s "$OUT/$name.sh" ] || { echo "README has no block <!-- smoke:$name -->"; exit 1; }
  echo "=== $name"
  t0=$(date +%s)
  if ! timeout "$limit" bash -euo pipefail "$OUT/$name.sh" 2>&1 | tee "$OUT/$name.out"; then
    echo "FAILED: step $name (or it took over ${limit}s)"; exit 1
  fi
  echo "--- $name took $(( $(date +%s) - t0 ))s"
}

fail() { echo "CHECK FAILED: $*"; exit 1; }

docker compose build >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; fail "images did not build"; }
t0=$(date +%s)
run up 240
echo "startup: docker compose up -d to both nodes Ready in $(( $(date +%s) - t0 ))s"

run create 60
run watch 180
grep -q '"phase":"Running"' "$OUT/watch.out" || fail "the watch never showed a Running pod"
grep -q '"podIP":"[0-9]' "$OUT/watch.out" || fail "the watch never showed a pod IP"
grep -q '"nodeName":"node-' "$OUT/watch.out" || fail "the watch never showed a scheduled pod"
grep -q '"name":"web-' "$OUT/watch.out" || fail "the watch showed no pod names"

run nodeport 60
distinct=$(grep -o 'hello from web-[a-z0-9-]*' "$OUT/nodeport.out" | sort -u | wc -l)
[ "$(grep -c 'hello from web-' "$OUT/nodeport.out")" = 6 ] || fail "not every NodePort request was answered"
[ "$distinct" -ge 2 ] || fail "the NodePort answers came from $distinct pod(s), expected round-robin over several"

run clusterip 120
[ "$(grep -c 'hello from web-' "$OUT/clusterip.out")" = 3 ] || fail "the client pod did not reach the Service by ClusterIP, FQDN and short name"

run scale 180
grep -q '"kind":"Scale"' "$OUT/scale.out" || fail "the scale subresource did not answer with a Scale"

run rollout 300
grep -q '"image":"busybox:1.37"' "$OUT/rollout.out" || fail "no ReplicaSet with the new image"
new_pods=$(kubectl --cache-dir "$OUT/kubectl-cache" get pods -l app=web \
  -o jsonpath='{range .items[*]}{.spec.containers[0].image} {.status.phase}{"\n"}{end}' | grep -c '^busybox:1.37 Running$' || true)
[ "$new_pods" -ge 5 ] || fail "expected 5 running pods with the new image after the rollout, found $new_pods"
[ "$(grep -o '"name":"web-[a-z0-9]*"' "$OUT/rollout.out" | sort -u | wc -l)" -ge 2 ] || fail "expected an old and a new ReplicaSet"

run kubectl 120
grep -q '^node-1 *Ready' "$OUT/kubectl.out" || fail "kubectl get nodes did not show node-1 Ready"
grep -q 'successfully rolled out' "$OUT/kubectl.out" || fail "kubectl rollout status did not finish"
grep -q 'serving on :8080' "$OUT/kubectl.out" || fail "kubectl logs showed no container output"

run workloads 600
grep -q '^2 daemon pods ready$' "$OUT/workloads.out" || fail "the DaemonSet did not run a pod on each node"
grep -q '^5 completions$' "$OUT/workloads.out" || fail "the Job did not complete 5 times"
[ "$(grep -c '^data-db-[0-2] *Bound' "$OUT/workloads.out")" = 3 ] || fail "the StatefulSet's claims were not all Bound"
grep -q '^db-2$' "$OUT/workloads.out" || fail "a pod could not reach db-2 by its DNS name"
grep -q 'env=hello file=hello again' "$OUT/workloads.out" || fail "the ConfigMap update did not reach the file (or changed the env)"

run lifecycle 240
grep -q '^lifecycle .*Completed' "$OUT/lifecycle.out" || fail "the pod with a sidecar did not complete"
grep -q '^postStart ran$' "$OUT/lifecycle.out" || fail "the postStart hook did not run in the container"
grep -q '^log-shipper ' "$OUT/lifecycle.out" || fail "the sidecar has no status"
grep -q '^OOMKilled$' "$OUT/lifecycle.out" || fail "the container over its memory limit was not OOMKilled"

run security 240
grep -q '^Username *kubernetes-admin$' "$OUT/security.out" || fail "auth whoami did not show kubernetes-admin"
grep -q '^Groups *\[system:masters system:authenticated\]$' "$OUT/security.out" || fail "auth whoami did not show the admin's groups"
[ "$(grep -c '^yes$' "$OUT/security.out")" = 1 ] && [ "$(grep -c '^no$' "$OUT/security.out")" = 1 ] \
  || fail "auth can-i did not answer yes in team-a and no in team-b"
grep -q '^pods *\[\] *\[\] *\[get list watch\]$' "$OUT/security.out" || fail "auth can-i --list did not list the Role's pod rights"
grep -q '^"kind":"PodList"$' "$OUT/security.out" || fail "curl with the ServiceAccount token could not list team-a's pods"
grep -q '^"reason":"Forbidden"$' "$OUT/security.out" || fail "curl with the ServiceAccount token was not refused team-b's pods"
grep -q 'pods "second" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1' "$OUT/security.out" \
  || fail "the second pod in team-b was not refused by the quota with Kubernetes' message"
grep -q '^team-a$' "$OUT/security.out" || fail "the pod did not read its namespace file"
grep -q '^lister ' "$OUT/security.out" || fail "the pod could not list the pods of its namespace through kubernetes.default.svc"
grep -q 'pods is forbidden: User "system:serviceaccount:team-a:reader" cannot list resource "pods" in API group "" in the namespace "team-b"' "$OUT/security.out" \
  || fail "the pod was not refused the pods of team-b with Kubernetes' message"

run nodeloss 300
grep -q 'node.kubernetes.io/unreachable' "$OUT/nodeloss.out" || fail "node-1 was not tainted unreachable"

run cleanup 300
echo "=== compose smoke test passed"
