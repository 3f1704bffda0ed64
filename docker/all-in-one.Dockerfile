# kube4j in one container: etcd beside one JVM that runs the apiserver, scheduler, controller-manager and
# hollow kubelets (io.kube4j.allinone.AllInOne). From the jar built on the host:
#   ./mvnw -B -ntp -pl all-in-one -am package -DskipTests
#   docker build -f docker/all-in-one.Dockerfile -t kube4j/all-in-one .       (or docker/build-all-in-one.sh)
#   docker run --rm -p 6443:6443 kube4j/all-in-one
#   docker cp <container>:/etc/kube4j/kubeconfig.yaml kube4j.kubeconfig     (the admin kubeconfig: HTTPS, client certificate)
# BASE_IMAGE needs a JDK 25 runtime (java on the PATH); ETCD_IMAGE provides /usr/local/bin/etcd. The defaults
# are the official images; machines without a registry (our CI) pass local builds instead:
#   --build-arg BASE_IMAGE=local/jre:25 --build-arg ETCD_IMAGE=local/etcd:3.4
# (Debian's etcd 3.4 in local/etcd:3.4 links against glibc, which local/jre:25 carries; the official etcd
# binaries are static.) Only instructions the classic builder understands, as docker/Dockerfile.
ARG BASE_IMAGE=eclipse-temurin:25-jre
ARG ETCD_IMAGE=quay.io/coreos/etcd:v3.5.17

FROM ${ETCD_IMAGE} AS etcd

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="kube4j all-in-one"
COPY --from=etcd /usr/local/bin/etcd /usr/local/bin/etcd
WORKDIR /app
COPY all-in-one/target/all-in-one.jar /app/all-in-one.jar
# Spring Boot's extracted layout (a plain jar and lib/), which the JVM's ahead-of-time cache needs, then a
# training run (JEP 514: the whole cluster starts, gets Ready and exits) that records the classes it loaded
# and linked into /app/app.aot; starting with that cache skips most of the class loading. The training run's
# files (/tmp/kube4j-etcd*: etcd's data; /tmp/kube4j-all-in-one-data*: the PKI with the CA's private key and
# the kubelets' files, which AllInOne deletes itself on exit) are deleted with it: every container creates
# its own CA, never one baked into the image.
RUN java -Djarmode=tools -jar /app/all-in-one.jar extract --destination /app/aio \
 && rm /app/all-in-one.jar \
 && java -XX:AOTCacheOutput=/app/app.aot -XX:TieredStopAtLevel=1 -jar /app/aio/all-in-one.jar \
      --exit-when-ready=true --port=16443 --kubeconfig=/tmp/training-kubeconfig.yaml >/tmp/training.log 2>&1 \
 || { cat /tmp/training.log; exit 1; } \
 ; grep 'Ready in' /tmp/training.log; rm -rf /tmp/training.log /tmp/training-kubeconfig.yaml /tmp/kube4j-*
ENV KUBE4J_KUBECONFIG=/etc/kube4j/kubeconfig.yaml
EXPOSE 6443
# -XX:TieredStopAtLevel=1: the C1 compiler only, quicker to start, plenty for a test cluster.
# -XX:+ExitOnOutOfMemoryError: as the service images (docker/Dockerfile).
ENTRYPOINT ["java", "-XX:AOTCache=/app/app.aot", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/aio/all-in-one.jar"]
