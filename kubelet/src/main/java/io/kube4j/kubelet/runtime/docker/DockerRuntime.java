package io.kube4j.kubelet.runtime.docker;

import io.kube4j.json.Json;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.ImagePullException;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.RuntimeVersion;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.network.CniException;
import io.kube4j.kubelet.network.CniNetwork;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Docker runtime: a pod sandbox is a small container (the sandbox image running a sleep loop) on
 * the configured Docker network, and the pod's containers join its network namespace
 * ({@code NetworkMode: container:<sandbox>}), so they share the pod IP and localhost. Every sandbox,
 * container and emptyDir volume is labelled with the node, pod uid, namespace, pod name, container
 * name and attempt, which is all a restarted kubelet needs to adopt them, and all housekeeping needs
 * to clean up.
 *
 * <p>With a {@link CniNetwork} ({@code kube4j.kubelet.network-plugin=cni}) the sandbox is created with
 * {@code NetworkMode: none} and attached by CNI on {@code /proc/<sandbox pid>/ns/net}, as dockershim's CNI network
 * plugin did: the pod IP is the one CNI returned, and the network is deleted (CNI DEL) before the sandbox stops and
 * again, if that failed, when it is removed.
 */
public final class DockerRuntime implements ContainerRuntime {
    public static final String LABEL_NODE = "io.kube4j.node";
    public static final String LABEL_TYPE = "io.kube4j.type";
    public static final String LABEL_ATTEMPT = "io.kube4j.attempt";
    public static final String LABEL_POD_UID = "io.kubernetes.pod.uid";
    public static final String LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String LABEL_POD_NAME = "io.kubernetes.pod.name";
    public static final String LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
    private static final String TYPE_SANDBOX = "podsandbox";
    private static final String TYPE_CONTAINER = "container";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);
    // the "pause" process: sleeps until told to stop, and stops at once when told
    private static final List<String> SANDBOX_COMMAND = List.of("sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done");

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DockerRuntime.class);
    private final DockerClient docker;
    // set once entering a pod's network namespace has failed: port-forward then dials pod IPs
    private volatile boolean namespaceDialFailed;
    private final String nodeName;
    private final String network;
    private final String sandboxImage;

    /** Cluster DNS and the route to the service range given to every pod; empty fields leave Docker's defaults. */
    private final KubeletProperties.PodNetwork podNetwork;

    /** The pod network through CNI; null: Docker's own network {@code network}. */
    private final CniNetwork cni;

    public DockerRuntime(DockerClient docker, String nodeName, String network, String sandboxImage) {
        this(docker, nodeName, network, sandboxImage, new KubeletProperties.PodNetwork("", "cluster.local", "", ""));
    }

    public DockerRuntime(DockerClient docker, String nodeName, String network, String sandboxImage, KubeletProperties.PodNetwork podNetwork) {
        this(docker, nodeName, network, sandboxImage, podNetwork, null);
    }

    /**
     * @param cni the pod network through CNI plugins, or null for Docker's network {@code network} (then used as
     *            every sandbox's {@code NetworkMode})
     */
    public DockerRuntime(DockerClient docker, String nodeName, String network, String sandboxImage, KubeletProperties.PodNetwork podNetwork,
                         CniNetwork cni) {
        this.cni = cni;
        this.docker = docker;
        this.nodeName = nodeName;
        this.network = network == null || network.isBlank() ? "bridge" : network;
        this.sandboxImage = sandboxImage;
        this.podNetwork = podNetwork;
    }

    @Override
    public RuntimeVersion version() {
        return new RuntimeVersion("docker", call("GET", "/version", null, CALL_TIMEOUT).path("Version").asString());
    }

    // ---- sandboxes ---------------------------------------------------------------------------

    @Override
    public String runPodSandbox(SandboxConfig config) {
        if (!imagePresent(sandboxImage)) {
            pullImage(sandboxImage);
        }
        ObjectNode body = sandboxBody(config);
        boolean serviceRoute = !podNetwork.serviceCidr().isBlank() && !podNetwork.serviceGateway().isBlank();
        String name = name("POD", config.pod(), config.attempt());
        String id = create(name, body);
        try {
            call("POST", "/containers/" + id + "/start", null, CALL_TIMEOUT);
        } catch (DockerClient.DockerException e) {
            // the sandbox's id is known: remove the container that did not start rather than leave it behind
            try {
                removeContainer(id);
            } catch (ContainerRuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new ContainerRuntimeException("cannot start sandbox of " + config.pod() + ": " + e.getMessage(), e);
        }
        if (cni != null) {
            setUpPodNetwork(id, config.pod());
        }
        if (serviceRoute) {
            // the Service range goes to the kube-proxy that listens on ClusterIPs (the portable stand-in for iptables DNAT)
            ExecResult r = exec(id, List.of("ip", "route", "add", podNetwork.serviceCidr(), "via", podNetwork.serviceGateway()), Duration.ofSeconds(10));
            if (r.exitCode() != 0 && !r.output().contains("exists")) {
                if (cni != null) {
                    tearDownPodNetwork(id);
                }
                removeContainer(id);
                throw new ContainerRuntimeException("cannot route " + podNetwork.serviceCidr() + " via " + podNetwork.serviceGateway()
                        + " in the sandbox of " + config.pod() + ": " + r.output().strip(), null);
            }
        }
        return id;
    }

    /**
     * CNI ADD on the started sandbox's network namespace. A failure removes the sandbox and reads as containerd's
     * {@code failed to setup network for sandbox "<id>": <plugin error>} (the kubelet's FailedCreatePodSandBox event
     * carries it).
     */
    private void setUpPodNetwork(String id, PodRef pod) {
        try {
            long pid = call("GET", "/containers/" + id + "/json", null, CALL_TIMEOUT).path("State").path("Pid").asLong(0);
            if (pid <= 0) {
                throw new CniException("sandbox " + id + " has no running process to attach", CniException.NOT_A_PLUGIN_ERROR, "no process", "");
            }
            cni.add(id, netns(pid), CniNetwork.kubernetesArgs(pod.namespace(), pod.name(), pod.uid(), id));
        } catch (CniException | ContainerRuntimeException e) {
            removeContainer(id);
            throw new ContainerRuntimeException("failed to setup network for sandbox \"" + id + "\": " + e.getMessage(), e);
        }
    }

    /** {@code /proc/<pid>/ns/net}: the network namespace of a sandbox's process, as dockershim gave CNI. */
    static String netns(long pid) {
        return "/proc/" + pid + "/ns/net";
    }

    /**
     * CNI DEL of a sandbox; its namespace when its process still runs, else none (the plugins then release what
     * they hold outside it, as the spec requires them to).
     *
     * @throws ContainerRuntimeException containerd's {@code failed to destroy network for sandbox "<id>": <plugin error>}
     */
    private void tearDownPodNetwork(String id) {
        String netns = "";
        PodRef pod = null;
        try {
            JsonNode c = call("GET", "/containers/" + id + "/json", null, CALL_TIMEOUT);
            long pid = c.path("State").path("Pid").asLong(0);
            netns = pid > 0 ? netns(pid) : "";
            pod = pod(c.path("Config").path("Labels"));
        } catch (ContainerRuntimeException e) {
            // the container is gone: DEL without a namespace still releases its address
        }
        try {
            cni.del(id, netns, pod == null ? CniNetwork.kubernetesArgs("", "", "", id)
                    : CniNetwork.kubernetesArgs(pod.namespace(), pod.name(), pod.uid(), id));
        } catch (CniException e) {
            throw new ContainerRuntimeException("failed to destroy network for sandbox \"" + id + "\": " + e.getMessage(), e);
        }
    }

    /** The {@code POST /containers/create} body of a sandbox. */
    ObjectNode sandboxBody(SandboxConfig config) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("Image", sandboxImage);
        strings(body.putArray("Cmd"), SANDBOX_COMMAND);
        body.put("Hostname", config.hostname());
        labels(body.putObject("Labels"), config.pod(), TYPE_SANDBOX, "POD", config.attempt());
        ObjectNode host = body.putObject("HostConfig");
        // with CNI the sandbox starts with only lo (down): the plugins make the rest
        host.put("NetworkMode", cni != null ? "none" : network);
        // the pod's containers join the sandbox's IPC namespace too, which docker only allows when asked
        host.put("IpcMode", "shareable");
        host.put("Init", false);
        if (!podNetwork.clusterDns().isBlank()) {
            // containers sharing the sandbox's network namespace share its resolv.conf: Kubernetes' ClusterFirst
            String domain = podNetwork.clusterDomain();
            strings(host.putArray("Dns"), List.of(podNetwork.clusterDns()));
            strings(host.putArray("DnsSearch"), List.of(config.pod().namespace() + ".svc." + domain, "svc." + domain, domain));
            strings(host.putArray("DnsOptions"), List.of("ndots:5"));
        }
        boolean serviceRoute = !podNetwork.serviceCidr().isBlank() && !podNetwork.serviceGateway().isBlank();
        if (serviceRoute) {
            // only the sandbox (a sleep loop) gets NET_ADMIN, to add one route; the pod's own containers do not
            strings(host.putArray("CapAdd"), List.of("NET_ADMIN"));
        }
        return body;
    }

    @Override
    public void stopPodSandbox(String sandboxId) {
        if (cni == null) {
            stopContainer(sandboxId, Duration.ZERO);
            return;
        }
        // DEL while the namespace still exists (dockershim's StopPodSandbox); the sandbox stops even when DEL fails,
        // and removal tries DEL again
        ContainerRuntimeException failed = null;
        try {
            tearDownPodNetwork(sandboxId);
        } catch (ContainerRuntimeException e) {
            failed = e;
        }
        stopContainer(sandboxId, Duration.ZERO);
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void removePodSandbox(String sandboxId) {
        String uid = null;
        try {
            uid = call("GET", "/containers/" + sandboxId + "/json", null, CALL_TIMEOUT).path("Config").path("Labels").path(LABEL_POD_UID).asString(null);
        } catch (ContainerRuntimeException e) {
            // already gone: its volumes may still be there, but we no longer know whose
        }
        if (cni != null && cni.attached(sandboxId)) {
            // stop's DEL failed or never ran: the address must not leak (CNI DEL is idempotent)
            tearDownPodNetwork(sandboxId);
        }
        removeContainer(sandboxId);
        if (uid != null) {
            removeVolumes(uid);
        }
    }

    private void removeVolumes(String podUid) {
        JsonNode volumes = call("GET", "/volumes?filters=" + filters(LABEL_NODE + "=" + nodeName, LABEL_POD_UID + "=" + podUid), null, CALL_TIMEOUT);
        for (JsonNode v : volumes.path("Volumes")) {
            try {
                call("DELETE", "/volumes/" + v.path("Name").asString(), null, CALL_TIMEOUT);
            } catch (ContainerRuntimeException e) {
                // still in use by a container being removed: housekeeping gets it next time
            }
        }
    }

    @Override
    public List<Sandbox> listPodSandboxes() {
        return sandboxes(filters(LABEL_NODE + "=" + nodeName, LABEL_TYPE + "=" + TYPE_SANDBOX));
    }

    @Override
    public List<Sandbox> listPodSandboxes(String podUid) {
        return sandboxes(filters(LABEL_NODE + "=" + nodeName, LABEL_TYPE + "=" + TYPE_SANDBOX, LABEL_POD_UID + "=" + podUid));
    }

    private List<Sandbox> sandboxes(String filters) {
        List<Sandbox> out = new ArrayList<>();
        for (JsonNode c : call("GET", "/containers/json?all=1&filters=" + filters, null, CALL_TIMEOUT)) {
            JsonNode labels = c.path("Labels");
            boolean ready = "running".equals(c.path("State").asString());
            String id = c.path("Id").asString();
            String ip = cni != null ? (ready ? cni.podIp(id).orElse("") : "")
                    : c.path("NetworkSettings").path("Networks").path(network).path("IPAddress").asString("");
            out.add(new Sandbox(c.path("Id").asString(), pod(labels), labels.path(LABEL_ATTEMPT).asInt(0), ready,
                    ready && !ip.isEmpty() ? ip : null, Instant.ofEpochSecond(c.path("Created").asLong())));
        }
        return out;
    }

    /**
     * Port-forward as Kubernetes' runtimes do it: a connection to {@code localhost:port} inside the pod's network
     * namespace (the sandbox's), so servers bound to 127.0.0.1 in the pod are reachable too. When the kubelet cannot
     * enter the namespace (not on the host, no privilege), the pod IP is dialled instead and says so in the log once.
     */
    @Override
    public java.net.Socket portForward(String podUid, int port) throws IOException {
        Sandbox sandbox = listPodSandboxes(podUid).stream().filter(Sandbox::ready).findFirst()
                .orElseThrow(() -> new ContainerRuntimeException("pod sandbox of pod " + podUid + " is not ready"));
        long pid = call("GET", "/containers/" + sandbox.id() + "/json", null, CALL_TIMEOUT).path("State").path("Pid").asLong(0);
        if (pid > 0 && !namespaceDialFailed) {
            try {
                return NetworkNamespaceDialer.dial(pid, port, 5000).socket();
            } catch (java.net.ConnectException e) {
                throw e;
            } catch (IOException | RuntimeException | LinkageError e) {
                namespaceDialFailed = true;
                log.warn("port-forward cannot enter pod network namespaces ({}): dialling pod IPs instead, so servers bound to "
                        + "127.0.0.1 in pods are not reachable (a kubelet in a container needs the host's pid namespace and "
                        + "CAP_SYS_ADMIN, as docker-compose.yml gives it)", e.getMessage());
            }
        }
        return ContainerRuntime.super.portForward(podUid, port);
    }

    // ---- images ------------------------------------------------------------------------------

    @Override
    public boolean imagePresent(String image) {
        try {
            call("GET", "/images/" + image + "/json", null, CALL_TIMEOUT);
            return true;
        } catch (ContainerRuntimeException e) {
            if (e.getCause() instanceof DockerClient.DockerException d && d.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void pullImage(String image) {
        String repo = image;
        String tag = "latest";
        int at = image.indexOf('@');
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (at >= 0) {
            repo = image.substring(0, at);
            tag = image.substring(at + 1);
        } else if (colon > slash) {
            repo = image.substring(0, colon);
            tag = image.substring(colon + 1);
        }
        String query = "/images/create?fromImage=" + enc(repo) + "&tag=" + enc(tag);
        try (DockerClient.Response r = docker.request("POST", query, null, PULL_TIMEOUT)) {
            byte[] body = r.readAll();
            if (r.status() >= 400) {
                throw new ImagePullException(DockerClient.message(body));
            }
            // progress is one JSON object per line; a failure is a line with "error"
            for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.tree(line);
                } catch (RuntimeException e) {
                    continue;
                }
                if (n.has("error")) {
                    throw new ImagePullException(n.path("error").asString());
                }
            }
        } catch (IOException e) {
            throw new ImagePullException("cannot pull " + image + ": " + e.getMessage());
        }
        if (!imagePresent(image)) {
            throw new ImagePullException("image " + image + " not present after pull");
        }
    }

    // ---- containers --------------------------------------------------------------------------

    /**
     * The image's config {@code User} ("" when it has none: root), from {@code GET /images/{name}/json} as cri-dockerd's
     * ImageStatus reads it; null when the image is absent.
     */
    @Override
    public String imageUser(String image) {
        try {
            return call("GET", "/images/" + image + "/json", null, CALL_TIMEOUT).path("Config").path("User").asString("");
        } catch (ContainerRuntimeException e) {
            if (e.getCause() instanceof DockerClient.DockerException d && d.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerConfig config) {
        return create(name(config.name(), config.pod(), config.attempt()), createBody(sandbox, config));
    }

    /** The {@code POST /containers/create} body of {@code config}'s container in {@code sandbox}. */
    ObjectNode createBody(Sandbox sandbox, ContainerConfig config) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("Image", config.image());
        if (!config.command().isEmpty()) {
            strings(body.putArray("Entrypoint"), config.command());
            // with an entrypoint given, the image's cmd no longer applies (as in Kubernetes)
            strings(body.putArray("Cmd"), config.args());
        } else if (!config.args().isEmpty()) {
            strings(body.putArray("Cmd"), config.args());
        }
        ArrayNode env = body.putArray("Env");
        for (Map.Entry<String, String> e : config.env().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        if (config.workingDir() != null && !config.workingDir().isBlank()) {
            body.put("WorkingDir", config.workingDir());
        }
        labels(body.putObject("Labels"), config.pod(), TYPE_CONTAINER, config.name(), config.attempt());
        // interactive containers, as cri-dockerd's CreateContainer: an open stdin an attach writes to, closed
        // for good after the first attach with stdinOnce; a terminal with tty (Attach* are the docker CLI's own)
        body.put("OpenStdin", config.stdin());
        body.put("StdinOnce", config.stdinOnce());
        body.put("Tty", config.tty());
        ObjectNode host = body.putObject("HostConfig");
        host.put("NetworkMode", "container:" + sandbox.id());
        host.put("IpcMode", "container:" + sandbox.id());
        if (config.targetContainerId() != null) {
            // an ephemeral container with targetContainerName sees the target's processes (the CRI's NamespaceMode TARGET)
            host.put("PidMode", "container:" + config.targetContainerId());
        }
        if (config.memoryBytes() != null && config.memoryBytes() > 0) {
            host.put("Memory", config.memoryBytes());
        }
        if (config.cpuMillis() != null && config.cpuMillis() > 0) {
            host.put("NanoCpus", config.cpuMillis() * 1_000_000L);
        }
        ArrayNode binds = host.putArray("Binds");
        ArrayNode mounts = host.putArray("Mounts");
        for (Mount m : config.mounts()) {
            if (m.isEmptyDir()) {
                ObjectNode mount = mounts.addObject();
                mount.put("Type", "volume");
                mount.put("Source", volumeName(config.pod(), m.volumeName()));
                mount.put("Target", m.containerPath());
                mount.put("ReadOnly", m.readOnly());
                ObjectNode labels = mount.putObject("VolumeOptions").putObject("Labels");
                labels.put(LABEL_NODE, nodeName);
                labels.put(LABEL_POD_UID, config.pod().uid());
            } else {
                binds.add(m.hostPath() + ":" + m.containerPath() + (m.readOnly() ? ":ro" : ""));
            }
        }
        security(body, host, config);
        return body;
    }

    /**
     * The container's security context, as cri-dockerd's {@code modifyContainerConfig} and {@code modifyHostConfig}
     * ({@code core/security_context.go}) and {@code getSeccompSecurityOpts} apply the CRI's LinuxContainerSecurityContext.
     */
    private static void security(ObjectNode body, ObjectNode host, ContainerConfig config) {
        LinuxContainerSecurity sc = config.security() == null ? LinuxContainerSecurity.NONE : config.security();
        String user = sc.runAsUser() != null ? Long.toString(sc.runAsUser()) : sc.runAsUsername() != null ? sc.runAsUsername() : "";
        if (sc.runAsGroup() != null) {
            if (user.isEmpty()) {
                throw new ContainerRuntimeException("runAsGroup is specified without a runAsUser", null);
            }
            user = user + ":" + sc.runAsGroup();
        }
        if (!user.isEmpty()) {
            body.put("User", user);
        }
        if (!sc.supplementalGroups().isEmpty()) {
            ArrayNode groups = host.putArray("GroupAdd");
            sc.supplementalGroups().forEach(g -> groups.add(Long.toString(g)));
        }
        // Docker takes capability names with or without the CAP_ prefix, and "ALL"
        if (!sc.addCapabilities().isEmpty()) {
            strings(host.putArray("CapAdd"), sc.addCapabilities());
        }
        if (!sc.dropCapabilities().isEmpty()) {
            strings(host.putArray("CapDrop"), sc.dropCapabilities());
        }
        host.put("Privileged", sc.privileged());
        host.put("ReadonlyRootfs", sc.readonlyRootfs());
        List<String> securityOpt = new ArrayList<>();
        String seccomp = sc.seccompProfile();
        if (seccomp == null || seccomp.isEmpty() || LinuxContainerSecurity.SECCOMP_UNCONFINED.equals(seccomp)) {
            securityOpt.add("seccomp=unconfined");
        } else if (seccomp.startsWith(LinuxContainerSecurity.SECCOMP_LOCALHOST_PREFIX)) {
            // cri-dockerd reads the profile file from the kubelet's seccomp directory; kube4j has none configured
            log.warn("container {} of pod {}: seccompProfile Localhost ({}) is not supported by kube4j's docker runtime; "
                    + "it runs with Docker's default seccomp profile", config.name(), config.pod(), seccomp);
        }
        // runtime/default: Docker's default profile applies without an option
        if (sc.noNewPrivs()) {
            securityOpt.add("no-new-privileges");
        }
        if (!securityOpt.isEmpty()) {
            strings(host.putArray("SecurityOpt"), securityOpt);
        }
    }

    /** Creates a container by name; when it exists already (a retry after a lost answer) adopts it. */
    private String create(String name, ObjectNode body) {
        try {
            return call("POST", "/containers/create?name=" + enc(name), body, CALL_TIMEOUT).path("Id").asString();
        } catch (ContainerRuntimeException e) {
            if (e.getCause() instanceof DockerClient.DockerException d && d.status() == 409) {
                return call("GET", "/containers/" + name + "/json", null, CALL_TIMEOUT).path("Id").asString();
            }
            throw e;
        }
    }

    @Override
    public void startContainer(String containerId) {
        try {
            call("POST", "/containers/" + containerId + "/start", null, CALL_TIMEOUT);
        } catch (ContainerRuntimeException e) {
            throw new ContainerRuntimeException("failed to start container: " + e.getMessage(), e.getCause());
        }
    }

    @Override
    public void stopContainer(String containerId, Duration timeout) {
        long seconds = Math.max(0, timeout.toSeconds());
        try {
            // docker sends the stop signal, waits t seconds, then SIGKILL: exactly the grace period
            call("POST", "/containers/" + containerId + "/stop?t=" + seconds, null, CALL_TIMEOUT.plusSeconds(seconds));
        } catch (ContainerRuntimeException e) {
            if (!(e.getCause() instanceof DockerClient.DockerException d) || (d.status() != 404 && d.status() != 304)) {
                throw e;
            }
        }
    }

    @Override
    public void removeContainer(String containerId) {
        try {
            call("DELETE", "/containers/" + containerId + "?force=1&v=1", null, CALL_TIMEOUT);
        } catch (ContainerRuntimeException e) {
            // 404: gone already; 409: removal already in progress
            if (!(e.getCause() instanceof DockerClient.DockerException d) || (d.status() != 404 && d.status() != 409)) {
                throw e;
            }
        }
    }

    @Override
    public List<ContainerInfo> listContainers() {
        return containers(filters(LABEL_NODE + "=" + nodeName, LABEL_TYPE + "=" + TYPE_CONTAINER));
    }

    @Override
    public List<ContainerInfo> listContainers(String podUid) {
        return containers(filters(LABEL_NODE + "=" + nodeName, LABEL_TYPE + "=" + TYPE_CONTAINER, LABEL_POD_UID + "=" + podUid));
    }

    private List<ContainerInfo> containers(String filters) {
        List<ContainerInfo> out = new ArrayList<>();
        for (JsonNode c : call("GET", "/containers/json?all=1&filters=" + filters, null, CALL_TIMEOUT)) {
            // the list lacks exit codes and times: inspect each (a pod has few containers)
            ContainerInfo info = containerStatus(c.path("Id").asString());
            if (info != null) {
                out.add(info);
            }
        }
        return out;
    }

    @Override
    public ContainerInfo containerStatus(String containerId) {
        JsonNode c;
        try {
            c = call("GET", "/containers/" + containerId + "/json", null, CALL_TIMEOUT);
        } catch (ContainerRuntimeException e) {
            if (e.getCause() instanceof DockerClient.DockerException d && d.status() == 404) {
                return null;
            }
            throw e;
        }
        JsonNode state = c.path("State");
        JsonNode labels = c.path("Config").path("Labels");
        String status = state.path("Status").asString("");
        String error = state.path("Error").asString("");
        ContainerInfo.State s = switch (status) {
            case "running", "paused", "restarting" -> ContainerInfo.State.RUNNING;
            case "exited", "dead" -> ContainerInfo.State.EXITED;
            // a container whose start failed stays "created" with an error: for us it has exited
            case "created" -> error.isEmpty() ? ContainerInfo.State.CREATED : ContainerInfo.State.EXITED;
            default -> ContainerInfo.State.UNKNOWN;
        };
        int exitCode = state.path("ExitCode").asInt(0);
        if (s == ContainerInfo.State.EXITED && "created".equals(status) && exitCode == 0) {
            exitCode = 128;
        }
        String reason = state.path("OOMKilled").asBoolean(false) ? "OOMKilled" : null;
        Instant startedAt = time(state.path("StartedAt").asString(null));
        Instant finishedAt = time(state.path("FinishedAt").asString(null));
        if (reason == null && s == ContainerInfo.State.EXITED && exitCode == 137 && c.path("HostConfig").path("Memory").asLong(0) > 0
                && oomEventLogged(c.path("Id").asString(), startedAt, finishedAt)) {
            reason = "OOMKilled";
        }
        if (s == ContainerInfo.State.EXITED && finishedAt == null) {
            finishedAt = time(c.path("Created").asString(null));
        }
        return new ContainerInfo(c.path("Id").asString(), pod(labels), labels.path(LABEL_CONTAINER_NAME).asString(),
                labels.path(LABEL_ATTEMPT).asInt(0), c.path("Config").path("Image").asString(), c.path("Image").asString(),
                s, time(c.path("Created").asString(null)), startedAt, finishedAt, exitCode, reason, error.isEmpty() ? null : error);
    }

    /** The kernel's OOM kills (cadvisor's OOM watcher): the first source for a flag Docker lost. */
    private final KernelOomWatcher kernelOoms = KernelOomWatcher.start(java.nio.file.Path.of("/dev/kmsg"));

    /** Containers whose "oom" event was looked for and the answer is final (bounded: cleared past 1000). */
    private final Map<String, Boolean> oomEvents = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether Docker logged an {@code oom} event for a container that was SIGKILLed under a memory limit.
     * Docker 20.10 sets {@code State.OOMKilled} only when containerd's OOM event reaches it before the exit
     * event, and keeps it false for good when the exit comes first, yet it still logs the container's
     * {@code oom} event; Docker keeps recent events, so the kubelet asks for it (Kubernetes' kubelet learns
     * the same from cadvisor's OOM watcher). A negative answer is final once the container has been gone a
     * few seconds (the event follows the exit by milliseconds); until then it is asked again at the next relist.
     * The kernel's own log ({@link KernelOomWatcher}) is asked first: it also knows kills containerd never saw.
     */
    private boolean oomEventLogged(String id, Instant startedAt, Instant finishedAt) {
        Boolean known = oomEvents.get(id);
        if (known != null) {
            return known;
        }
        long since = startedAt == null ? 0 : startedAt.getEpochSecond() - 1;
        String filters = URLEncoder.encode("{\"container\":[\"" + id + "\"],\"event\":[\"oom\"]}", StandardCharsets.UTF_8);
        boolean found;
        Instant now;
        // the OOM event can trail the exit by a moment when Docker is busy: wait for it up to 2 s after the
        // exit (only containers SIGKILLed under a memory limit without the flag ever wait here)
        while (true) {
            now = Instant.now();
            String until = now.getEpochSecond() + "." + String.format("%09d", now.getNano());
            found = kernelOoms.oomKilled(id);
            if (!found) {
                try (DockerClient.Response r = docker.request("GET", "/events?since=" + since + "&until=" + until + "&filters=" + filters, null, Duration.ofSeconds(5))) {
                    found = r.status() == 200 && new String(r.readAll(), StandardCharsets.UTF_8).contains("\"oom\"");
                } catch (IOException e) {
                    return false;
                }
            }
            if (found || finishedAt == null || Duration.between(finishedAt, now).toMillis() >= 2000) {
                break;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (found || finishedAt == null || Duration.between(finishedAt, now).toSeconds() >= 5) {
            if (oomEvents.size() > 1000) {
                oomEvents.clear();
            }
            oomEvents.put(id, found);
        }
        return found;
    }

    @Override
    public void logs(String containerId, LogOptions options, OutputStream out) throws IOException {
        String query = "/containers/" + containerId + "/logs?stdout=1&stderr=1"
                + "&follow=" + (options.follow() ? 1 : 0)
                + "&timestamps=" + (options.timestamps() ? 1 : 0)
                + "&tail=" + (options.tailLines() == null ? "all" : options.tailLines())
                + (options.since() == null ? "" : "&since=" + options.since().getEpochSecond() + "." + String.format("%09d", options.since().getNano()));
        try (DockerClient.Response r = docker.request("GET", query, null, options.follow() ? null : CALL_TIMEOUT)) {
            if (r.status() >= 400) {
                throw new ContainerRuntimeException("logs of " + containerId + ": " + DockerClient.message(r.readAll()));
            }
            MultiplexedStream.copy(r.body(), out);
        }
    }

    /**
     * The Engine's exec: {@code POST /containers/{id}/exec} then {@code POST /exec/{id}/start}, whose
     * connection the daemon hijacks (stdin up, the multiplexed or, under a TTY, raw output down); resize
     * is {@code POST /exec/{id}/resize}, the exit code {@code GET /exec/{id}/json} once the output ends.
     */
    @Override
    public io.kube4j.kubelet.runtime.StreamingProcess execStreaming(String containerId, List<String> command, boolean tty) {
        ObjectNode create = Json.mapper().createObjectNode();
        create.put("AttachStdin", true);
        create.put("AttachStdout", true);
        create.put("AttachStderr", true);
        create.put("Tty", tty);
        strings(create.putArray("Cmd"), command);
        String execId = call("POST", "/containers/" + containerId + "/exec", create, CALL_TIMEOUT).path("Id").asString();
        ObjectNode start = Json.mapper().createObjectNode();
        start.put("Detach", false);
        start.put("Tty", tty);
        try {
            DockerClient.Response r = docker.request("POST", "/exec/" + execId + "/start", start, null);
            if (r.status() >= 400) {
                String message = DockerClient.message(r.readAll());
                r.close();
                throw new ContainerRuntimeException("exec in " + containerId + ": " + message);
            }
            return new DockerStreams(r, tty, (w, h) -> call("POST", "/exec/" + execId + "/resize?h=" + h + "&w=" + w, null, CALL_TIMEOUT),
                    () -> call("GET", "/exec/" + execId + "/json", null, CALL_TIMEOUT).path("ExitCode").asInt(-1));
        } catch (IOException e) {
            throw new ContainerRuntimeException("exec in " + containerId + ": " + e.getMessage(), e);
        }
    }

    /** The Engine's attach ({@code POST /containers/{id}/attach?stream=1}): output from now on, and stdin when the container keeps it open. */
    @Override
    public io.kube4j.kubelet.runtime.StreamingProcess attach(String containerId, boolean stdin, boolean tty) {
        try {
            // without stdin=1 the Engine leaves the container's stdin alone (StdinOnce closes it only after an attached stdin ends)
            DockerClient.Response r = docker.request("POST", "/containers/" + containerId + "/attach?stream=1&stdin=" + (stdin ? 1 : 0) + "&stdout=1&stderr=1", null, null);
            if (r.status() >= 400) {
                String message = DockerClient.message(r.readAll());
                r.close();
                throw new ContainerRuntimeException("attach to " + containerId + ": " + message);
            }
            boolean rawTty = call("GET", "/containers/" + containerId + "/json", null, CALL_TIMEOUT).path("Config").path("Tty").asBoolean(false);
            return new DockerStreams(r, rawTty, (w, h) -> call("POST", "/containers/" + containerId + "/resize?h=" + h + "&w=" + w, null, CALL_TIMEOUT),
                    () -> call("GET", "/containers/" + containerId + "/json", null, CALL_TIMEOUT).path("State").path("ExitCode").asInt(0));
        } catch (IOException e) {
            throw new ContainerRuntimeException("attach to " + containerId + ": " + e.getMessage(), e);
        }
    }

    /** A hijacked exec or attach connection as a {@link io.kube4j.kubelet.runtime.StreamingProcess}. */
    private static final class DockerStreams implements io.kube4j.kubelet.runtime.StreamingProcess {
        private final DockerClient.Response response;
        private final boolean tty;
        private final java.util.function.BiConsumer<Integer, Integer> resize;
        private final java.util.function.IntSupplier exitCode;
        private final java.io.PipedInputStream stdout = new java.io.PipedInputStream(64 * 1024);
        private final java.io.PipedInputStream stderr = new java.io.PipedInputStream(64 * 1024);
        private final Thread demux;

        DockerStreams(DockerClient.Response response, boolean tty, java.util.function.BiConsumer<Integer, Integer> resize, java.util.function.IntSupplier exitCode) throws IOException {
            this.response = response;
            this.tty = tty;
            this.resize = resize;
            this.exitCode = exitCode;
            java.io.PipedOutputStream out = new java.io.PipedOutputStream(stdout);
            java.io.PipedOutputStream err = new java.io.PipedOutputStream(stderr);
            this.demux = Thread.ofVirtual().name("docker-stream").start(() -> {
                try (out; err; InputStream in = response.body()) {
                    if (tty) {
                        in.transferTo(out);
                    } else {
                        MultiplexedStream.demux(in, out, err);
                    }
                } catch (IOException e) {
                    // the connection closed
                }
            });
        }

        @Override
        public OutputStream stdin() {
            return response.hijackedStdin();
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return tty ? null : stderr;
        }

        @Override
        public void resize(int width, int height) {
            try {
                resize.accept(width, height);
            } catch (RuntimeException e) {
                // the process ended meanwhile: nothing to resize
            }
        }

        @Override
        public int waitFor() throws InterruptedException {
            demux.join();
            return exitCode.getAsInt();
        }

        @Override
        public void close() {
            response.close();
        }
    }

    private static String timedOut(List<String> command) {
        return "command \"" + String.join(" ", command) + "\" timed out";
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout) {
        ObjectNode create = Json.mapper().createObjectNode();
        create.put("AttachStdout", true);
        create.put("AttachStderr", true);
        strings(create.putArray("Cmd"), command);
        String execId = call("POST", "/containers/" + containerId + "/exec", create, CALL_TIMEOUT).path("Id").asString();
        ObjectNode start = Json.mapper().createObjectNode();
        start.put("Detach", false);
        start.put("Tty", false);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (DockerClient.Response r = docker.request("POST", "/exec/" + execId + "/start", start, timeout)) {
            if (r.status() >= 400) {
                return new ExecResult(126, DockerClient.message(r.readAll()));
            }
            try (InputStream in = r.body()) {
                MultiplexedStream.copy(in, output);
            }
        } catch (IOException e) {
            // remote_runtime.go ExecSync: a deadline is `command "sleep 5" timed out`, which the exec prober reports
            boolean timedOut = e instanceof java.net.SocketTimeoutException || e instanceof java.net.http.HttpTimeoutException
                    || e.getMessage() == null;
            return new ExecResult(-1, timedOut ? timedOut(command) : "command failed: " + e.getMessage());
        }
        JsonNode inspect = call("GET", "/exec/" + execId + "/json", null, CALL_TIMEOUT);
        if (inspect.path("Running").asBoolean(false)) {
            return new ExecResult(-1, timedOut(command));
        }
        return new ExecResult(inspect.path("ExitCode").asInt(-1), output.toString(StandardCharsets.UTF_8));
    }

    /**
     * One sample of the Engine's stats API ({@code GET /containers/{id}/stats?stream=false&one-shot=true}):
     * {@code cpu_stats.cpu_usage.total_usage} (nanoseconds) and the working set as cAdvisor computes it,
     * {@code memory_stats.usage} minus inactive file pages ({@code inactive_file} on cgroup v2,
     * {@code total_inactive_file} on v1), never below zero. Null when the container is gone or not running.
     */
    @Override
    public ContainerUsage containerUsage(String containerId) {
        JsonNode stats;
        try {
            stats = docker.call("GET", "/containers/" + containerId + "/stats?stream=false&one-shot=true", null, CALL_TIMEOUT);
        } catch (DockerClient.DockerException e) {
            if (e.status() == 404) {
                return null;
            }
            throw new ContainerRuntimeException(e.getMessage(), e);
        }
        JsonNode cpu = stats.path("cpu_stats").path("cpu_usage").path("total_usage");
        if (cpu.isMissingNode() || cpu.isNull()) {
            return null;
        }
        JsonNode memory = stats.path("memory_stats");
        long usage = memory.path("usage").asLong(0);
        JsonNode inner = memory.path("stats");
        long inactive = inner.has("inactive_file") ? inner.path("inactive_file").asLong(0) : inner.path("total_inactive_file").asLong(0);
        java.time.Instant read;
        try {
            read = java.time.Instant.parse(stats.path("read").asString());
            if (read.getEpochSecond() <= 0) {
                read = java.time.Instant.now();
            }
        } catch (RuntimeException e) {
            read = java.time.Instant.now();
        }
        return new ContainerUsage(read, cpu.asLong(), Math.max(0, usage - inactive));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private JsonNode call(String method, String path, Object body, Duration timeout) {
        try {
            return docker.call(method, path, body, timeout);
        } catch (DockerClient.DockerException e) {
            throw new ContainerRuntimeException(e.getMessage(), e);
        }
    }

    private void labels(ObjectNode labels, PodRef pod, String type, String containerName, int attempt) {
        labels.put(LABEL_NODE, nodeName);
        labels.put(LABEL_TYPE, type);
        labels.put(LABEL_POD_UID, pod.uid());
        labels.put(LABEL_POD_NAMESPACE, pod.namespace());
        labels.put(LABEL_POD_NAME, pod.name());
        labels.put(LABEL_CONTAINER_NAME, containerName);
        labels.put(LABEL_ATTEMPT, String.valueOf(attempt));
    }

    private static PodRef pod(JsonNode labels) {
        return new PodRef(labels.path(LABEL_POD_UID).asString(""), labels.path(LABEL_POD_NAMESPACE).asString(""), labels.path(LABEL_POD_NAME).asString(""));
    }

    /** {@code k4j_<container>_<pod>_<namespace>_<uid>_<attempt>}, like dockershim's names. */
    private static String name(String container, PodRef pod, int attempt) {
        return "k4j_" + container + "_" + pod.name() + "_" + pod.namespace() + "_" + pod.uid() + "_" + attempt;
    }

    private static String volumeName(PodRef pod, String volume) {
        return "k4j_" + pod.uid() + "_" + volume;
    }

    private static String filters(String... labels) {
        ObjectNode f = Json.mapper().createObjectNode();
        strings(f.putArray("label"), List.of(labels));
        return enc(Json.write(f));
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // docker writes "0001-01-01T00:00:00Z" for never
    private static Instant time(String value) {
        if (value == null || value.isEmpty() || value.startsWith("0001-")) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
