package io.kube4j.kubelet.network;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The pod network of a node through CNI, as the kubelet's dockershim CNI plugin
 * ({@code pkg/kubelet/dockershim/network/cni/cni.go}) and containerd's CRI plugin drive it: every sandbox network
 * namespace gets {@code lo} from the loopback plugin (network {@code cni-loopback}) and {@code eth0} from the node's
 * network, a configuration list run as libcni's {@code AddNetworkList} / {@code DelNetworkList} /
 * {@code CheckNetworkList} do it (ADD in order, each plugin given the previous one's result as {@code prevResult};
 * DEL in reverse order with the cached ADD result; CHECK in order with it).
 *
 * <p>The node's network is the first {@code .conf}, {@code .conflist} or {@code .json} file of the conf dir in
 * lexical order that parses and whose plugins exist (dockershim's {@code getDefaultCNINetwork}); when there is none,
 * a kubenet-style network is generated from the Node's {@code spec.podCIDR} ({@link #kubenet}). The conf dir is read
 * again on every call, so a network dropped in later is picked up as the kubelet's periodic sync does.
 *
 * <p>ADD results are cached in {@code cacheDir} as libcni does in {@code /var/lib/cni/results}
 * ({@code <network>-<containerId>-<ifName>}), so DEL and CHECK get their {@code prevResult} and the pod IP
 * survives a kubelet restart.
 */
public final class CniNetwork {
    /** The generated network's name (contract: {@code kube4j}). */
    public static final String DEFAULT_NAME = "kube4j";
    /** The generated network's bridge (kubenet's and the contract's {@code cni0}). */
    public static final String DEFAULT_BRIDGE = "cni0";
    /** The pod's interface (Kubernetes' {@code network.DefaultInterfaceName}). */
    public static final String POD_INTERFACE = "eth0";
    private static final String LOOPBACK_INTERFACE = "lo";
    private static final List<String> EXTENSIONS = List.of(".conf", ".conflist", ".json");

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CniNetwork.class);

    private final Path confDir;
    private final List<Path> binDirs;
    private final Supplier<String> podCidr;
    private final Path cacheDir;
    private final List<String> launcher;
    private final Duration timeout;
    private final String defaultName;
    private final String defaultBridge;

    /**
     * @param confDir  where network configurations are looked for ({@code kube4j.kubelet.cni.conf-dir})
     * @param binDirs  the plugin search path, CNI_PATH ({@code kube4j.kubelet.cni.bin-dir})
     * @param podCidr  the Node's {@code spec.podCIDR} (null while unknown), asked only when confDir has no network
     * @param cacheDir where ADD results are kept for DEL, CHECK and the pod IP
     */
    public CniNetwork(Path confDir, List<Path> binDirs, Supplier<String> podCidr, Path cacheDir) {
        this(confDir, binDirs, podCidr, cacheDir, List.of(), Duration.ofMinutes(1), DEFAULT_NAME, DEFAULT_BRIDGE);
    }

    /**
     * As {@link #CniNetwork(Path, List, Supplier, Path)}, plus: a command prefix every plugin runs under (tests run
     * plugins in a network namespace of their own with {@code ip netns exec <ns>}), the longest a plugin may take,
     * and the generated network's name and bridge.
     */
    public CniNetwork(Path confDir, List<Path> binDirs, Supplier<String> podCidr, Path cacheDir, List<String> launcher,
                      Duration timeout, String defaultName, String defaultBridge) {
        this.confDir = confDir;
        this.binDirs = List.copyOf(binDirs);
        this.podCidr = podCidr;
        this.cacheDir = cacheDir;
        this.launcher = List.copyOf(launcher);
        this.timeout = timeout;
        this.defaultName = defaultName;
        this.defaultBridge = defaultBridge;
    }

    /** A colon-separated search path ({@code /usr/lib/cni:/opt/cni/bin}) as a list, empty entries dropped. */
    public static List<Path> searchPath(String colonSeparated) {
        return Arrays.stream(colonSeparated.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /**
     * The CNI_ARGS containerd and dockershim pass for a pod sandbox ({@code IgnoreUnknown=1} first, so plugins
     * that know none of them do not fail).
     */
    public static Map<String, String> kubernetesArgs(String namespace, String name, String uid, String sandboxId) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("IgnoreUnknown", "1");
        args.put("K8S_POD_NAMESPACE", namespace);
        args.put("K8S_POD_NAME", name);
        args.put("K8S_POD_INFRA_CONTAINER_ID", sandboxId);
        args.put("K8S_POD_UID", uid);
        return args;
    }

    /**
     * The loopback network every sandbox gets for {@code lo} (go-cni's and dockershim's built-in
     * {@code cni-loopback}).
     */
    public static NetworkConfigList loopback() {
        ObjectNode lo = Json.mapper().createObjectNode();
        lo.put("type", "loopback");
        return new NetworkConfigList("cni-loopback", "0.3.1", List.of(lo), "built-in");
    }

    /**
     * The kubenet-style network for a node without a CNI configuration (kubenet's {@code NET_CONFIG_TEMPLATE} in
     * {@code pkg/kubelet/dockershim/network/kubenet}, as the contract of issue #19 sets it): a Linux bridge with the
     * pods' gateway address ({@code isGateway}), no masquerading ({@code ipMasq: false}, as kubenet: pods reach other
     * nodes' pods with their own IP; {@link KubenetMasquerade} handles traffic leaving the cluster),
     * hairpin mode so a pod reaches itself through a Service, host-local addresses from {@code podCidr} with a
     * default route via the bridge, and portmap for hostPorts.
     *
     * @param cniVersion the version to speak (see {@link #chooseVersion})
     */
    public static NetworkConfigList kubenet(String name, String bridge, String podCidr, String cniVersion) {
        ObjectNode b = Json.mapper().createObjectNode();
        b.put("type", "bridge");
        b.put("bridge", bridge);
        b.put("isGateway", true);
        // kubenet's template: no masquerading by the bridge plugin, which would NAT traffic to other nodes' pods too;
        // KubenetMasquerade masquerades only what leaves the cluster
        b.put("ipMasq", false);
        b.put("hairpinMode", true);
        ObjectNode ipam = b.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject().put("subnet", podCidr);
        ipam.putArray("routes").addObject().put("dst", podCidr.contains(":") ? "::/0" : "0.0.0.0/0");
        ObjectNode portmap = Json.mapper().createObjectNode();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        return new NetworkConfigList(name, cniVersion, List.of(b, portmap), "generated from podCIDR " + podCidr);
    }

    /**
     * The newest of 1.0.0 and 0.4.0 (the first versions with CHECK and cached DEL results) the bridge plugin
     * supports by its VERSION answer; 0.4.0 when it cannot tell.
     */
    String chooseVersion() {
        try {
            JsonNode v = plugin("bridge").version("1.0.0");
            for (JsonNode s : v.path("supportedVersions")) {
                if ("1.0.0".equals(s.asString())) {
                    return "1.0.0";
                }
            }
        } catch (RuntimeException e) {
            log.debug("bridge plugin VERSION failed: {}", e.getMessage());
        }
        return "0.4.0";
    }

    private volatile String generatedVersion;
    // containerId -> pod IP of attached sandboxes: the runtime asks on every relist, the disk cache is the fallback
    private final Map<String, String> podIps = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The node's network now: the first usable configuration in the conf dir, else the generated one.
     *
     * @throws CniException when there is no configuration and the Node has no podCIDR yet (the kubelet's
     *                      "network plugin is not ready: cni config uninitialized")
     */
    public NetworkConfigList network() {
        Optional<NetworkConfigList> configured = configured();
        if (configured.isPresent()) {
            return configured.get();
        }
        String cidr = podCidr.get();
        if (cidr == null || cidr.isBlank()) {
            throw new CniException("network plugin is not ready: cni config uninitialized (no network configuration in " + confDir
                    + " and the node has no podCIDR)", CniException.NOT_A_PLUGIN_ERROR, "cni config uninitialized", "");
        }
        if (generatedVersion == null) {
            generatedVersion = chooseVersion();
        }
        return kubenet(defaultName, defaultBridge, cidr, generatedVersion);
    }

    /** dockershim's {@code getDefaultCNINetwork}: the first file (lexical order) that parses and whose plugins are installed. */
    Optional<NetworkConfigList> configured() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(confDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(confDir)) {
                for (Path f : ds) {
                    String n = f.getFileName().toString();
                    if (Files.isRegularFile(f) && EXTENSIONS.stream().anyMatch(e -> n.endsWith(e))) {
                        files.add(f);
                    }
                }
            } catch (IOException e) {
                throw new CniException("cannot read " + confDir + ": " + e.getMessage(), e);
            }
        }
        files.sort(null);
        for (Path f : files) {
            try {
                NetworkConfigList list = NetworkConfigList.read(f);
                for (String type : list.types()) {
                    plugin(type);
                }
                return Optional.of(list);
            } catch (IOException | RuntimeException e) {
                log.warn("Error loading CNI config file {}: {}", f, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Attaches the sandbox's network namespace: {@code lo} (loopback), then {@code eth0} on the node's network.
     * When eth0's ADD fails, what it may have half-made is deleted again (containerd tears the network down when
     * RunPodSandbox fails), so no address leaks.
     *
     * @param containerId the sandbox's id (CNI_CONTAINERID)
     * @param netns       its network namespace, e.g. {@code /proc/<pid>/ns/net}
     * @param args        CNI_ARGS ({@link #kubernetesArgs})
     * @return the pod IP: the first IPv4 address of the result on eth0 (else the first address)
     * @throws CniException {@code plugin type="bridge" failed (add): <message>} (libcni's wording)
     */
    public String add(String containerId, String netns, Map<String, String> args) {
        NetworkConfigList network = network();
        runAdd(loopback(), new CniPlugin.Invocation(containerId, netns, LOOPBACK_INTERFACE, args));
        CniPlugin.Invocation eth0 = new CniPlugin.Invocation(containerId, netns, POD_INTERFACE, args);
        JsonNode result;
        try {
            result = runAdd(network, eth0);
        } catch (CniException e) {
            try {
                runDel(network, eth0, null);
            } catch (RuntimeException cleanup) {
                log.warn("cleaning up the failed network setup of {}: {}", containerId, cleanup.getMessage());
            }
            throw e;
        }
        writeCache(network, eth0, result);
        String ip = podIp(result, POD_INTERFACE).orElseThrow(() -> new CniException("the result of network " + network.name()
                + " has no IP address for " + POD_INTERFACE + ": " + Json.write(result), CniException.NOT_A_PLUGIN_ERROR, "no IP", ""));
        podIps.put(containerId, ip);
        return ip;
    }

    /**
     * Detaches the sandbox: eth0's network in reverse order with the cached ADD result as {@code prevResult}, then
     * {@code lo}. Succeeds when nothing is attached (the spec requires DEL to tolerate missing state). The network
     * deleted is the one ADD used when its result is cached, else the current one.
     *
     * @param netns the namespace, or empty when it is gone (plugins then release what they hold outside it)
     * @throws CniException {@code plugin type="bridge" failed (delete): <message>}
     */
    public void del(String containerId, String netns, Map<String, String> args) {
        CniPlugin.Invocation eth0 = new CniPlugin.Invocation(containerId, netns == null ? "" : netns, POD_INTERFACE, args);
        Optional<Cached> cached = readCache(containerId, POD_INTERFACE);
        NetworkConfigList network;
        if (cached.isPresent()) {
            network = cached.get().network();
        } else {
            try {
                network = network();
            } catch (CniException e) {
                // never configured, so never attached: nothing to delete
                log.debug("no CNI network to delete {} from: {}", containerId, e.getMessage());
                return;
            }
        }
        // libcni gives DEL the cached result from 0.4.0 on only
        runDel(network, eth0, atLeast040(network.cniVersion()) ? cached.map(Cached::result).orElse(null) : null);
        deleteCache(network.name(), containerId, POD_INTERFACE);
        podIps.remove(containerId);
        if (eth0.netns() != null && !eth0.netns().isEmpty()) {
            runDel(loopback(), new CniPlugin.Invocation(containerId, netns, LOOPBACK_INTERFACE, args), null);
        }
    }

    /**
     * CHECK (CNI ≥ 0.4.0): every plugin of eth0's network confirms the attachment is as ADD left it.
     *
     * @throws CniException when one does not, or nothing is cached for the sandbox
     */
    public void check(String containerId, String netns, Map<String, String> args) {
        NetworkConfigList current = network();
        if (!atLeast040(current.cniVersion())) {
            throw new CniException("configuration version \"" + current.cniVersion() + "\" does not support the CHECK command",
                    CniException.INCOMPATIBLE_CNI_VERSION, "CHECK not supported", "");
        }
        if (current.disableCheck()) {
            return;
        }
        Cached cached = readCache(containerId, POD_INTERFACE).orElseThrow(() -> new CniException(
                "failed to get network cached result: no cached result for " + containerId, CniException.UNKNOWN_CONTAINER, "no cached result", ""));
        NetworkConfigList network = cached.network();
        CniPlugin.Invocation eth0 = new CniPlugin.Invocation(containerId, netns, POD_INTERFACE, args);
        for (ObjectNode p : network.plugins()) {
            CniPlugin plugin = plugin(p.path("type").asString());
            try {
                plugin.check(config(network, p, cached.result()), eth0);
            } catch (CniException e) {
                throw wrap(p, "check", e);
            }
        }
    }

    /** The pod IP ADD returned for the sandbox, from the result cache; empty when none is cached. */
    public Optional<String> podIp(String containerId) {
        String known = podIps.get(containerId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> ip = readCache(containerId, POD_INTERFACE).flatMap(c -> podIp(c.result(), POD_INTERFACE));
        ip.ifPresent(v -> podIps.put(containerId, v));
        return ip;
    }

    /** Whether an ADD result of the sandbox is cached: it is attached, or its DEL has not succeeded yet. */
    public boolean attached(String containerId) {
        return podIps.containsKey(containerId) || readCache(containerId, POD_INTERFACE).isPresent();
    }

    private JsonNode runAdd(NetworkConfigList network, CniPlugin.Invocation invocation) {
        JsonNode prev = null;
        for (ObjectNode p : network.plugins()) {
            CniPlugin plugin;
            try {
                plugin = plugin(p.path("type").asString());
                prev = plugin.add(config(network, p, prev), invocation);
            } catch (CniException e) {
                throw wrap(p, "add", e);
            }
        }
        return prev;
    }

    private void runDel(NetworkConfigList network, CniPlugin.Invocation invocation, JsonNode cachedResult) {
        List<ObjectNode> plugins = network.plugins();
        for (int i = plugins.size() - 1; i >= 0; i--) {
            ObjectNode p = plugins.get(i);
            try {
                plugin(p.path("type").asString()).del(config(network, p, cachedResult), invocation);
            } catch (CniException e) {
                throw wrap(p, "delete", e);
            }
        }
    }

    private CniPlugin plugin(String type) {
        return CniPlugin.find(type, binDirs, launcher, timeout);
    }

    /** libcni's {@code buildOneConfig}: the plugin's configuration with the list's name and version, and prevResult. */
    static ObjectNode config(NetworkConfigList network, ObjectNode plugin, JsonNode prevResult) {
        ObjectNode c = plugin.deepCopy();
        c.put("name", network.name());
        c.put("cniVersion", network.cniVersion());
        if (prevResult != null) {
            c.set("prevResult", prevResult);
        }
        return c;
    }

    /** libcni's {@code plugin type="x" name="y" failed (add): <error>}. */
    private static CniException wrap(ObjectNode plugin, String op, CniException e) {
        String description = "type=\"" + plugin.path("type").asString("") + "\"";
        String name = plugin.path("name").asString("");
        if (!name.isEmpty()) {
            description += " name=\"" + name + "\"";
        }
        CniException w = new CniException("plugin " + description + " failed (" + op + "): " + e.getMessage(), e.code(), e.msg(), e.details());
        w.initCause(e);
        return w;
    }

    /**
     * The address a result gives {@code ifName}: the first IPv4 of {@code ips} whose {@code interface} index names it
     * (CNI ≥ 0.3.0), else the first IPv4, else the first address; {@code ip4.ip} of a 0.1/0.2 result.
     */
    static Optional<String> podIp(JsonNode result, String ifName) {
        JsonNode interfaces = result.path("interfaces");
        String firstV4 = null;
        String first = null;
        for (JsonNode ip : result.path("ips")) {
            String address = strip(ip.path("address").asString(""));
            if (address.isEmpty()) {
                continue;
            }
            boolean v4 = address.contains(".");
            JsonNode index = ip.path("interface");
            boolean onIf = index.isNumber() && ifName.equals(interfaces.path(index.asInt()).path("name").asString(""));
            if (onIf && v4) {
                return Optional.of(address);
            }
            if (v4 && firstV4 == null) {
                firstV4 = address;
            }
            if (first == null) {
                first = address;
            }
        }
        if (firstV4 != null) {
            return Optional.of(firstV4);
        }
        if (first != null) {
            return Optional.of(first);
        }
        String legacy = strip(result.path("ip4").path("ip").asString(""));
        return legacy.isEmpty() ? Optional.empty() : Optional.of(legacy);
    }

    /** libcni's {@code version.GreaterThanOrEqualTo(v, "0.4.0")}; an empty version is 0.1.0 (the spec's default). */
    static boolean atLeast040(String version) {
        String[] p = (version == null || version.isBlank() ? "0.1.0" : version).split("\\.");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return major > 0 || minor >= 4;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String strip(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    // ---- result cache (libcni's /var/lib/cni/results/<network>-<containerId>-<ifName>) --------------------------

    private record Cached(NetworkConfigList network, JsonNode result) {
    }

    private Path cacheFile(String network, String containerId, String ifName) {
        return cacheDir.resolve(network + "-" + containerId + "-" + ifName);
    }

    private void writeCache(NetworkConfigList network, CniPlugin.Invocation inv, JsonNode result) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("kind", "cniCacheV1");
        o.put("containerId", inv.containerId());
        o.put("ifName", inv.ifName());
        o.put("networkName", network.name());
        o.put("netns", inv.netns());
        o.set("config", network.toJson());
        o.set("result", result);
        try {
            Files.createDirectories(cacheDir);
            Path file = cacheFile(network.name(), inv.containerId(), inv.ifName());
            Path tmp = Files.createTempFile(cacheDir, ".tmp-", "");
            Files.write(tmp, Json.writeBytes(o));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CniException("failed to set network \"" + network.name() + "\" cached result: " + e.getMessage(), e);
        }
    }

    private Optional<Cached> readCache(String containerId, String ifName) {
        if (!Files.isDirectory(cacheDir)) {
            return Optional.empty();
        }
        String suffix = "-" + containerId + "-" + ifName;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir, "*" + suffix)) {
            for (Path f : ds) {
                try {
                    JsonNode o = Json.tree(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
                    NetworkConfigList network = NetworkConfigList.parse((ObjectNode) o.path("config"), f.toString(), true);
                    if (f.getFileName().toString().equals(network.name() + suffix)) {
                        return Optional.of(new Cached(network, o.path("result")));
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("ignoring unreadable CNI result cache {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            log.warn("cannot read CNI result cache {}: {}", cacheDir, e.getMessage());
        }
        return Optional.empty();
    }

    private void deleteCache(String network, String containerId, String ifName) {
        try {
            Files.deleteIfExists(cacheFile(network, containerId, ifName));
        } catch (IOException e) {
            log.warn("cannot delete CNI result cache of {}: {}", containerId, e.getMessage());
        }
    }

}
