package io.kube4j.allinone;

import io.kube4j.api.KubeList;
import io.kube4j.api.Node;
import io.kube4j.api.ServiceAccount;
import io.kube4j.apiserver.ApiServerApplication;
import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
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
 * own module's {@code application.yml}, talking to the apiserver over HTTPS exactly as the separate
 * processes do (the contexts share nothing but the JVM). Once the apiserver is ready, every node reports
 * {@code Ready=True} and the {@code default} ServiceAccount of namespace {@code default} exists, it
 * writes and prints the admin kubeconfig and the line {@code kube4j all-in-one: Ready in <ms> ms}, measured
 * from the JVM's start; the Testcontainers {@code Kube4jContainer} waits for that line.
 *
 * <p>Secure as the separate processes: the apiserver creates a fresh cluster PKI in {@code <data dir>/pki}
 * (kubeadm's layout: a CA, its serving certificate for localhost, 127.0.0.1, the server URL's host and
 * {@code --tls-san}, and a client certificate and kubeconfig per component), and each component context
 * uses its own kubeconfig there: {@code kube-scheduler}, {@code kube-controller-manager}, and one kubelet
 * context per node with {@code kubelet-<node>} ({@code system:node:<node>}, which the Node authorizer
 * limits to that node). {@code --kube4j.security.insecure=true} runs everything over plain HTTP without
 * authentication instead, as before, one kubelet context for all the nodes.
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
    private Path dataDir;
    private Path pki;

    public AllInOne(AllInOneOptions options) {
        this.options = options;
    }

    /** The options this cluster runs with. */
    public AllInOneOptions options() {
        return options;
    }

    /**
     * Runs the cluster until the JVM is stopped. {@code --help} or {@code -h} prints {@link AllInOneOptions#usage()}
     * and exits 0; an unknown or malformed option prints one line naming it and exits 2 (as a usage error of
     * Kubernetes' commands, cobra's flag errors), no stack trace.
     */
    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        AllInOneOptions options = commandLine(args, System.getenv(), System.out, System.err);
        if (options == null) {
            System.exit(helpExitCode(args));
        }
        AllInOne aio = new AllInOne(options);
        Runtime.getRuntime().addShutdownHook(new Thread(aio::close, "all-in-one-shutdown"));
        try {
            aio.start(Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            System.err.println("kube4j all-in-one: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("---");
        System.out.print(aio.kubeconfigYaml());
        System.out.println("---");
        System.out.println(READY_PREFIX + (System.currentTimeMillis() - jvmStart) + " ms (" + aio.options.nodes()
                + " node(s); apiserver " + aio.options.serverUrl() + ", kubeconfig " + aio.kubeconfigFile() + ")");
        if (aio.options.exitWhenReady()) {
            // a training run (the image's AOT cache) or a start-up measurement: stop cleanly, exit 0
            aio.close();
            System.exit(0);
        }
    }

    /** The exit code of a command line {@link #commandLine} refused: 0 for help, else 2 (a usage error). */
    static int helpExitCode(String[] args) {
        return AllInOneOptions.helpRequested(args) ? 0 : 2;
    }

    /**
     * The options to run with, or null when the process should exit instead (see {@link #helpExitCode}):
     * after printing the usage to {@code out} for {@code --help}/{@code -h}, or one line to {@code err} naming
     * the bad argument and pointing to {@code --help}.
     */
    static AllInOneOptions commandLine(String[] args, java.util.Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err) {
        if (AllInOneOptions.helpRequested(args)) {
            out.print(AllInOneOptions.usage());
            return null;
        }
        try {
            return AllInOneOptions.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("kube4j all-in-one: " + e.getMessage() + "; see --help");
            return null;
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
            etcd = EmbeddedEtcd.start(options.etcdBinary(), options.effectiveEtcdDataDir());
            etcdEndpoints = etcd.endpoint();
        }
        String api = options.localApiServerUrl();
        String pkiPassed = options.passThroughValue("kube4j.security.pki-dir");
        pki = !options.secure() ? null : pkiPassed != null ? Path.of(pkiPassed).toAbsolutePath() : dataDir().resolve("pki");
        List<String> apiserverArgs = new ArrayList<>(List.of("--server.port=" + options.port(), "--kube4j.etcd.endpoints=" + etcdEndpoints));
        if (pki != null) {
            // secure under both names of the switch (kube4j.security.enabled, renamed to "secure unless
            // kube4j.security.insecure=true"); a name the user passed through is left to them
            addUnlessPassed(apiserverArgs, "kube4j.security.enabled", "true");
            addUnlessPassed(apiserverArgs, "kube4j.security.insecure", "false");
            addUnlessPassed(apiserverArgs, "kube4j.security.pki-dir", pki.toString());
            addUnlessPassed(apiserverArgs, "kube4j.security.nodes", String.join(",", options.nodeNames()));
            // the URL written into the kubeconfigs, the admin one is handed out
            addUnlessPassed(apiserverArgs, "kube4j.security.server", options.serverUrl());
            addUnlessPassed(apiserverArgs, "kube4j.security.extra-sans", String.join(",", servingNames()));
        } else {
            // asked for by name: both spellings of the switch say so, whichever one the user passed
            addUnlessPassed(apiserverArgs, "kube4j.security.insecure", "true");
            addUnlessPassed(apiserverArgs, "kube4j.security.enabled", "false");
        }
        // not waiting for etcd first: the apiserver's context spends its first second or two loading
        // classes, while etcd elects itself, and its etcd client reconnects until etcd listens
        run(ApiServerApplication.class, "apiserver", WebApplicationType.SERVLET, apiserverArgs);
        if (etcd != null) {
            etcd.awaitHealthy(timeout);
        }
        // the clients of the apiserver are independent of each other: start them side by side, on
        // threads of our own (the common pool's threads lack the jar launcher's context class loader)
        ExecutorService starters = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("start-", 0).factory());
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        List<String> scheduler = new ArrayList<>(List.of("--kube4j.apiserver.url=" + api, "--kube4j.scheduler.leader-elect=false"));
        List<String> controllerManager = new ArrayList<>(List.of("--kube4j.apiserver.url=" + api, "--kube4j.controller-manager.leader-elect=false"));
        if (pki != null) {
            // each component with its own identity and Kubernetes' role for it, as kubeadm's kubeconfigs
            addUnlessPassed(scheduler, "kube4j.apiserver.kubeconfig", pki.resolve("kube-scheduler.kubeconfig").toString());
            addUnlessPassed(controllerManager, "kube4j.apiserver.kubeconfig", pki.resolve("kube-controller-manager.kubeconfig").toString());
            // the kube-root-ca.crt ConfigMap in every namespace (pods' projected token volumes carry it)
            addUnlessPassed(controllerManager, "kube4j.security.root-ca-file", pki.resolve("ca.crt").toString());
            // the tokens controller: long-lived tokens in kubernetes.io/service-account-token Secrets
            addUnlessPassed(controllerManager, "kube4j.controller-manager.service-account-private-key-file", pki.resolve("sa.key").toString());
        }
        // as kubeadm's kube-controller-manager (--controllers=*,bootstrapsigner,tokencleaner): nodes join with bootstrap tokens
        addUnlessPassed(controllerManager, "kube4j.controller-manager.controllers", "*,bootstrapsigner,tokencleaner");
        clients.add(CompletableFuture.runAsync(() -> run(SchedulerApplication.class, "scheduler", WebApplicationType.NONE, scheduler), starters));
        clients.add(CompletableFuture.runAsync(() -> run(ControllerManagerApplication.class, "controller-manager", WebApplicationType.NONE,
                controllerManager), starters));
        if (pki == null) {
            // one context for all the hollow kubelets: they share one anonymous client
            clients.add(CompletableFuture.runAsync(() -> run(KubeletApplication.class, "kubelet", WebApplicationType.SERVLET,
                    kubeletArgs(api, options.nodes() == 1 ? "node-0" : "node", options.nodes())), starters));
        } else {
            // one context per node: a kubelet's client is system:node:<name>, which the Node authorizer and
            // NodeRestriction let write only that node and its pods, so the nodes cannot share one client
            for (String node : options.nodeNames()) {
                List<String> args = kubeletArgs(api, node, 1);
                addUnlessPassed(args, "kube4j.apiserver.kubeconfig", pki.resolve("kubelet-" + node + ".kubeconfig").toString());
                // the kubelet API (logs) takes the apiserver's client certificate, as kubeadm sets up kubelets:
                // client certificates checked against the cluster CA, no anonymous requests
                addUnlessPassed(args, "kube4j.kubelet.authentication.client-ca-file", pki.resolve("ca.crt").toString());
                addUnlessPassed(args, "kube4j.kubelet.authentication.anonymous", "false");
                clients.add(CompletableFuture.runAsync(() -> run(KubeletApplication.class, "kubelet", WebApplicationType.SERVLET, args), starters));
            }
        }
        try {
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("a component failed to start: " + e.getCause(), e.getCause());
        } finally {
            starters.shutdown();
        }
        awaitNodesReady(readinessClient(api), timeout);
        writeKubeconfig();
    }

    private List<String> kubeletArgs(String api, String nodeName, int count) {
        List<String> args = new ArrayList<>(List.of(
                // any free port: the kubelets advertise the one their web server really got
                "--server.port=0",
                "--kube4j.apiserver.url=" + api,
                "--kube4j.kubelet.runtime=fake",
                "--kube4j.kubelet.count=" + count,
                "--kube4j.kubelet.node-name=" + nodeName,
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.capacity.cpu=" + options.nodeCpu(),
                "--kube4j.kubelet.capacity.memory=" + options.nodeMemory(),
                "--kube4j.kubelet.capacity.pods=" + options.nodePods()));
        // each node's files (pod volumes, the kubelet's own serving certificate in <node>/pki) with the
        // cluster's, not in a directory shared with every other kubelet on the machine
        addUnlessPassed(args, "kube4j.kubelet.root-dir", dataDir().resolve("kubelet").toString());
        return args;
    }

    /** Adds {@code --name=value} unless the user passed {@code name} through (Spring would join both values). */
    private void addUnlessPassed(List<String> args, String name, String value) {
        if (options.passThroughValue(name) == null) {
            args.add("--" + name + "=" + value);
        }
    }

    /**
     * The serving certificate's names besides its defaults (localhost, 127.0.0.1, kubernetes.default.svc...):
     * {@code --tls-san} and the host of the server URL handed out in the kubeconfig.
     */
    List<String> servingNames() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(options.tlsSans());
        String host = java.net.URI.create(options.serverUrl()).getHost();
        if (host != null && !host.isBlank()) {
            // an IPv6 literal comes bracketed
            names.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        }
        return List.copyOf(names);
    }

    /** The data directory: {@link AllInOneOptions#dataDir()}, else a fresh temporary one made on first use. */
    private Path dataDir() {
        if (dataDir == null) {
            try {
                dataDir = options.dataDir().isBlank() ? Files.createTempDirectory("kube4j-all-in-one-data") : Path.of(options.dataDir());
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the data directory: " + e, e);
            }
        }
        return dataDir;
    }

    /**
     * The PKI directory once started secure ({@code <dataDir>/pki}, or a {@code --kube4j.security.pki-dir}
     * passed through), else null.
     */
    public Path pkiDir() {
        return pki;
    }

    private void run(Class<?> application, String module, WebApplicationType web, List<String> args) {
        List<String> all = new ArrayList<>();
        // the module's own application.yml (copied under its name at build time) and nothing else from the classpath
        all.add("--spring.config.location=classpath:/io/kube4j/allinone/" + module + "/application.yml");
        // the log's [application name] column is one JVM-wide setting (the first context's name on every
        // line), which would mislabel three of the four components: thread names tell them apart instead
        all.add("--logging.include-application-name=false");
        all.addAll(args);
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

    /** The client that waits for the nodes: the admin's credentials when secure (listing nodes needs them). */
    private ApiClient readinessClient(String api) {
        return new ApiClient(api, "all-in-one/kube4j", pki == null ? null : Kubeconfig.load(pki.resolve("admin.kubeconfig")));
    }

    /**
     * Until the apiserver's {@code /readyz} answers 200, every node is Ready and, secure, the ServiceAccount
     * {@code default/default} exists. {@code /readyz} includes
     * Kubernetes' {@code poststarthook/rbac/bootstrap-roles}: the kubelets' writes are allowed by the Node
     * authorizer alone, so the nodes can be Ready while the RBAC bootstrap policy, which the scheduler and
     * the controller-manager need, is still being written.
     */
    private void awaitNodesReady(ApiClient client, Duration timeout) {
        Set<String> want = new TreeSet<>(options.nodeNames());
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> ready = Set.of();
        boolean apiserverReady = false;
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (client.credentials() != null) {
            builder.sslContext(client.credentials().sslContext());
        }
        try (java.net.http.HttpClient http = builder.build()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!apiserverReady) {
                        apiserverReady = readyz(http, client);
                        if (!apiserverReady) {
                            sleep(100);
                            continue;
                        }
                    }
                    KubeList<Node> nodes = client.list(Node.class, null);
                    ready = new TreeSet<>();
                    for (Node n : nodes.items) {
                        Node.NodeCondition c = n.status == null ? null : n.status.condition("Ready");
                        if (c != null && "True".equals(c.status)) {
                            ready.add(n.metadata.name);
                        }
                    }
                    // secure, pods are admitted only once their ServiceAccount exists (ServiceAccount admission),
                    // and a ReplicaSet refused meanwhile retries on a growing backoff: wait for the controller-manager
                    // to have made default/default, as Kubernetes' e2e framework waits for a namespace's default one
                    if (ready.containsAll(want) && (pki == null || client.find(ServiceAccount.class, "default", "default").isPresent())) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // the apiserver answers before its first list may succeed; keep polling
                }
                sleep(25);
            }
        }
        throw new IllegalStateException(apiserverReady ? "nodes " + want + " not all Ready (or no ServiceAccount default/default) within " + timeout + "; Ready: " + ready
                : "the apiserver's /readyz not 200 within " + timeout);
    }

    /** Whether {@code /readyz} answers 200 (plain text: ApiClient asks for JSON, which /readyz does not serve). */
    private static boolean readyz(java.net.http.HttpClient http, ApiClient client) {
        try {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.baseUrl() + "/readyz")).timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the kubeconfig to {@link #kubeconfigFile()}: secure, the PKI's {@code admin.kubeconfig}
     * (server {@link AllInOneOptions#serverUrl()}, the CA, and the {@code kubernetes-admin} client certificate in
     * {@code system:masters}), owner-readable only as it carries a private key; insecure, {@link #kubeconfig(String)}.
     * With {@code --data-dir} and no {@code --kubeconfig} the file is the PKI's own, already written.
     */
    private void writeKubeconfig() {
        Path file = kubeconfigFile();
        try {
            if (pki != null && file.toAbsolutePath().normalize().equals(pki.resolve("admin.kubeconfig").toAbsolutePath().normalize())) {
                return;
            }
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, kubeconfigYaml());
            if (pki != null) {
                try {
                    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: as kubectl, write it anyway
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the kubeconfig to " + file + ": " + e, e);
        }
    }

    /**
     * The admin kubeconfig's file ({@link AllInOneOptions#kubeconfigFile(Path)} for the PKI in use): the one the
     * Ready line names. Meaningful once {@link #start} has chosen the PKI directory.
     */
    public Path kubeconfigFile() {
        return options.kubeconfigFile(pki);
    }

    /** The kubeconfig this cluster hands out (see {@link #writeKubeconfig()}), once started. */
    public String kubeconfigYaml() {
        if (pki == null) {
            return kubeconfig(options.serverUrl());
        }
        try {
            return Files.readString(pki.resolve("admin.kubeconfig"));
        } catch (IOException e) {
            throw new IllegalStateException("no admin kubeconfig in " + pki + ": " + e, e);
        }
    }

    /**
     * A kubeconfig for an insecure cluster ({@code --kube4j.security.insecure=true}: plain HTTP, no
     * credentials), with cluster, user and context all named {@code kube4j}.
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

    /**
     * Stops the components in reverse order of start (the kubelets first), then etcd, and deletes the data
     * directory when it was a temporary one.
     */
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
        if (dataDir != null && options.dataDir().isBlank()) {
            // a temporary data directory holds the CA's private key: gone with the cluster
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    private static void deleteRecursively(Path dir) {
        EmbeddedEtcd.deleteRecursively(dir);
    }
}
