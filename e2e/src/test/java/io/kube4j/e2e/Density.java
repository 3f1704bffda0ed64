package io.kube4j.e2e;

import io.kube4j.api.Container;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Deployment;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The density measurement of issue #18, shared by {@link DensityBenchmark} (by hand) and {@link DensitySmokeIT}
 * (in {@code verify}): a cluster of processes (etcd, apiserver, scheduler, controller-manager) with
 * {@code nodes} hollow nodes in kubelet processes of up to {@code nodesPerProcess} each, and two cases on it:
 * <ul>
 *   <li><b>deployment</b>: a Deployment of {@code pods} replicas POSTed; the time until a watch (an
 *   {@link Informer} on the namespace's pods) has seen every pod with {@code status.phase=Running};</li>
 *   <li><b>pre-bound</b> (the baseline): the same number of pods, same template, created by this client
 *   with {@code spec.nodeName} already set (round robin over the nodes, 16 creates in flight): no
 *   controller and no scheduler; the time from the first POST until the watch has seen every pod Running.</li>
 * </ul>
 * Pod startup latency is Kubernetes' SLO definition (perf-tests' {@code PodStartupLatency}: from the pod's
 * {@code metadata.creationTimestamp} to the moment a watch observes it Running, image pulls excluded: hollow
 * nodes pull nothing). {@code creationTimestamp} has one-second resolution (RFC 3339 seconds, as in Kubernetes),
 * so each latency carries up to 1 s of truncation; the same latency measured from the watch's first sight of the
 * pod (millisecond resolution, late by the watch delay) is printed beside it.
 * After each case its pods are deleted (the Deployment, then every pod force-deleted) before the next starts.
 */
final class Density implements AutoCloseable {
    /** What one case measured. Times in seconds, latencies in milliseconds. */
    record Result(String name, int expected, int running, int created, int failed, int createErrors, double seconds,
                  long[] sloLatencyMillis, long[] watchLatencyMillis) {
        boolean complete() {
            return running == expected && created == expected && failed == 0 && createErrors == 0;
        }

        String describe() {
            return String.format(Locale.ROOT, "%-10s %5d/%d Running in %7.2f s (%6.1f pods/s); pods created %d, Failed %d, create errors %d;"
                            + " startup latency (creationTimestamp -> watched Running) p50 %d p90 %d p99 %d ms;"
                            + " (first watched -> Running) p50 %d p90 %d p99 %d ms",
                    name, running, expected, seconds, running / seconds, created, failed, createErrors,
                    pct(sloLatencyMillis, 50), pct(sloLatencyMillis, 90), pct(sloLatencyMillis, 99),
                    pct(watchLatencyMillis, 50), pct(watchLatencyMillis, 90), pct(watchLatencyMillis, 99));
        }
    }

    final Cluster cluster;
    final List<String> nodeNames = new ArrayList<>();
    private final int nodes;

    /**
     * Starts the cluster and waits until {@code nodes} hollow nodes are Ready. {@code secure}: HTTPS with client
     * certificates as deployed; otherwise plain HTTP without authentication ({@link Cluster#insecure()}). Secure, a
     * kubelet process of 100 hollow nodes used to get none Ready in minutes: its one HTTP/1.1 client opened a TLS
     * connection per request in flight, hundreds at once, and the JDK's 3 s connect timeout (which spans the TLS
     * handshake) failed them as "timed out after 30s", the retries feeding the storm. ApiClient now multiplexes its
     * requests as HTTP/2 streams over a few connections, as client-go does (BENCHMARKS.md, Density).
     */
    Density(int nodes, int nodesPerProcess, int podsPerNode, boolean secure) {
        this(nodes, nodesPerProcess, podsPerNode, secure, List.of());
    }

    /** As above, with extra controller-manager arguments (e.g. {@code --kube4j.controller-manager.kube-api-qps=...}). */
    Density(int nodes, int nodesPerProcess, int podsPerNode, boolean secure, List<String> controllerManagerArgs) {
        this.nodes = nodes;
        this.cluster = secure ? new Cluster() : new Cluster().insecure();
        // the test harness starts components with C1 only (-XX:TieredStopAtLevel=1: quick start-up for short tests);
        // figures of the product need its steady state, compiled by C2 as in the images (the last flag wins)
        cluster.componentJvmArgs.add("-XX:TieredStopAtLevel=4");
        try {
            cluster.startControlPlane(controllerManagerArgs);
            for (int first = 0, p = 0; first < nodes; first += nodesPerProcess, p++) {
                int count = Math.min(nodesPerProcess, nodes - first);
                String base = "hollow" + p;
                cluster.startHollowKubelets(base, count, "1000", "4000Gi", Integer.toString(podsPerNode));
                for (int i = 0; i < count; i++) {
                    nodeNames.add(count == 1 ? base : base + "-" + i);
                }
            }
            await(() -> readyNodes() == nodes, Duration.ofMinutes(5), nodes + " Ready nodes");
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw new IllegalStateException("density cluster did not start: " + e, e);
        }
    }

    private long readyNodes() {
        return cluster.api.list(Node.class, null).items.stream()
                .filter(n -> n.status != null && n.status.condition("Ready") != null && "True".equals(n.status.condition("Ready").status))
                .count();
    }

    /** A Deployment of {@code pods} replicas in a fresh namespace, until all are Running; then deleted. */
    Result deployment(String namespace, int pods, Duration timeout) throws InterruptedException {
        createNamespace(namespace);
        try (Watch watch = new Watch(namespace)) {
            long t0 = System.nanoTime();
            cluster.api.create(deployment(namespace, pods));
            boolean done = awaitQuietly(() -> watch.running.size() >= pods, timeout);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Result r = watch.result("deployment", pods, 0, done ? seconds : Double.NaN);
            cleanUp(namespace, true);
            return r;
        }
    }

    /** The same pods created already bound (spec.nodeName set), 16 creates in flight, until all are Running; then deleted. */
    Result preBound(String namespace, int pods, Duration timeout) throws InterruptedException {
        return preBound(namespace, pods, timeout, true);
    }

    /** As {@link #preBound(String, int, Duration)}; with {@code cleanUp} false the pods stay (to measure the heap holding them). */
    Result preBound(String namespace, int pods, Duration timeout, boolean cleanUp) throws InterruptedException {
        createNamespace(namespace);
        try (Watch watch = new Watch(namespace);
             ExecutorService creators = Executors.newFixedThreadPool(16)) {
            Queue<String> errors = new ConcurrentLinkedQueue<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < pods; i++) {
                Pod pod = new Pod();
                pod.metadata.namespace = namespace;
                pod.metadata.name = "bench-" + i;
                pod.metadata.labels.put("app", "bench");
                pod.spec = template().spec;
                pod.spec.nodeName = nodeNames.get(i % nodeNames.size());
                creators.execute(() -> {
                    try {
                        cluster.api.create(pod);
                    } catch (RuntimeException e) {
                        errors.add(e.toString());
                    }
                });
            }
            boolean done = awaitQuietly(() -> watch.running.size() >= pods || watch.running.size() + errors.size() >= pods && errors.size() > 0, timeout);
            double seconds = (System.nanoTime() - t0) / 1e9;
            errors.stream().limit(5).forEach(e -> System.out.println("pre-bound create failed: " + e));
            Result r = watch.result("pre-bound", pods, errors.size(), done && errors.isEmpty() ? seconds : Double.NaN);
            if (cleanUp) {
                cleanUp(namespace, false);
            }
            return r;
        }
    }

    /**
     * The apiserver's used heap after two full GCs ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}), in
     * bytes; the apiserver's actuator exposes only health and prometheus, and a prometheus gauge read there would
     * be the heap at a random point of the GC cycle, not after GC.
     */
    long apiserverHeapAfterGc() throws Exception {
        int port = cluster.apiserver.port();
        long pid = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("--server.port=" + port))
                .findFirst().orElseThrow(() -> new IllegalStateException("no apiserver process on port " + port)).pid();
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no used heap in " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", args) + ": " + out);
        }
        return out;
    }

    void createNamespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        cluster.api.create(ns);
    }

    /** Deletes the Deployment (and, the garbage collector, its ReplicaSet), then force-deletes every pod left; waits until none is left. */
    void cleanUp(String namespace, boolean deployment) throws InterruptedException {
        var api = cluster.api;
        if (deployment) {
            api.delete(Deployment.class, namespace, "bench");
            awaitQuietly(() -> api.list(ReplicaSet.class, namespace).items.isEmpty(), Duration.ofMinutes(2), 500);
        }
        try (ExecutorService deleters = Executors.newFixedThreadPool(16)) {
            for (Pod p : api.list(Pod.class, namespace).items) {
                deleters.execute(() -> {
                    try {
                        DeleteOptions force = new DeleteOptions();
                        force.gracePeriodSeconds = 0L;
                        api.delete(Pod.class, namespace, p.metadata.name, force);
                    } catch (RuntimeException e) {
                        // already gone (the garbage collector or the kubelet was first)
                    }
                });
            }
        }
        if (!awaitQuietly(() -> api.list(Pod.class, namespace).items.isEmpty(), Duration.ofMinutes(3), 500)) {
            System.out.println("density: pods of " + namespace + " still present after 3 min; continuing");
        }
    }

    /** The namespace's pods as a watch sees them: first sight, first Running, phase Failed. */
    /**
     * A started and synced informer (long-poll watch, as every component's) on the pods of {@code namespace}, handing
     * each added or updated pod to {@code see} on arrival.
     *
     * @throws IllegalStateException when it has not synced within 60 s
     */
    static Informer<Pod> watchPods(Cluster cluster, String namespace, java.util.function.Consumer<Pod> see) throws InterruptedException {
        Informer<Pod> informer = new Informer<>(cluster.api, Pod.class, namespace, ListOptions.ALL).addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                see.accept(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                see.accept(newPod);
            }
        }).start();
        if (!informer.waitForSync(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the pod watch of " + namespace + " did not sync");
        }
        return informer;
    }

    private final class Watch implements AutoCloseable {
        final Map<String, Long> firstSeenMillis = new ConcurrentHashMap<>();
        final Map<String, Long> running = new ConcurrentHashMap<>();
        final Map<String, String> created = new ConcurrentHashMap<>();
        final Map<String, Boolean> failed = new ConcurrentHashMap<>();
        final Informer<Pod> informer;

        Watch(String namespace) throws InterruptedException {
            informer = watchPods(cluster, namespace, this::see);
        }

        private void see(Pod pod) {
            long now = System.currentTimeMillis();
            String name = pod.metadata.name;
            firstSeenMillis.putIfAbsent(name, now);
            if (pod.metadata.creationTimestamp != null) {
                created.putIfAbsent(name, pod.metadata.creationTimestamp);
            }
            String phase = pod.status == null ? null : pod.status.phase;
            if ("Running".equals(phase)) {
                running.putIfAbsent(name, now);
            } else if ("Failed".equals(phase)) {
                failed.put(name, true);
            }
        }

        Result result(String name, int expected, int createErrors, double seconds) {
            long[] slo = running.entrySet().stream().filter(e -> created.containsKey(e.getKey()))
                    .mapToLong(e -> e.getValue() - Instant.parse(created.get(e.getKey())).toEpochMilli()).sorted().toArray();
            long[] watched = running.entrySet().stream()
                    .mapToLong(e -> e.getValue() - firstSeenMillis.get(e.getKey())).sorted().toArray();
            return new Result(name, expected, running.size(), firstSeenMillis.size(), failed.size(), createErrors, seconds, slo, watched);
        }

        @Override
        public void close() {
            informer.stop();
        }
    }

    private static Deployment deployment(String namespace, int replicas) {
        Deployment d = new Deployment();
        d.metadata.name = "bench";
        d.metadata.namespace = namespace;
        d.metadata.labels.put("app", "bench");
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(Map.of("app", "bench"));
        d.spec.template = template();
        return d;
    }

    /** One container, no requests (hollow nodes have room for any number), a 1 s grace period. */
    static PodTemplateSpec template() {
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", "bench");
        t.spec = new PodSpec();
        Container c = new Container();
        c.name = "main";
        c.image = "registry.k8s.io/pause:3.10";
        t.spec.containers.add(c);
        t.spec.terminationGracePeriodSeconds = 1L;
        return t;
    }

    /** The p-th percentile (nearest rank) of sorted values, -1 when there are none. */
    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void await(java.util.function.BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
        if (!awaitQuietly(done, timeout, 1000)) {
            throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
        }
    }

    private static boolean awaitQuietly(java.util.function.BooleanSupplier done, Duration timeout) throws InterruptedException {
        return awaitQuietly(done, timeout, 20);
    }

    /** Polls {@code done} every {@code intervalMillis} (listing conditions: 500, not to load the apiserver being measured). */
    private static boolean awaitQuietly(java.util.function.BooleanSupplier done, Duration timeout, long intervalMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(intervalMillis);
        }
        return true;
    }

    int nodes() {
        return nodes;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
