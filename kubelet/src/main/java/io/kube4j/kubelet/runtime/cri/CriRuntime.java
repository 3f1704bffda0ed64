package io.kube4j.kubelet.runtime.cri;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.ImagePullException;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import io.kube4j.kubelet.runtime.LogFile;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.RuntimeVersion;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.runtime.cri.v1.Capability;
import io.kube4j.kubelet.runtime.cri.v1.ContainerFilter;
import io.kube4j.kubelet.runtime.cri.v1.ContainerMetadata;
import io.kube4j.kubelet.runtime.cri.v1.ContainerState;
import io.kube4j.kubelet.runtime.cri.v1.ContainerStats;
import io.kube4j.kubelet.runtime.cri.v1.ContainerStatsRequest;
import io.kube4j.kubelet.runtime.cri.v1.ContainerStatus;
import io.kube4j.kubelet.runtime.cri.v1.ContainerStatusRequest;
import io.kube4j.kubelet.runtime.cri.v1.CreateContainerRequest;
import io.kube4j.kubelet.runtime.cri.v1.DNSConfig;
import io.kube4j.kubelet.runtime.cri.v1.ExecSyncRequest;
import io.kube4j.kubelet.runtime.cri.v1.ExecSyncResponse;
import io.kube4j.kubelet.runtime.cri.v1.Image;
import io.kube4j.kubelet.runtime.cri.v1.ImageServiceGrpc;
import io.kube4j.kubelet.runtime.cri.v1.ImageSpec;
import io.kube4j.kubelet.runtime.cri.v1.ImageStatusRequest;
import io.kube4j.kubelet.runtime.cri.v1.Int64Value;
import io.kube4j.kubelet.runtime.cri.v1.KeyValue;
import io.kube4j.kubelet.runtime.cri.v1.LinuxContainerConfig;
import io.kube4j.kubelet.runtime.cri.v1.LinuxContainerResources;
import io.kube4j.kubelet.runtime.cri.v1.LinuxContainerSecurityContext;
import io.kube4j.kubelet.runtime.cri.v1.LinuxPodSandboxConfig;
import io.kube4j.kubelet.runtime.cri.v1.LinuxSandboxSecurityContext;
import io.kube4j.kubelet.runtime.cri.v1.ListContainersRequest;
import io.kube4j.kubelet.runtime.cri.v1.ListPodSandboxRequest;
import io.kube4j.kubelet.runtime.cri.v1.NamespaceMode;
import io.kube4j.kubelet.runtime.cri.v1.NamespaceOption;
import io.kube4j.kubelet.runtime.cri.v1.PodSandbox;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxConfig;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxFilter;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxMetadata;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxState;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxStatus;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxStatusRequest;
import io.kube4j.kubelet.runtime.cri.v1.PullImageRequest;
import io.kube4j.kubelet.runtime.cri.v1.RemoveContainerRequest;
import io.kube4j.kubelet.runtime.cri.v1.RemovePodSandboxRequest;
import io.kube4j.kubelet.runtime.cri.v1.RunPodSandboxRequest;
import io.kube4j.kubelet.runtime.cri.v1.NetworkConfig;
import io.kube4j.kubelet.runtime.cri.v1.RuntimeConfig;
import io.kube4j.kubelet.runtime.cri.v1.UpdateRuntimeConfigRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.kube4j.kubelet.runtime.cri.v1.RuntimeServiceGrpc;
import io.kube4j.kubelet.runtime.cri.v1.SecurityProfile;
import io.kube4j.kubelet.runtime.cri.v1.StartContainerRequest;
import io.kube4j.kubelet.runtime.cri.v1.StopContainerRequest;
import io.kube4j.kubelet.runtime.cri.v1.StopPodSandboxRequest;
import io.kube4j.kubelet.runtime.cri.v1.VersionRequest;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The CRI runtime: the kubelet's {@link ContainerRuntime} spoken as CRI v1 gRPC ({@code runtime.v1.RuntimeService}
 * and {@code runtime.v1.ImageService}, k8s.io/cri-api) to a container runtime's unix socket, e.g. containerd's CRI
 * plugin, as Kubernetes' kubelet does through {@code pkg/kubelet/cri/remote} and {@code pkg/kubelet/kuberuntime}.
 *
 * <p>What the kubelet asks is mapped as kuberuntime maps it: a sandbox gets the pod's metadata, the labels
 * {@code io.kubernetes.pod.name}, {@code .namespace}, {@code .uid} ({@code kuberuntime/labels.go newPodLabels}), a log
 * directory {@code <log-root>/<namespace>_<name>_<uid>} ({@code BuildPodLogsDirectory}), the cluster DNS when
 * configured, and namespaces network/ipc POD, pid CONTAINER ({@code namespacesForPod}); a container gets its command,
 * args, env, working dir, mounts (an emptyDir is a directory {@code <pods-dir>/<uid>/volumes/kubernetes.io~empty-dir/<name>}
 * on the node, as the kubelet's emptyDir plugin makes it), its log path {@code <name>/<attempt>.log}
 * ({@code BuildContainerLogsDirectory}), labels {@code io.kubernetes.container.name} and the pod's, the annotation
 * {@code io.kubernetes.container.restartCount}, limits as {@link LinuxContainerResources} ({@code
 * kuberuntime_container_linux.go}: CPU quota over a 100 ms period, shares from the limit as requests default to
 * limits, memory limit) and the security context. Every sandbox and container also carries {@code io.kube4j.node} so
 * several kubelets may share one runtime.
 *
 * <p>Logs are the runtime's files in the CRI log format ({@code <RFC 3339 nano time> <stream> <P|F> <text>}), read
 * by the kubelet ({@link LogFile}), as Kubernetes' {@code kuberuntime/logs} reads them. Interactive exec and attach
 * go through the CRI's streaming URLs ({@code Exec}, {@code Attach}): the kubelet is the client of the runtime's
 * streaming server ({@link RemoteCommandClient}, SPDY {@code v4.channel.k8s.io}), so it must reach the runtime's
 * {@code stream_server_address}. Port-forward does not use the CRI's {@code PortForward} URL: the interface's default
 * connects to the pod IP, which needs the kubelet in the pod network's reach.
 *
 * <p>Errors: a gRPC failure becomes a {@link ContainerRuntimeException} carrying the runtime's message; a failed
 * pull an {@link ImagePullException}. NotFound answers to stop and remove calls are success (they are idempotent).
 */
public final class CriRuntime implements ContainerRuntime, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CriRuntime.class);
    /** The node a sandbox or container belongs to (ours; Kubernetes' kubelet owns its runtime alone). */
    public static final String LABEL_NODE = "io.kube4j.node";
    /** kuberuntime's labels and annotations ({@code pkg/kubelet/types/labels.go}, {@code kuberuntime/labels.go}). */
    public static final String LABEL_POD_NAME = "io.kubernetes.pod.name";
    public static final String LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String LABEL_POD_UID = "io.kubernetes.pod.uid";
    public static final String LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
    public static final String ANNOTATION_RESTART_COUNT = "io.kubernetes.container.restartCount";

    /** The CPU CFS period the kubelet sets ({@code quotaPeriod}, 100 ms in microseconds). */
    static final long CPU_PERIOD_US = 100_000;
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);
    /** The kubelet's maximum gRPC message size ({@code remote.maxMsgSize}, 16 MiB). */
    private static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

    private final String endpoint;
    private final String nodeName;
    private final String sandboxImage;
    private final Path logRoot;
    private final Path podsDir;
    private final KubeletProperties.PodNetwork podNetwork;
    private final EventLoopGroup group;
    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    private final ImageServiceGrpc.ImageServiceBlockingStub images;
    /** The pod IP of each ready sandbox seen, so a relist asks PodSandboxStatus only for new sandboxes. */
    private final Map<String, String> sandboxIps = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param endpoint     the runtime's socket: {@code unix:///run/containerd/containerd.sock} or a plain path
     * @param nodeName     this node, stored as a label on everything created
     * @param sandboxImage the image the runtime should run as sandbox; informational (the runtime's own
     *                     configuration decides, e.g. containerd's {@code sandbox_image}), pulled when absent
     * @param logRoot      where pod log directories go (Kubernetes: {@code /var/log/pods})
     * @param podsDir      the kubelet's pod directories ({@code <root-dir>/<node>/pods}), for emptyDir volumes
     * @param podNetwork   cluster DNS given to each sandbox (empty: the runtime's default resolv.conf)
     */
    public CriRuntime(String endpoint, String nodeName, String sandboxImage, Path logRoot, Path podsDir,
                      KubeletProperties.PodNetwork podNetwork) {
        this.endpoint = endpoint;
        this.nodeName = nodeName;
        this.sandboxImage = sandboxImage;
        this.logRoot = logRoot.toAbsolutePath().normalize();
        this.podsDir = podsDir.toAbsolutePath().normalize();
        this.podNetwork = podNetwork == null ? new KubeletProperties.PodNetwork("", "cluster.local", "", "") : podNetwork;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socketPath(endpoint)))
                .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .overrideAuthority("localhost")
                .maxInboundMessageSize(MAX_MESSAGE_SIZE)
                .build();
        this.runtime = RuntimeServiceGrpc.newBlockingStub(channel);
        this.images = ImageServiceGrpc.newBlockingStub(channel);
    }

    /** The socket path of {@code unix:///path} (or of a plain path), as the kubelet's {@code util.GetAddressAndDialer}. */
    static Path socketPath(String endpoint) {
        if (endpoint.startsWith("unix://")) {
            return Path.of(endpoint.substring("unix://".length()));
        }
        if (endpoint.contains("://")) {
            throw new IllegalArgumentException("only unix:// CRI endpoints are supported, not " + endpoint);
        }
        return Path.of(endpoint);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub rt(Duration timeout) {
        return runtime.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ImageServiceGrpc.ImageServiceBlockingStub img(Duration timeout) {
        return images.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ContainerRuntimeException failure(String what, StatusRuntimeException e) {
        return new ContainerRuntimeException(what + ": " + describe(e), e);
    }

    private static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getDescription() != null ? s.getDescription() : s.getCode().toString();
    }

    private static boolean notFound(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.NOT_FOUND;
    }

    @Override
    public RuntimeVersion version() {
        try {
            var v = rt(Duration.ofSeconds(10)).version(VersionRequest.newBuilder().setVersion("v1").build());
            return new RuntimeVersion(v.getRuntimeName(), v.getRuntimeVersion());
        } catch (StatusRuntimeException e) {
            throw failure("CRI runtime at " + endpoint, e);
        }
    }

    // ---- sandboxes ---------------------------------------------------------------------------

    /** {@code <log-root>/<namespace>_<name>_<uid>}: Kubernetes' {@code BuildPodLogsDirectory}. */
    public Path podLogDirectory(PodRef pod) {
        return logRoot.resolve(pod.namespace() + "_" + pod.name() + "_" + pod.uid());
    }

    /** The sandbox config of {@code pod}'s attempt (also sent again with every CreateContainer, as kuberuntime does). */
    PodSandboxConfig sandboxConfig(PodRef pod, int attempt, String hostname, boolean privileged) {
        PodSandboxConfig.Builder b = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(pod.name()).setNamespace(pod.namespace())
                        .setUid(pod.uid()).setAttempt(attempt))
                .setLogDirectory(podLogDirectory(pod).toString())
                .putAllLabels(podLabels(pod))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                        .setPrivileged(privileged)
                        .setNamespaceOptions(NamespaceOption.newBuilder().setNetwork(NamespaceMode.POD)
                                .setIpc(NamespaceMode.POD).setPid(NamespaceMode.CONTAINER))));
        if (hostname != null && !hostname.isBlank()) {
            b.setHostname(hostname);
        }
        if (!podNetwork.clusterDns().isBlank()) {
            // ClusterFirst: the cluster DNS, the pod's search path, ndots:5 (kubelet's network/dns GetPodDNS)
            String domain = podNetwork.clusterDomain();
            b.setDnsConfig(DNSConfig.newBuilder().addServers(podNetwork.clusterDns())
                    .addSearches(pod.namespace() + ".svc." + domain).addSearches("svc." + domain).addSearches(domain)
                    .addOptions("ndots:5"));
        }
        return b.build();
    }

    private Map<String, String> podLabels(PodRef pod) {
        return Map.of(LABEL_NODE, nodeName, LABEL_POD_NAME, pod.name(), LABEL_POD_NAMESPACE, pod.namespace(), LABEL_POD_UID, pod.uid());
    }

    @Override
    public String runPodSandbox(SandboxConfig config) {
        try {
            // kuberuntime's createPodSandbox makes the pod's log directory before asking the runtime
            Files.createDirectories(podLogDirectory(config.pod()));
        } catch (IOException e) {
            throw new ContainerRuntimeException("cannot create the log directory of " + config.pod() + ": " + e.getMessage(), e);
        }
        try {
            return rt(CALL_TIMEOUT).runPodSandbox(RunPodSandboxRequest.newBuilder()
                    .setConfig(sandboxConfig(config.pod(), config.attempt(), config.hostname(), config.privileged())).build()).getPodSandboxId();
        } catch (StatusRuntimeException e) {
            String failed = failedSandboxId(describe(e));
            if (failed != null) {
                cleanUpFailedSandbox(failed);
            }
            // as Kubernetes' kubelet shows it (FailedCreatePodSandBox "Failed to create pod sandbox: <the gRPC error>")
            throw new ContainerRuntimeException(grpcError(e), e);
        }
    }

    /**
     * A gRPC error as grpc-go prints it ({@code rpc error: code = Unknown desc = ...}), the text Kubernetes' kubelet puts
     * into its events about a failed CRI call.
     */
    static String grpcError(StatusRuntimeException e) {
        StringBuilder code = new StringBuilder();
        for (String part : e.getStatus().getCode().name().split("_")) {
            code.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        String desc = e.getStatus().getDescription();
        return "rpc error: code = " + code + " desc = " + (desc == null ? "" : desc);
    }

    private static final Pattern FAILED_SANDBOX = Pattern.compile("sandbox \"([0-9a-f]{64})\"");

    /**
     * The id of the sandbox a failed RunPodSandbox names in its error (containerd's {@code failed to setup network for
     * sandbox "<id>": ...}), or null. The CRI returns no id with an error; containerd's own clean-up of such a
     * sandbox fails while its CNI is not initialized, and leaves the sandbox and its netns mount behind.
     */
    static String failedSandboxId(String message) {
        Matcher m = FAILED_SANDBOX.matcher(message == null ? "" : message);
        return m.find() ? m.group(1) : null;
    }

    /**
     * StopPodSandbox then RemovePodSandbox (so containerd releases the netns), best effort: what cannot be removed
     * now is left to the kubelet's sandbox garbage collection (kuberuntime_gc.go evictSandboxes).
     */
    private void cleanUpFailedSandbox(String id) {
        try {
            rt(CALL_TIMEOUT).stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            rt(CALL_TIMEOUT).removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                log.info("failed sandbox {} not removed yet (the sandbox garbage collection retries): {}", id, describe(e));
            }
        }
    }

    /**
     * CRI {@code UpdateRuntimeConfig} with {@code runtime_config.network_config.pod_cidr}: Kubernetes'
     * kubeGenericRuntimeManager.UpdatePodCIDR (pkg/kubelet/kuberuntime/kuberuntime_manager.go).
     */
    @Override
    public void updatePodCidr(String podCidr) {
        try {
            rt(CALL_TIMEOUT).updateRuntimeConfig(UpdateRuntimeConfigRequest.newBuilder()
                    .setRuntimeConfig(RuntimeConfig.newBuilder().setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(podCidr))).build());
        } catch (StatusRuntimeException e) {
            throw failure("failed to update pod CIDR", e);
        }
    }

    @Override
    public void stopPodSandbox(String sandboxId) {
        try {
            sandboxIps.remove(sandboxId);
            rt(CALL_TIMEOUT).stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                throw failure("cannot stop sandbox " + sandboxId, e);
            }
        }
    }

    @Override
    public void removePodSandbox(String sandboxId) {
        PodRef pod = null;
        try {
            PodSandboxStatus s = rt(CALL_TIMEOUT).podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build()).getStatus();
            pod = pod(s.getLabelsMap(), s.getMetadata());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                throw failure("sandbox " + sandboxId, e);
            }
        }
        try {
            sandboxIps.remove(sandboxId);
            rt(CALL_TIMEOUT).removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                throw failure("cannot remove sandbox " + sandboxId, e);
            }
        }
        if (pod != null && listPodSandboxes(pod.uid()).isEmpty()) {
            // the pod's scratch volumes live as long as the pod, as the docker runtime's volumes do
            deleteRecursively(podsDir.resolve(pod.uid()).resolve("volumes").resolve("kubernetes.io~empty-dir"));
        }
    }

    @Override
    public List<Sandbox> listPodSandboxes() {
        List<Sandbox> all = sandboxes(Map.of(LABEL_NODE, nodeName));
        // forget the IPs of sandboxes removed behind our back
        sandboxIps.keySet().retainAll(all.stream().map(Sandbox::id).toList());
        return all;
    }

    @Override
    public List<Sandbox> listPodSandboxes(String podUid) {
        return sandboxes(Map.of(LABEL_NODE, nodeName, LABEL_POD_UID, podUid));
    }

    private List<Sandbox> sandboxes(Map<String, String> selector) {
        List<PodSandbox> items;
        try {
            items = rt(CALL_TIMEOUT).listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().putAllLabelSelector(selector)).build()).getItemsList();
        } catch (StatusRuntimeException e) {
            throw failure("cannot list pod sandboxes", e);
        }
        List<Sandbox> out = new ArrayList<>();
        for (PodSandbox s : items) {
            boolean ready = s.getState() == PodSandboxState.SANDBOX_READY;
            String ip = null;
            if (ready) {
                // the list has no network status: ask for it once per sandbox (its IP is fixed for its life)
                ip = sandboxIps.get(s.getId());
                if (ip == null) {
                    try {
                        ip = rt(CALL_TIMEOUT).podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(s.getId()).build())
                                .getStatus().getNetwork().getIp();
                    } catch (StatusRuntimeException e) {
                        if (!notFound(e)) {
                            throw failure("sandbox " + s.getId(), e);
                        }
                        continue;
                    }
                    if (!ip.isEmpty()) {
                        sandboxIps.put(s.getId(), ip);
                    }
                }
            } else {
                // a stopped sandbox has released its IP (StopPodSandbox runs CNI DEL)
                sandboxIps.remove(s.getId());
            }
            out.add(new Sandbox(s.getId(), pod(s.getLabelsMap(), s.getMetadata()), s.getMetadata().getAttempt(), ready,
                    ip == null || ip.isEmpty() ? null : ip, nanos(s.getCreatedAt())));
        }
        return out;
    }

    // ---- images ------------------------------------------------------------------------------

    private Image imageStatus(String image) {
        try {
            var r = img(CALL_TIMEOUT).imageStatus(ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build());
            return r.hasImage() ? r.getImage() : null;
        } catch (StatusRuntimeException e) {
            throw failure("image status of " + image, e);
        }
    }

    @Override
    public boolean imagePresent(String image) {
        return imageStatus(image) != null;
    }

    @Override
    public void pullImage(String image) {
        try {
            img(PULL_TIMEOUT).pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build());
        } catch (StatusRuntimeException e) {
            throw new ImagePullException(describe(e));
        }
    }

    /** The image's user as the CRI's ImageStatus gives it: its uid, else its user name, "" for none (root). */
    @Override
    public String imageUser(String image) {
        Image i = imageStatus(image);
        if (i == null) {
            return null;
        }
        if (i.hasUid()) {
            return Long.toString(i.getUid().getValue());
        }
        return i.getUsername();
    }

    // ---- containers --------------------------------------------------------------------------

    @Override
    public String createContainer(Sandbox sandbox, ContainerConfig config) {
        var request = CreateContainerRequest.newBuilder()
                .setPodSandboxId(sandbox.id())
                .setConfig(containerConfig(config))
                // a privileged container's sandbox was made privileged (SandboxConfig.privileged)
                .setSandboxConfig(sandboxConfig(sandbox.pod(), sandbox.attempt(), null,
                        config.security() != null && config.security().privileged()))
                .build();
        try {
            Files.createDirectories(podLogDirectory(config.pod()).resolve(config.name()));
        } catch (IOException e) {
            throw new ContainerRuntimeException("cannot create the log directory of " + config.name() + ": " + e.getMessage(), e);
        }
        try {
            return rt(CALL_TIMEOUT).createContainer(request).getContainerId();
        } catch (StatusRuntimeException e) {
            throw failure("cannot create container " + config.name() + " of " + config.pod(), e);
        }
    }

    /** The CRI ContainerConfig of {@code config}, as kuberuntime's {@code generateContainerConfig} builds it. */
    io.kube4j.kubelet.runtime.cri.v1.ContainerConfig containerConfig(ContainerConfig config) {
        var b = io.kube4j.kubelet.runtime.cri.v1.ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(config.name()).setAttempt(config.attempt()))
                .setImage(ImageSpec.newBuilder().setImage(config.image()))
                .addAllCommand(config.command())
                .addAllArgs(config.args())
                .setLogPath(config.name() + "/" + config.attempt() + ".log")
                .setStdin(config.stdin())
                .setStdinOnce(config.stdinOnce())
                .setTty(config.tty())
                .putAllLabels(podLabels(config.pod()))
                .putLabels(LABEL_CONTAINER_NAME, config.name())
                .putAnnotations(ANNOTATION_RESTART_COUNT, Integer.toString(config.attempt()));
        if (config.workingDir() != null && !config.workingDir().isBlank()) {
            b.setWorkingDir(config.workingDir());
        }
        config.env().forEach((k, v) -> b.addEnvs(KeyValue.newBuilder().setKey(k).setValue(v)));
        for (Mount m : config.mounts()) {
            String host = m.isEmptyDir() ? emptyDir(config.pod(), m.volumeName()).toString() : m.hostPath();
            b.addMounts(io.kube4j.kubelet.runtime.cri.v1.Mount.newBuilder().setContainerPath(m.containerPath())
                    .setHostPath(host).setReadonly(m.readOnly()));
        }
        b.setLinux(LinuxContainerConfig.newBuilder().setResources(resources(config)).setSecurityContext(security(config)));
        return b.build();
    }

    private Path emptyDir(PodRef pod, String volume) {
        Path dir = podsDir.resolve(pod.uid()).resolve("volumes").resolve("kubernetes.io~empty-dir").resolve(volume);
        try {
            Files.createDirectories(dir);
            // an emptyDir is world-writable, as the kubelet's emptyDir plugin makes it (0777)
            dir.toFile().setWritable(true, false);
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new ContainerRuntimeException("cannot create emptyDir " + volume + " of " + pod + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /**
     * Limits as kuberuntime's {@code calculateLinuxResources}: a CPU limit is a CFS quota of {@code millis * period /
     * 1000} per 100 ms period, the shares {@code millis * 1024 / 1000} (at least 2), since the request defaults to the
     * limit; a memory limit is {@code memory_limit_in_bytes}.
     */
    static LinuxContainerResources resources(ContainerConfig config) {
        var r = LinuxContainerResources.newBuilder();
        if (config.cpuMillis() != null && config.cpuMillis() > 0) {
            long millis = config.cpuMillis();
            r.setCpuPeriod(CPU_PERIOD_US);
            r.setCpuQuota(Math.max(1000, millis * CPU_PERIOD_US / 1000));
            r.setCpuShares(Math.max(2, millis * 1024 / 1000));
        } else {
            // no request either: the minimum shares (kubelet's MinShares)
            r.setCpuShares(2);
        }
        if (config.memoryBytes() != null && config.memoryBytes() > 0) {
            r.setMemoryLimitInBytes(config.memoryBytes());
        }
        return r.build();
    }

    /** The CRI's LinuxContainerSecurityContext of the effective security context (kuberuntime's {@code security_context.go}). */
    static LinuxContainerSecurityContext security(ContainerConfig config) {
        LinuxContainerSecurity sc = config.security() == null ? LinuxContainerSecurity.NONE : config.security();
        var b = LinuxContainerSecurityContext.newBuilder();
        if (sc.runAsUser() != null) {
            b.setRunAsUser(Int64Value.newBuilder().setValue(sc.runAsUser()));
        } else if (sc.runAsUsername() != null) {
            b.setRunAsUsername(sc.runAsUsername());
        }
        if (sc.runAsGroup() != null) {
            b.setRunAsGroup(Int64Value.newBuilder().setValue(sc.runAsGroup()));
        }
        b.addAllSupplementalGroups(sc.supplementalGroups());
        if (!sc.addCapabilities().isEmpty() || !sc.dropCapabilities().isEmpty()) {
            b.setCapabilities(Capability.newBuilder().addAllAddCapabilities(sc.addCapabilities()).addAllDropCapabilities(sc.dropCapabilities()));
        }
        b.setPrivileged(sc.privileged());
        b.setReadonlyRootfs(sc.readonlyRootfs());
        b.setNoNewPrivs(sc.noNewPrivs());
        String seccomp = sc.seccompProfile();
        if (seccomp == null || seccomp.isEmpty() || LinuxContainerSecurity.SECCOMP_UNCONFINED.equals(seccomp)) {
            b.setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Unconfined));
        } else if (seccomp.startsWith(LinuxContainerSecurity.SECCOMP_LOCALHOST_PREFIX)) {
            b.setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                    .setLocalhostRef(seccomp.substring(LinuxContainerSecurity.SECCOMP_LOCALHOST_PREFIX.length())));
        } else {
            b.setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault));
        }
        var ns = NamespaceOption.newBuilder().setNetwork(NamespaceMode.POD).setIpc(NamespaceMode.POD);
        if (config.targetContainerId() != null) {
            // an ephemeral container joins its target's PID namespace (namespacesForPod with a target)
            ns.setPid(NamespaceMode.TARGET).setTargetId(config.targetContainerId());
        } else {
            ns.setPid(NamespaceMode.CONTAINER);
        }
        b.setNamespaceOptions(ns);
        return b.build();
    }

    @Override
    public void startContainer(String containerId) {
        try {
            rt(CALL_TIMEOUT).startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
        } catch (StatusRuntimeException e) {
            throw failure("failed to start container", e);
        }
    }

    @Override
    public void stopContainer(String containerId, Duration timeout) {
        long seconds = Math.max(0, timeout.toSeconds());
        try {
            rt(CALL_TIMEOUT.plusSeconds(seconds)).stopContainer(StopContainerRequest.newBuilder()
                    .setContainerId(containerId).setTimeout(seconds).build());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                throw failure("cannot stop container " + containerId, e);
            }
        }
    }

    @Override
    public void removeContainer(String containerId) {
        String logPath = null;
        try {
            logPath = rt(CALL_TIMEOUT).containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).build())
                    .getStatus().getLogPath();
        } catch (StatusRuntimeException e) {
            if (notFound(e)) {
                return;
            }
        }
        stopContainer(containerId, Duration.ZERO);
        try {
            rt(CALL_TIMEOUT).removeContainer(RemoveContainerRequest.newBuilder().setContainerId(containerId).build());
        } catch (StatusRuntimeException e) {
            if (!notFound(e)) {
                throw failure("cannot remove container " + containerId, e);
            }
        }
        if (logPath != null && !logPath.isEmpty()) {
            // kuberuntime's removeContainerLog: the log goes with the container
            try {
                Files.deleteIfExists(Path.of(logPath));
            } catch (IOException e) {
                // left for the next housekeeping
            }
        }
    }

    @Override
    public List<ContainerInfo> listContainers() {
        return containers(Map.of(LABEL_NODE, nodeName));
    }

    @Override
    public List<ContainerInfo> listContainers(String podUid) {
        return containers(Map.of(LABEL_NODE, nodeName, LABEL_POD_UID, podUid));
    }

    private List<ContainerInfo> containers(Map<String, String> selector) {
        List<io.kube4j.kubelet.runtime.cri.v1.Container> items;
        try {
            items = rt(CALL_TIMEOUT).listContainers(ListContainersRequest.newBuilder()
                    .setFilter(ContainerFilter.newBuilder().putAllLabelSelector(selector)).build()).getContainersList();
        } catch (StatusRuntimeException e) {
            throw failure("cannot list containers", e);
        }
        List<ContainerInfo> out = new ArrayList<>();
        for (var c : items) {
            // the list lacks exit codes and times: ask each one's status, as kuberuntime's getPodContainerStatuses does
            ContainerInfo info = containerStatus(c.getId());
            if (info != null) {
                out.add(info);
            }
        }
        return out;
    }

    private ContainerStatus status(String containerId) {
        try {
            return rt(CALL_TIMEOUT).containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).build()).getStatus();
        } catch (StatusRuntimeException e) {
            if (notFound(e)) {
                return null;
            }
            throw failure("status of container " + containerId, e);
        }
    }

    @Override
    public ContainerInfo containerStatus(String containerId) {
        ContainerStatus s = status(containerId);
        if (s == null) {
            return null;
        }
        ContainerInfo.State state = switch (s.getState()) {
            case CONTAINER_CREATED -> ContainerInfo.State.CREATED;
            case CONTAINER_RUNNING -> ContainerInfo.State.RUNNING;
            case CONTAINER_EXITED -> ContainerInfo.State.EXITED;
            default -> ContainerInfo.State.UNKNOWN;
        };
        // the runtime's reason is only kept when it knows better than the exit code (ContainerInfo's contract)
        String reason = "OOMKilled".equals(s.getReason()) ? "OOMKilled" : null;
        Map<String, String> labels = s.getLabelsMap();
        return new ContainerInfo(s.getId(), new PodRef(labels.getOrDefault(LABEL_POD_UID, ""), labels.getOrDefault(LABEL_POD_NAMESPACE, ""),
                labels.getOrDefault(LABEL_POD_NAME, "")), s.getMetadata().getName(), s.getMetadata().getAttempt(),
                s.getImage().getImage(), s.getImageRef(), state, nanos(s.getCreatedAt()), nanos(s.getStartedAt()),
                nanos(s.getFinishedAt()), s.getExitCode(), reason, s.getMessage().isEmpty() ? null : s.getMessage());
    }

    /** The container's log file (the runtime's {@code log_path}), or null when the container is gone. */
    public Path logPath(String containerId) {
        ContainerStatus s = status(containerId);
        return s == null || s.getLogPath().isEmpty() ? null : Path.of(s.getLogPath());
    }

    @Override
    public void logs(String containerId, LogOptions options, OutputStream out) throws IOException {
        Path path = logPath(containerId);
        if (path == null) {
            throw new ContainerRuntimeException("container " + containerId + " not found");
        }
        new LogFile(path).copyTo(options, out, () -> {
            ContainerInfo info = containerStatus(containerId);
            return info != null && info.running();
        });
    }

    /**
     * ExecSync: the command's stdout then stderr, and its exit code. A command that outlives {@code timeout} is
     * {@code command "..." timed out} with exit code -1, as the kubelet's {@code remote_runtime.go} reports it to the
     * exec prober.
     */
    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        ExecSyncResponse r;
        try {
            // the runtime enforces the timeout (containerd kills the command and answers DeadlineExceeded); the call's
            // deadline leaves it the kubelet's default 2 min on top to clean up, as remote_runtime.go's ExecSync
            r = rt(CALL_TIMEOUT.plusSeconds(seconds)).execSync(ExecSyncRequest.newBuilder().setContainerId(containerId)
                    .addAllCmd(command).setTimeout(seconds).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return new ExecResult(-1, "command \"" + String.join(" ", command) + "\" timed out");
            }
            throw failure("exec in " + containerId, e);
        }
        String output = r.getStdout().toString(StandardCharsets.UTF_8) + r.getStderr().toString(StandardCharsets.UTF_8);
        return new ExecResult(r.getExitCode(), output);
    }

    /**
     * The CRI's streaming Exec: {@code Exec} (stdin and stdout always, stderr unless {@code tty}, as the kubelet's own
     * handlers close an unwanted stdin and drop an unwanted output) answers a URL on the runtime's streaming server,
     * which this kubelet then speaks as client-go would ({@link RemoteCommandClient}, SPDY with
     * {@code v4.channel.k8s.io}) instead of redirecting its client there ({@code kuberuntime_container.go
     * GetExec}, {@code server.go getExec} with the streaming proxy). The URL's host is the runtime's
     * {@code stream_server_address} (containerd: 127.0.0.1), so the kubelet must share the runtime's network namespace.
     *
     * @throws ContainerRuntimeException when the RPC fails (e.g. no such container) or the URL cannot be streamed
     */
    @Override
    public io.kube4j.kubelet.runtime.StreamingProcess execStreaming(String containerId, List<String> command, boolean tty) {
        String url;
        try {
            url = rt(CALL_TIMEOUT).exec(io.kube4j.kubelet.runtime.cri.v1.ExecRequest.newBuilder().setContainerId(containerId)
                    .addAllCmd(command).setTty(tty).setStdin(true).setStdout(true).setStderr(!tty).build()).getUrl();
        } catch (StatusRuntimeException e) {
            throw failure("exec in " + containerId, e);
        }
        log.debug("exec in {}: streaming from {}", containerId, url);
        return RemoteCommandClient.open(url, true, tty);
    }

    /**
     * The CRI's Attach: as {@link #execStreaming}, on the container's own process; {@code tty} must match the
     * container's (a CRI rule). Without {@code stdin} no stdin stream is opened, so the container's stdin is left alone.
     */
    @Override
    public io.kube4j.kubelet.runtime.StreamingProcess attach(String containerId, boolean stdin, boolean tty) {
        String url;
        try {
            url = rt(CALL_TIMEOUT).attach(io.kube4j.kubelet.runtime.cri.v1.AttachRequest.newBuilder().setContainerId(containerId)
                    .setStdin(stdin).setTty(tty).setStdout(true).setStderr(!tty).build()).getUrl();
        } catch (StatusRuntimeException e) {
            throw failure("attach to " + containerId, e);
        }
        log.debug("attach to {}: streaming from {}", containerId, url);
        return RemoteCommandClient.open(url, stdin, tty);
    }

    /** ContainerStats: {@code cpu.usage_core_nano_seconds} and {@code memory.working_set_bytes}; null when gone. */
    @Override
    public ContainerUsage containerUsage(String containerId) {
        ContainerStats s;
        try {
            s = rt(CALL_TIMEOUT).containerStats(ContainerStatsRequest.newBuilder().setContainerId(containerId).build()).getStats();
        } catch (StatusRuntimeException e) {
            if (notFound(e)) {
                return null;
            }
            throw failure("stats of " + containerId, e);
        }
        if (!s.hasCpu() || !s.getCpu().hasUsageCoreNanoSeconds()) {
            return null;
        }
        long ts = s.getCpu().getTimestamp();
        return new ContainerUsage(ts > 0 ? nanos(ts) : Instant.now(), s.getCpu().getUsageCoreNanoSeconds().getValue(),
                s.hasMemory() && s.getMemory().hasWorkingSetBytes() ? s.getMemory().getWorkingSetBytes().getValue() : 0);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static PodRef pod(Map<String, String> labels, PodSandboxMetadata metadata) {
        return new PodRef(labels.getOrDefault(LABEL_POD_UID, metadata.getUid()), labels.getOrDefault(LABEL_POD_NAMESPACE, metadata.getNamespace()),
                labels.getOrDefault(LABEL_POD_NAME, metadata.getName()));
    }

    /** CRI times are nanoseconds since the epoch; 0 is "never". */
    private static Instant nanos(long nanos) {
        return nanos <= 0 ? null : Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the volume manager's cleanup of the pod directory
                }
            });
        } catch (IOException e) {
            // same
        }
    }

    /** The sandbox image this runtime was configured with (the runtime's own configuration decides what it runs). */
    public String sandboxImage() {
        return sandboxImage;
    }

    /** Closes the connection to the runtime. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
