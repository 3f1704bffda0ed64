package io.kube4j.allinone;

import io.kube4j.api.KubeList;
import io.kube4j.api.Node;
import io.kube4j.apiserver.ApiServerApplication;
import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.ControllerManagerApplication;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.scheduler.SchedulerApplication;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * kube4j in one process: etcd as a child process, then the apiserver, scheduler, controller-manager and
 * {@code N} hollow kubelets (fake container runtime), each in its own Spring application context with its
 * own module's {@code application.yml}, talking to the apiserver over HTTP exactly as the separate
 * processes do (the contexts share nothing but the JVM). Once every node reports {@code Ready=True} it
 * writes and prints a kubeconfig and the line {@code kube4j all-in-one: Ready in <ms> ms}, measured from
 * the JVM's start; the Testcontainers {@code Kube4jContainer} waits for that line.
 *
 * <p>Usage: {@code java -jar all-in-one.jar [--nodes=3] [--port=6443] [--kube4j.x.y=...]}; see
 * {@link AllInOneOptions}. The image {@code kube4j/all-in-one} runs exactly this.
 */
public final class AllInOne implements AutoCloseable {
    /** The line printed once all nodes are Ready; the container's wait strategy matches it. */
    public static final String READY_PREFIX = "kube4j all-in-one: Ready in ";

    private final AllInOneOptions options;
    private final List<ConfigurableApplicationContext> contexts = Collections.synchronizedList(new ArrayList<>());
    private EmbeddedEtcd etcd;

    public AllInOne(AllInOneOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        AllInOne aio = new AllInOne(AllInOneOptions.parse(args, System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(aio::close, "all-in-one-shutdown"));
        try {
            aio.start(Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            System.err.println("kube4j all-in-one: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("---");
        System.out.print(kubeconfig(aio.options.serverUrl()));
        System.out.println("---");
        System.out.println(READY_PREFIX + (System.currentTimeMillis() - jvmStart) + " ms (" + aio.options.nodes()
                + " node(s); apiserver " + aio.options.serverUrl() + ", kubeconfig " + aio.options.kubeconfig() + ")");
        if (aio.options.exitWhenReady()) {
            // a training run (the image's AOT cache) or a start-up measurement: stop cleanly, exit 0
            aio.close();
            System.exit(0);
        }
    }

    /**
     * Starts etcd (unless {@link AllInOneOptions#etcdEndpoints()} names one), the four components, and
     * waits until every node is Ready; then writes the kubeconfig.
     *
     * @throws IllegalStateException when a component fails to start or the nodes are not Ready within {@code timeout}
     */
    public void start(Duration timeout) {
        String etcdEndpoints = options.etcdEndpoints();
        if (etcdEndpoints.isBlank()) {
            etcd = EmbeddedEtcd.start(options.etcdBinary(), options.etcdDataDir());
            etcdEndpoints = etcd.endpoint();
        }
        String api = options.localApiServerUrl();
        // not waiting for etcd first: the apiserver's context spends its first second or two loading
        // classes, while etcd elects itself, and its etcd client reconnects until etcd listens
        run(ApiServerApplication.class, "apiserver", WebApplicationType.SERVLET,
                "--server.port=" + options.port(),
                "--kube4j.etcd.endpoints=" + etcdEndpoints);
        if (etcd != null) {
            etcd.awaitHealthy(timeout);
        }
        // the three clients of the apiserver are independent of each other: start them side by side, on
        // threads of our own (the common pool's threads lack the jar launcher's context class loader)
        ExecutorService starters = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("start-", 0).factory());
        List<CompletableFuture<Void>> clients = List.of(
                CompletableFuture.runAsync(() -> run(SchedulerApplication.class, "scheduler", WebApplicationType.NONE,
                        "--kube4j.apiserver.url=" + api,
                        "--kube4j.scheduler.leader-elect=false"), starters),
                CompletableFuture.runAsync(() -> run(ControllerManagerApplication.class, "controller-manager", WebApplicationType.NONE,
                        "--kube4j.apiserver.url=" + api,
                        "--kube4j.controller-manager.leader-elect=false"), starters),
                CompletableFuture.runAsync(() -> run(KubeletApplication.class, "kubelet", WebApplicationType.SERVLET,
                        // any free port: the kubelets advertise the one their web server really got
                        "--server.port=0",
                        "--kube4j.apiserver.url=" + api,
                        "--kube4j.kubelet.runtime=fake",
                        "--kube4j.kubelet.count=" + options.nodes(),
                        "--kube4j.kubelet.node-name=" + (options.nodes() == 1 ? "node-0" : "node"),
                        "--kube4j.kubelet.address=127.0.0.1",
                        "--kube4j.kubelet.capacity.cpu=" + options.nodeCpu(),
                        "--kube4j.kubelet.capacity.memory=" + options.nodeMemory(),
                        "--kube4j.kubelet.capacity.pods=" + options.nodePods()), starters));
        try {
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("a component failed to start: " + e.getCause(), e.getCause());
        } finally {
            starters.shutdown();
        }
        awaitNodesReady(new ApiClient(api, "all-in-one/kube4j"), timeout);
        writeKubeconfig();
    }

    private void run(Class<?> application, String module, WebApplicationType web, String... args) {
        List<String> all = new ArrayList<>();
        // the module's own application.yml (copied under its name at build time) and nothing else from the classpath
        all.add("--spring.config.location=classpath:/io/kube4j/allinone/" + module + "/application.yml");
        // the log's [application name] column is one JVM-wide setting (the first context's name on every
        // line), which would mislabel three of the four components: thread names tell them apart instead
        all.add("--logging.include-application-name=false");
        all.addAll(List.of(args));
        all.addAll(options.passThrough());
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(application)
                .web(web)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                // stopped in order by close(): kubelets first, the apiserver last, then etcd
                .registerShutdownHook(false)
                .run(all.toArray(String[]::new));
        contexts.add(ctx);
    }

    private void awaitNodesReady(ApiClient client, Duration timeout) {
        Set<String> want = new TreeSet<>(options.nodeNames());
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> ready = Set.of();
        while (System.nanoTime() < deadline) {
            try {
                KubeList<Node> nodes = client.list(Node.class, null);
                ready = new TreeSet<>();
                for (Node n : nodes.items) {
                    Node.NodeCondition c = n.status == null ? null : n.status.condition("Ready");
                    if (c != null && "True".equals(c.status)) {
                        ready.add(n.metadata.name);
                    }
                }
                if (ready.containsAll(want)) {
                    return;
                }
            } catch (RuntimeException e) {
                // the apiserver answers before its first list may succeed; keep polling
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("nodes " + want + " not all Ready within " + timeout + "; Ready: " + ready);
    }

    private void writeKubeconfig() {
        try {
            Path file = options.kubeconfig();
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, kubeconfig(options.serverUrl()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the kubeconfig to " + options.kubeconfig() + ": " + e, e);
        }
    }

    /**
     * A kubeconfig for the cluster (plain HTTP, no credentials: kube4j serves without authentication),
     * with cluster, user and context all named {@code kube4j}.
     */
    public static String kubeconfig(String serverUrl) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kube4j
                  cluster:
                    server: %s
                users:
                - name: kube4j
                  user: {}
                contexts:
                - name: kube4j
                  context:
                    cluster: kube4j
                    user: kube4j
                current-context: kube4j
                """.formatted(serverUrl);
    }

    /** Stops the components in reverse order of start (the kubelets first), then etcd. */
    @Override
    public void close() {
        List<ConfigurableApplicationContext> reversed;
        synchronized (contexts) {
            reversed = new ArrayList<>(contexts);
            contexts.clear();
        }
        Collections.reverse(reversed);
        for (ConfigurableApplicationContext ctx : reversed) {
            try {
                ctx.close();
            } catch (RuntimeException e) {
                System.err.println("kube4j all-in-one: closing " + ctx.getId() + ": " + e);
            }
        }
        if (etcd != null) {
            etcd.close();
            etcd = null;
        }
    }
}
