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
 * @param kubeconfig    where the admin kubeconfig is written ({@code --kubeconfig}, {@code KUBE4J_KUBECONFIG},
 *                      default {@code $TMPDIR/kube4j-all-in-one/kubeconfig.yaml})
 * @param dataDir       the cluster's files: the PKI in {@code <dataDir>/pki}, the kubelets' in {@code <dataDir>/kubelet} ({@code --data-dir}, {@code KUBE4J_DATA_DIR};
 *                      empty: a fresh temporary directory {@code $TMPDIR/kube4j-all-in-one-data*}, so every start has its own CA)
 * @param tlsSans       further names of the apiserver's serving certificate besides localhost, 127.0.0.1 and
 *                      kubernetes.default.svc... ({@code --tls-san}, {@code KUBE4J_TLS_SAN}, comma-separated DNS names or
 *                      IP addresses, as k3s' {@code --tls-san}): the host name or address clients use, network aliases
 * @param etcdEndpoints an etcd to use instead of starting one ({@code --etcd-endpoints}, {@code KUBE4J_ETCD_ENDPOINTS}; empty: start one)
 * @param etcdBinary    the etcd executable to start ({@code --etcd-binary}, {@code KUBE4J_ETCD_BINARY}; default the first of
 *                      /usr/local/bin/etcd, /usr/bin/etcd, else {@code etcd} on the PATH)
 * @param etcdDataDir   etcd's data directory ({@code --etcd-data-dir}, {@code KUBE4J_ETCD_DATA_DIR}; empty: a fresh temporary one)
 * @param exitWhenReady stop everything and exit 0 once Ready ({@code --exit-when-ready=true}, {@code KUBE4J_EXIT_WHEN_READY}):
 *                      the image build's training run for the JVM's ahead-of-time cache, and start-up measurements
 * @param passThrough   every {@code --kube4j.*} or {@code --logging.*} argument, handed to all four components
 *                      (each ignores the settings of the others)
 */
public record AllInOneOptions(int port, int nodes, String nodeCpu, String nodeMemory, String nodePods, String serverUrl,
                              Path kubeconfig, String dataDir, List<String> tlsSans, String etcdEndpoints, String etcdBinary, String etcdDataDir,
                              boolean exitWhenReady,
                              List<String> passThrough) {

    /**
     * Parses {@code args} over {@code env}.
     *
     * @throws IllegalArgumentException for an argument that is neither one of the options nor a pass-through setting,
     *                                  or a non-numeric port or node count
     */
    public static AllInOneOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> passThrough = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--kube4j.") || a.startsWith("--logging.")) {
                passThrough.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            String name = a.substring(2, eq);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + KNOWN + ", or any --kube4j.* setting)");
            }
            given.put(name, a.substring(eq + 1));
        }
        java.util.function.BiFunction<String, String, String> get = (name, def) -> {
            String v = given.get(name);
            if (v == null) {
                v = env.get("KUBE4J_" + name.toUpperCase().replace('-', '_'));
            }
            return v == null || v.isBlank() ? def : v.trim();
        };
        int port = Integer.parseInt(get.apply("port", "6443"));
        int nodes = Integer.parseInt(get.apply("nodes", "1"));
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
        }
        Path kubeconfig = Path.of(get.apply("kubeconfig",
                Path.of(System.getProperty("java.io.tmpdir"), "kube4j-all-in-one", "kubeconfig.yaml").toString()));
        return new AllInOneOptions(port, nodes, get.apply("node-cpu", "4"), get.apply("node-memory", "8Gi"),
                get.apply("node-pods", "110"), get.apply("server-url", scheme(passThrough) + "://127.0.0.1:" + port), kubeconfig,
                get.apply("data-dir", ""), splitList(get.apply("tls-san", "")),
                get.apply("etcd-endpoints", ""), get.apply("etcd-binary", defaultEtcdBinary()), get.apply("etcd-data-dir", ""),
                Boolean.parseBoolean(get.apply("exit-when-ready", "false")),
                List.copyOf(passThrough));
    }

    private static final List<String> KNOWN = List.of("port", "nodes", "node-cpu", "node-memory", "node-pods", "server-url",
            "kubeconfig", "data-dir", "tls-san", "etcd-endpoints", "etcd-binary", "etcd-data-dir", "exit-when-ready");

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
