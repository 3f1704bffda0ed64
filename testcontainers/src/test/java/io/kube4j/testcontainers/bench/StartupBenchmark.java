package io.kube4j.testcontainers.bench;

import io.kube4j.api.KubeList;
import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import io.kube4j.testcontainers.Kube4jContainer;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The compass figure "start to Ready": how long the same cluster (etcd, apiserver, scheduler,
 * controller-manager, N hollow nodes) takes from nothing to every node Ready,
 * <ol>
 *   <li>as the all-in-one container ({@link Kube4jContainer#start()}, measured on the host, and the
 *       container's own JVM-start-to-Ready figure), and</li>
 *   <li>the same container with the JVM's ahead-of-time cache switched off ({@code -XX:AOTMode=off}), and</li>
 *   <li>as separate processes, the way the e2e tests start it: an etcd container, the apiserver jar, then
 *       scheduler, controller-manager and one kubelet process per hollow node side by side, all secure as
 *       the container (HTTPS, each with its own client certificate).</li>
 * </ol>
 * Rounds alternate between the two so both see the same machine load; it prints every round, the medians
 * and their ratio. Not a test (nothing here can fail on a slow machine): run it with
 * <pre>./mvnw -B -ntp -pl testcontainers -am verify -Pstartup-benchmark -DskipITs -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Arguments: {@code [rounds (default 3)] [nodes (default 3)]}.
 */
public final class StartupBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String image = System.getProperty("kube4j.all-in-one.image", "kube4j/all-in-one:latest");
        List<Long> aio = new ArrayList<>();
        List<Long> aioInside = new ArrayList<>();
        List<Long> aioNoCache = new ArrayList<>();
        List<Long> separate = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            long t0 = System.nanoTime();
            try (Kube4jContainer c = new Kube4jContainer(image).withNodes(nodes)) {
                c.start();
                aio.add(ms(t0));
                aioInside.add(c.getReadyMillis());
            }
            t0 = System.nanoTime();
            // the same image without its ahead-of-time cache: how much of the difference is the cache
            try (Kube4jContainer c = new Kube4jContainer(image).withNodes(nodes).withEnv("JAVA_TOOL_OPTIONS", "-XX:AOTMode=off")) {
                c.start();
                aioNoCache.add(ms(t0));
            }
            separate.add(separateProcesses(nodes));
            System.out.printf("round %d: all-in-one container %d ms (inside: JVM start to Ready %d ms; without the AOT cache %d ms);"
                    + " separate processes %d ms; load average %s%n",
                    r, aio.getLast(), aioInside.getLast(), aioNoCache.getLast(), separate.getLast(), loadAverage());
        }
        long a = median(aio);
        long s = median(separate);
        System.out.printf("%nstart to Ready, %d hollow nodes, median of %d rounds on %d cores:%n", nodes, rounds, Runtime.getRuntime().availableProcessors());
        System.out.printf("  all-in-one container (docker run to all nodes Ready) %6d ms%n", a);
        System.out.printf("  ... of which inside the container (JVM start to Ready) %6d ms%n", median(aioInside));
        System.out.printf("  all-in-one container without its AOT cache           %6d ms%n", median(aioNoCache));
        System.out.printf("  separate processes (etcd container, 3 + N JVMs)      %6d ms%n", s);
        System.out.printf("  ratio separate / all-in-one                          %6.2f%n", (double) s / a);
    }

    /**
     * etcd container, apiserver process until /readyz, then the clients side by side, until every node is
     * Ready; secure as the all-in-one: a fresh PKI, each component with its own kubeconfig, so one kubelet
     * process per node ({@code system:node:<name>} may write only its own Node).
     */
    private static long separateProcesses(int nodes) throws java.io.IOException {
        long t0 = System.nanoTime();
        java.nio.file.Path pki = java.nio.file.Files.createTempDirectory("kube4j-bench-pki");
        EtcdContainer etcd = new EtcdContainer();
        List<ComponentProcess> components = new ArrayList<>();
        ApiServerProcess apiserver = null;
        try {
            etcd.start();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                names.add("node-" + i);
            }
            apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.enabled=true", "--kube4j.security.pki-dir=" + pki,
                    "--kube4j.security.nodes=" + String.join(",", names)).https().start();
            String url = apiserver.url();
            List<CompletableFuture<ComponentProcess>> clients = new ArrayList<>(List.of(
                    CompletableFuture.supplyAsync(() -> start("scheduler", url, pki.resolve("kube-scheduler.kubeconfig"),
                            "--kube4j.scheduler.leader-elect=false")),
                    CompletableFuture.supplyAsync(() -> start("controller-manager", url, pki.resolve("kube-controller-manager.kubeconfig"),
                            "--kube4j.controller-manager.leader-elect=false", "--kube4j.security.root-ca-file=" + pki.resolve("ca.crt")))));
            for (String node : names) {
                clients.add(CompletableFuture.supplyAsync(() -> start("kubelet", url, pki.resolve("kubelet-" + node + ".kubeconfig"),
                        "--kube4j.kubelet.runtime=fake", "--kube4j.kubelet.node-name=" + node, "--kube4j.kubelet.address=127.0.0.1")));
            }
            for (CompletableFuture<ComponentProcess> c : clients) {
                components.add(c.join());
            }
            awaitNodesReady(new ApiClient(url, "bench", Kubeconfig.load(pki.resolve("admin.kubeconfig"))), nodes, Duration.ofMinutes(2));
            return ms(t0);
        } finally {
            components.forEach(ComponentProcess::close);
            if (apiserver != null) {
                apiserver.close();
            }
            etcd.stop();
        }
    }

    private static ComponentProcess start(String module, String apiserver, java.nio.file.Path kubeconfig, String... args) {
        List<String> all = new ArrayList<>(List.of("--kube4j.apiserver.url=" + apiserver, "--kube4j.apiserver.kubeconfig=" + kubeconfig));
        all.addAll(List.of(args));
        ComponentProcess p = new ComponentProcess(module, "bench-" + module, ApiServerProcess.freePort(), "/actuator/health", all);
        // the kubelet's port is HTTPS only (Kubernetes' 10250)
        return (module.equals("kubelet") ? p.https() : p).start();
    }

    private static void awaitNodesReady(ApiClient api, int nodes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                KubeList<Node> list = api.list(Node.class, null);
                long ready = list.items.stream().filter(n -> n.status != null && n.status.condition("Ready") != null
                        && "True".equals(n.status.condition("Ready").status)).count();
                if (ready >= nodes) {
                    return;
                }
            } catch (RuntimeException e) {
                // not serving yet
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(nodes + " nodes not Ready within " + timeout);
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
