package io.kube4j.allinone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The all-in-one's settings, from {@code --name=value} arguments or, failing that, {@code KUBE4J_*}
 * environment variables (what {@code docker run -e} sets), else the defaults below.
 *
 * @param port          the apiserver's port (HTTPS; {@code --port}, {@code KUBE4J_PORT}, default 6443 as k3s and kubeadm)
 * @param nodes         how many hollow nodes (fake container runtime; {@code --nodes}, {@code KUBE4J_NODES}, default 1)
 * @param nodeCpu       each node's cpu capacity, e.g. {@code 4} or {@code 3500m} ({@code --node-cpu}, {@code KUBE4J_NODE_CPU}, default 4)
 * @param nodeMemory    each node's memory capacity, e.g. {@code 8Gi} ({@code --node-memory}, {@code KUBE4J_NODE_MEMORY}, default 8Gi)
 * @param nodePods      each node's pod capacity ({@code --node-pods}, {@code KUBE4J_NODE_PODS}, default 110 as the kubelet's maxPods)
 * @param serverUrl     the server written into the kubeconfig ({@code --server-url}, {@code KUBE4J_SERVER_URL},
 *                      default {@code https://127.0.0.1:<port>})
 * @param kubeconfig    where the admin kubeconfig is written ({@code --kubeconfig}, {@code KUBE4J_KUBECONFIG});
 *                      null when not given: see {@link #kubeconfigFile(Path)}
 * @param dataDir       the cluster's files: the PKI in {@code <dataDir>/pki}, the kubelets' in {@code <dataDir>/kubelet}, etcd's in
 *                      {@code <dataDir>/etcd}, the admin kubeconfig ({@code --data-dir}, {@code KUBE4J_DATA_DIR};
 *                      empty: a fresh temporary directory {@code $TMPDIR/kube4j-all-in-one-data*}, so every start has its own CA)
 * @param tlsSans       further names of the apiserver's serving certificate besides localhost, 127.0.0.1 and
 *                      kubernetes.default.svc... ({@code --tls-san}, {@code KUBE4J_TLS_SAN}, comma-separated DNS names or
 *                      IP addresses, as k3s' {@code --tls-san}): the host name or address clients use, network aliases
 * @param etcdEndpoints an etcd to use instead of starting one ({@code --etcd-endpoints}, {@code KUBE4J_ETCD_ENDPOINTS}; empty: start one)
 * @param etcdBinary    the etcd executable to start ({@code --etcd-binary}, {@code KUBE4J_ETCD_BINARY}; default the first of
 *                      /usr/local/bin/etcd, /usr/bin/etcd, else {@code etcd} on the PATH)
 * @param etcdDataDir   etcd's data directory ({@code --etcd-data-dir}, {@code KUBE4J_ETCD_DATA_DIR}; empty: see
 *                      {@link #effectiveEtcdDataDir()})
 * @param exitWhenReady stop everything and exit 0 once Ready ({@code --exit-when-ready=true}, {@code KUBE4J_EXIT_WHEN_READY}):
 *                      the image build's training run for the JVM's ahead-of-time cache, and start-up measurements
 * @param passThrough   every {@code --kube4j.*} or {@code --logging.*} argument, handed to all four components
 *                      (each ignores the settings of the others)
 */
public record AllInOneOptions(int port, int nodes, String nodeCpu, String nodeMemory, String nodePods, String serverUrl,
                              Path kubeconfig, String dataDir, List<String> tlsSans, String etcdEndpoints, String etcdBinary, String etcdDataDir,
                              boolean exitWhenReady,
                              List<String> passThrough) {

    /** One option of the command line: its name, its environment variable, its default as shown, what it sets. */
    record Option(String name, String defaultShown, String description) {
        /** The environment variable read when the argument is absent: {@code KUBE4J_} and the name in upper case. */
        String env() {
            return "KUBE4J_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        }
    }

    /** Every option {@link #parse} accepts, in the order {@code --help} lists them. */
    static final List<Option> OPTIONS = List.of(
            new Option("port", "6443", "the apiserver's port (HTTPS unless --kube4j.security.insecure=true)"),
            new Option("nodes", "1", "how many hollow nodes (fake container runtime), node-0 ... node-(n-1)"),
            new Option("node-cpu", "4", "each node's cpu capacity, e.g. 4 or 3500m"),
            new Option("node-memory", "8Gi", "each node's memory capacity"),
            new Option("node-pods", "110", "each node's pod capacity (the kubelet's maxPods)"),
            new Option("server-url", "https://127.0.0.1:<port>", "the server written into the admin kubeconfig (its host joins the serving certificate)"),
            new Option("kubeconfig", "<data-dir>/pki/admin.kubeconfig with --data-dir (<data-dir>/kubeconfig.yaml if insecure), else $TMPDIR/kube4j-all-in-one/kubeconfig.yaml",
                    "where the admin kubeconfig is written"),
            new Option("data-dir", "a fresh temporary directory, deleted on exit", "the cluster's files: pki/, kubelet/, etcd/ (kept across restarts)"),
            new Option("tls-san", "none", "further names of the serving certificate, comma-separated DNS names or IP addresses"),
            new Option("etcd-endpoints", "none: start etcd", "an etcd already running, instead of starting one"),
            new Option("etcd-binary", "/usr/local/bin/etcd, /usr/bin/etcd, else etcd on the PATH", "the etcd executable to start"),
            new Option("etcd-data-dir", "<data-dir>/etcd with --data-dir, else a temporary directory deleted on exit", "etcd's data directory"),
            new Option("exit-when-ready", "false", "stop everything and exit 0 once Ready (training runs, start-up measurements)"));

    private static final java.util.Set<String> KNOWN = OPTIONS.stream().map(Option::name).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** Whether {@code args} ask for the usage text ({@code --help} or {@code -h} anywhere). */
    public static boolean helpRequested(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The usage text {@code --help} prints: every option with its environment variable, default and a line
     * on what it sets, then the pass-through settings.
     */
    public static String usage() {
        StringBuilder b = new StringBuilder("""
                Usage: java -jar all-in-one.jar [--name=value ...] [--kube4j.*=... | --logging.*=...]
                kube4j in one JVM: etcd (a child process), apiserver, scheduler, controller-manager and hollow kubelets.
                Each option may also come from its environment variable; the argument wins.

                Options:
                """);
        for (Option o : OPTIONS) {
            b.append("  --").append(o.name()).append("=...  (").append(o.env()).append(")\n")
                    .append("      ").append(o.description()).append("; default: ").append(o.defaultShown()).append('\n');
        }
        b.append("""
                  --kube4j.*=..., --logging.*=...
                      handed to every component, e.g. --kube4j.security.insecure=true (plain HTTP, no authentication)
                  -h, --help
                      print this and exit
                """);
        return b.toString();
    }

    /**
     * Parses {@code args} over {@code env}.
     *
     * @throws IllegalArgumentException with a one-line message naming the argument, for an argument that is
     *                                  neither one of the options nor a pass-through setting, one without
     *                                  {@code =value}, or a non-numeric port or node count
     */
    public static AllInOneOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> passThrough = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--kube4j.") || a.startsWith("--logging.")) {
                passThrough.add(a);
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + " (options are --name=value)");
            }
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            if (eq < 0) {
                throw new IllegalArgumentException("option --" + name + " needs a value: --" + name + "=...");
            }
            given.put(name, a.substring(eq + 1));
        }
        java.util.function.BiFunction<String, String, String> get = (name, def) -> {
            String v = given.get(name);
            if (v == null) {
                v = env.get("KUBE4J_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            }
            return v == null || v.isBlank() ? def : v.trim();
        };
        int port = integer("port", get.apply("port", "6443"));
        int nodes = integer("nodes", get.apply("nodes", "1"));
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
        }
        String kubeconfig = get.apply("kubeconfig", "");
        return new AllInOneOptions(port, nodes, get.apply("node-cpu", "4"), get.apply("node-memory", "8Gi"),
                get.apply("node-pods", "110"), get.apply("server-url", scheme(passThrough) + "://127.0.0.1:" + port),
                kubeconfig.isEmpty() ? null : Path.of(kubeconfig),
                get.apply("data-dir", ""), splitList(get.apply("tls-san", "")),
                get.apply("etcd-endpoints", ""), get.apply("etcd-binary", defaultEtcdBinary()), get.apply("etcd-data-dir", ""),
                Boolean.parseBoolean(get.apply("exit-when-ready", "false")),
                List.copyOf(passThrough));
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --" + name + "=" + value + ": not a number");
        }
    }

    /**
     * The admin kubeconfig's file: {@code --kubeconfig} when given; else, with {@code --data-dir}, the PKI's own
     * {@code admin.kubeconfig} (secure; {@code <data-dir>/pki/admin.kubeconfig} unless the PKI directory was
     * passed through) or {@code <data-dir>/kubeconfig.yaml} (insecure, no PKI), so that everything of one
     * cluster lives in its data directory; else {@code $TMPDIR/kube4j-all-in-one/kubeconfig.yaml}, outside
     * the temporary data directory deleted on exit.
     *
     * @param pkiDir the PKI directory in use, null when insecure
     */
    public Path kubeconfigFile(Path pkiDir) {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        if (!dataDir.isBlank()) {
            return pkiDir != null ? pkiDir.resolve("admin.kubeconfig") : Path.of(dataDir).resolve("kubeconfig.yaml");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "kube4j-all-in-one", "kubeconfig.yaml");
    }

    /**
     * etcd's data directory: {@code --etcd-data-dir} when given, else {@code <data-dir>/etcd} with
     * {@code --data-dir} (kept across restarts with the PKI), else empty (a temporary one, deleted on exit).
     */
    public String effectiveEtcdDataDir() {
        if (!etcdDataDir.isBlank()) {
            return etcdDataDir;
        }
        return dataDir.isBlank() ? "" : Path.of(dataDir).resolve("etcd").toString();
    }

    private static List<String> splitList(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return List.copyOf(out);
    }

    private static String defaultEtcdBinary() {
        for (String p : List.of("/usr/local/bin/etcd", "/usr/bin/etcd")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "etcd";
    }

    /** The names of the hollow nodes: node-0 ... node-(n-1). */
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            names.add("node-" + i);
        }
        return names;
    }

    /** The apiserver URL the other components use inside this JVM (127.0.0.1 is in the serving certificate). */
    public String localApiServerUrl() {
        return scheme(passThrough) + "://127.0.0.1:" + port;
    }

    /**
     * The value of a pass-through setting ({@code --kube4j.security.insecure=true} gives {@code "true"} for
     * {@code kube4j.security.insecure}), or null when none was given; the last one wins.
     */
    public String passThroughValue(String name) {
        return passThroughValue(passThrough, name);
    }

    private static String passThroughValue(List<String> passThrough, String name) {
        String value = null;
        for (String a : passThrough) {
            if (a.startsWith("--" + name + "=")) {
                value = a.substring(name.length() + 3);
            }
        }
        return value;
    }

    /**
     * Whether the apiserver runs secure (HTTPS, authentication, authorization), as it does unless
     * {@code --kube4j.security.insecure=true} (or the older {@code --kube4j.security.enabled=false}) is passed through.
     */
    public boolean secure() {
        return secure(passThrough);
    }

    private static boolean secure(List<String> passThrough) {
        return !"true".equalsIgnoreCase(passThroughValue(passThrough, "kube4j.security.insecure"))
                && !"false".equalsIgnoreCase(passThroughValue(passThrough, "kube4j.security.enabled"));
    }

    private static String scheme(List<String> passThrough) {
        return secure(passThrough) ? "https" : "http";
    }
}
