package io.kube4j.e2e;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.Event;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ListOptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writes per pod life (issue #18: "a pod's life costs 13.2 writes, 7.1 of them Events"), not in verify: run with
 * {@code -Dit.test=none -Dtest=PodWritesBenchmark} in the e2e module after packaging the component jars.
 * <p>
 * A whole cluster of processes (etcd, apiserver, scheduler, controller-manager, two hollow kubelets) runs a
 * Deployment of {@code kube4j.bench.pods} (default 100) replicas from its POST until every pod is Running and
 * Ready, deletes it and waits until no pod is left. The apiserver's {@code apiserver_request_total} counts, before
 * and after, give the writes (create, update, patch, delete) per resource and HTTP code; divided by the pods they
 * are the writes per pod life. Node and Lease heartbeats are listed apart (they do not depend on pods). The same run
 * is made twice: with the event correlator's aggregator and spam filter off ({@code -Dkube4j.events.correlate=false}
 * in every component: only identical events counted up, the behaviour before) and on.
 * <p>
 * 2026-11-30, 2 shared cores, 100 pods: before this work 14.23 writes per pod life (7.04 Events, of them 1 per pod
 * the garbage collector's GarbageCollected that Kubernetes does not record); after, 13.21 with the correlator off and
 * 12.48 with it on (5.29 Events: the ReplicaSet's 100 SuccessfulCreate are 10 Event objects counting 25
 * occurrences); pods/status 3.00 PATCHes per pod, none refused; the 409s left are controllers' PUTs of
 * deployments/status and replicasets/status (0.03 and 0.02 per pod).
 */
class PodWritesBenchmark {
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection", "post", "put");
    private static final Set<String> HEARTBEATS = Set.of("nodes", "nodes/status", "leases");

    @Test
    void writesPerPodLife() {
        int pods = Integer.getInteger("kube4j.bench.pods", 100);
        Map<String, Double> before = run(pods, false);
        Map<String, Double> after = run(pods, true);
        System.out.printf("%nPodWritesBenchmark: writes per pod life, %d pods, 2 hollow nodes (resource verb code: per pod)%n", pods);
        Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        System.out.printf("%-45s %12s %12s%n", "", "correlate off", "correlate on");
        for (String k : keys) {
            System.out.printf("%-45s %12.2f %12.2f%n", k, before.getOrDefault(k, 0.0) / pods, after.getOrDefault(k, 0.0) / pods);
        }
        double b = total(before, false) / pods;
        double a = total(after, false) / pods;
        System.out.printf("pod-life writes per pod (heartbeats excluded): off %.2f, on %.2f, ratio %.2f%n", b, a, a / b);
        System.out.printf("of which events: off %.2f, on %.2f; 409s: off %.0f, on %.0f%n",
                events(before) / pods, events(after) / pods, conflicts(before), conflicts(after));
        assertThat(a).isLessThanOrEqualTo(b);
    }

    private static double total(Map<String, Double> writes, boolean heartbeats) {
        return writes.entrySet().stream().filter(e -> heartbeats || !HEARTBEATS.contains(e.getKey().split(" ")[0]))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static double events(Map<String, Double> writes) {
        return writes.entrySet().stream().filter(e -> e.getKey().startsWith("events ")).mapToDouble(Map.Entry::getValue).sum();
    }

    private static double conflicts(Map<String, Double> writes) {
        return writes.entrySet().stream().filter(e -> e.getKey().endsWith(" 409")).mapToDouble(Map.Entry::getValue).sum();
    }

    /** One cluster, one pod life for {@code pods} pods; the writes it cost by "resource verb code". */
    private static Map<String, Double> run(int pods, boolean correlate) {
        try (Cluster cluster = new Cluster("hollow-1", "hollow-2")) {
            cluster.componentJvmArgs.add("-Dkube4j.events.correlate=" + correlate);
            cluster.startControlPlane(List.of());
            cluster.startHollowKubelet("hollow-1", "200", "400Gi");
            cluster.startHollowKubelet("hollow-2", "200", "400Gi");
            var api = cluster.api;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<Node> nodes = api.list(Node.class, null).items;
                assertThat(nodes).hasSize(2);
                assertThat(nodes).allSatisfy(n -> assertThat(n.status.condition("Ready").status).isEqualTo("True"));
            });
            sleep(3000);
            Map<String, Double> start = writes(cluster);
            long t0 = System.nanoTime();
            api.create(deployment(pods));
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    api.list(Pod.class, "default", ListOptions.labels("app=bench")).items.stream()
                            .filter(p -> "Running".equals(p.status.phase) && p.status.condition("Ready") != null
                                    && "True".equals(p.status.condition("Ready").status)).count() == pods);
            long running = System.nanoTime();
            api.delete(Deployment.class, "default", "bench");
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    api.list(Pod.class, "default", ListOptions.labels("app=bench")).items.isEmpty()
                            && api.list(ReplicaSet.class, "default", ListOptions.labels("app=bench")).items.isEmpty());
            // late writes (the last events, status of terminating pods) land
            sleep(3000);
            Map<String, Double> end = writes(cluster);
            // what the Events say: per source and reason, the Event objects and the occurrences they count
            Map<String, int[]> byReason = new TreeMap<>();
            for (Event e : api.list(Event.class, "default").items) {
                int[] n = byReason.computeIfAbsent(e.source.component + " " + e.involvedObject.kind + " " + e.reason, k -> new int[2]);
                n[0]++;
                n[1] += e.count == null ? 1 : e.count;
            }
            byReason.forEach((k, n) -> System.out.printf("correlate=%s: events %-50s %5d objects %5d occurrences%n", correlate, k, n[0], n[1]));
            System.out.printf("correlate=%s: %d pods Running in %.1f s, gone %.1f s later%n", correlate, pods,
                    (running - t0) / 1e9, (System.nanoTime() - running) / 1e9);
            Map<String, Double> diff = new TreeMap<>();
            end.forEach((k, v) -> {
                double d = v - start.getOrDefault(k, 0.0);
                if (d > 0) {
                    diff.put(k, d);
                }
            });
            return diff;
        }
    }

    private static Deployment deployment(int replicas) {
        Deployment d = new Deployment();
        d.metadata.name = "bench";
        d.metadata.namespace = "default";
        d.metadata.labels.put("app", "bench");
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(Map.of("app", "bench"));
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", "bench");
        Container c = new Container();
        c.name = "main";
        c.image = "busybox:1.36";
        t.spec.containers.add(c);
        t.spec.terminationGracePeriodSeconds = 1L;
        d.spec.template = t;
        return d;
    }

    /** apiserver_request_total of the write verbs, by "resource verb code". */
    static Map<String, Double> writes(Cluster cluster) {
        String apiserver = cluster.apiserver.url();
        Map<String, Double> out = new TreeMap<>();
        String body;
        try {
            // the admin's client: the apiserver is HTTPS with the cluster's own CA since security is on by default
            body = cluster.adminHttp().send(HttpRequest.newBuilder(URI.create(apiserver + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (String line : body.split("\n")) {
            if (!line.startsWith("apiserver_request_total{")) {
                continue;
            }
            Map<String, String> labels = labels(line.substring(line.indexOf('{') + 1, line.indexOf('}')));
            if (!WRITE_VERBS.contains(labels.get("verb"))) {
                continue;
            }
            String key = labels.get("resource") + " " + labels.get("verb") + " " + labels.get("code");
            out.merge(key, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
        return out;
    }

    private static Map<String, String> labels(String s) {
        Map<String, String> out = new TreeMap<>();
        for (String kv : s.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
            }
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
