#!/bin/sh
# Builds the kube4j/all-in-one image from all-in-one/target/all-in-one.jar (package it first).
#   docker/build-all-in-one.sh [TAG]          default TAG kube4j/all-in-one:dev
# The base images default to the official ones; KUBE4J_BASE_IMAGE and ETCD_IMAGE override them (CI sets
# local/jre:25 and local/etcd:3.4, having no registry), as for docker-compose.yml.
set -eu
cd "$(dirname "$0")/.."
TAG=${1:-kube4j/all-in-one:dev}
[ -f all-in-one/target/all-in-one.jar ] || { echo "no all-in-one/target/all-in-one.jar: ./mvnw -B -ntp -pl all-in-one -am package -DskipTests" >&2; exit 1; }
exec docker build -f docker/all-in-one.Dockerfile \
  --build-arg "BASE_IMAGE=${KUBE4J_BASE_IMAGE:-eclipse-temurin:25-jre}" \
  --build-arg "ETCD_IMAGE=${ETCD_IMAGE:-quay.io/coreos/etcd:v3.5.17}" \
  -t "$TAG" .
