package io.kube4j.kubelet;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.api.Taint;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.manager.WatchBasedManager;
import io.kube4j.kubelet.node.MachineInfo;
import io.kube4j.kubelet.node.NodeDescription;
import io.kube4j.kubelet.node.NodeStatusReporter;
import io.kube4j.kubelet.pod.Backoff;
import io.kube4j.kubelet.pod.ContainerConfigFactory;
import io.kube4j.kubelet.pod.EnvironmentProvider;
import io.kube4j.kubelet.pod.KubeletContext;
import io.kube4j.kubelet.pod.KubeletMetrics;
import io.kube4j.kubelet.pod.StatusManager;
import io.kube4j.kubelet.pleg.Pleg;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.InstrumentedRuntime;
import io.kube4j.kubelet.stats.MachineUsage;
import io.kube4j.kubelet.stats.SummaryProvider;
import io.kube4j.kubelet.stats.SyntheticLoad;
import io.kube4j.kubelet.stats.UsageSource;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.kubelet.token.TokenManager;
import io.kube4j.kubelet.volume.VolumePayloads;
import io.kube4j.quantity.Quantity;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kubelets of this process: one, or {@code count} hollow ones with the fake runtime. They start
 * once the web server listens, because each Node must advertise the port its log endpoint really got.
 */
public final class Kubelets implements ApplicationListener<WebServerInitializedEvent>, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(Kubelets.class);

    private final KubeletProperties props;
    private final ApiClient client;
    private final MeterRegistry registry;
    private final KubeletMetrics metrics;
    private final EnvironmentProvider environmentProvider;
    private final RuntimeFactory runtimeFactory;
    private final List<Kubelet> kubelets = new CopyOnWriteArrayList<>();
    // node name -> what its /stats/summary and /metrics/resource serve
    private final Map<String, SummaryProvider> summaries = new java.util.concurrent.ConcurrentHashMap<>();

    public Kubelets(KubeletProperties props, ApiClient client, MeterRegistry registry, EnvironmentProvider environmentProvider, RuntimeFactory runtimeFactory) {
        this.props = props;
        this.client = client;
        this.registry = registry;
        this.metrics = new KubeletMetrics(registry);
        this.environmentProvider = environmentProvider;
        this.runtimeFactory = runtimeFactory;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // the management server (if on its own port) announces itself too; only the main one counts
        if (event.getApplicationContext().getServerNamespace() != null || !kubelets.isEmpty()) {
            return;
        }
        start(event.getWebServer().getPort());
    }

    /** Builds and starts the kubelets, advertising {@code port} for logs. */
    public synchronized void start(int port) {
        String base = props.nodeName().isBlank() ? MachineInfo.hostname() : props.nodeName();
        int count = Math.max(1, props.count());
        if (count > 1 && !"fake".equals(props.runtime())) {
            throw new IllegalArgumentException("kube4j.kubelet.count > 1 needs the fake runtime, not " + props.runtime());
        }
        String address = props.address().isBlank() ? MachineInfo.addressFacing(client.baseUrl()) : props.address();
        for (int i = 0; i < count; i++) {
            String name = count == 1 ? base : base + "-" + i;
            Kubelet k = build(name, address, port);
            kubelets.add(k);
            k.start();
        }
        log.info("started {} kubelet(s) ({} runtime) at {}:{}", count, props.runtime(), address, port);
    }

    /**
     * The {@code <type>} of container IDs {@code <type>://<id>}: the runtime's name; for a CRI runtime the name its
     * Version call gives (e.g. {@code containerd}), as Kubernetes' kuberuntime manager takes it at start. A CRI runtime
     * that does not answer yet leaves {@code cri}.
     */
    private String containerIdPrefix(ContainerRuntime runtime) {
        if (!"cri".equals(props.runtime())) {
            return props.runtime();
        }
        try {
            return runtime.version().name();
        } catch (RuntimeException e) {
            log.warn("the CRI runtime does not answer its Version call ({}): container IDs are cri://<id>", e.getMessage());
            return "cri";
        }
    }

    private Kubelet build(String nodeName, String address, int port) {
        // the generated CNI network's range (network-plugin=cni): the podCIDR node IPAM gave this Node
        ContainerRuntime runtime = new InstrumentedRuntime(runtimeFactory.create(props, nodeName, address,
                () -> client.find(io.kube4j.api.Node.class, null, nodeName).map(n -> n.spec.podCIDR).orElse(null)), registry);
        NodeDescription description = new NodeDescription(nodeName, address, nodeName, port, labels(nodeName), taints(), capacity());
        Clock clock = Clock.systemUTC();
        EventRecorder events = new EventRecorder(client, "kubelet", nodeName);
        // allocatable is the capacity (no reservations): the default of unset limits in resourceFieldRef
        Map<String, Quantity> allocatable = Map.copyOf(description.capacity());
        ObjectManager<ConfigMap> configMaps = WatchBasedManager.configMaps(client);
        ObjectManager<Secret> secrets = WatchBasedManager.secrets(client);
        VolumeManager volumes = new VolumeManager(props.nodeDir(nodeName).resolve("pods"), client,
                new VolumePayloads(configMaps, secrets, () -> allocatable, new TokenManager(client, clock)), events, clock);
        KubeletContext ctx = new KubeletContext(nodeName, address, runtime, containerIdPrefix(runtime), client,
                events, new ProbeRunner(runtime),
                new ContainerConfigFactory(environmentProvider, configMaps, secrets, () -> allocatable, volumes),
                Backoff.kubelet(), Backoff.kubelet(), clock, props.syncPeriod(), metrics,
                new Pleg(runtime, props.relistPeriod()), new StatusManager(client), configMaps, secrets, volumes);
        NodeStatusReporter reporter = new NodeStatusReporter(client, description, runtime, clock, props.statusReport());
        Kubelet kubelet = new Kubelet(nodeName, client, ctx, reporter, props.statusInterval());
        summaries.put(nodeName, summaryProvider(nodeName, kubelet, runtime, clock));
        return kubelet;
    }

    /**
     * Hollow nodes report the configured synthetic load and are the sum of their pods; the others measure
     * their containers through the runtime and the machine through /proc.
     */
    private SummaryProvider summaryProvider(String nodeName, Kubelet kubelet, ContainerRuntime runtime, Clock clock) {
        boolean hollow = "fake".equals(props.runtime());
        UsageSource usage = hollow ? new SyntheticLoad(clock, props.fake().cpuUsage(), props.fake().memoryUsage())
                : SummaryProvider.fromRuntime(runtime);
        java.util.function.Supplier<io.kube4j.kubelet.runtime.ContainerUsage> machine = hollow ? () -> null
                : new MachineUsage(java.nio.file.Path.of("/proc"), clock);
        return new SummaryProvider(nodeName, clock.instant(), () -> kubelet.pods().store().list(), runtime, usage, machine, clock);
    }

    private Map<String, String> labels(String nodeName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", nodeName);
        labels.put("kubernetes.io/os", MachineInfo.operatingSystem());
        labels.put("kubernetes.io/arch", MachineInfo.architecture());
        labels.putAll(props.labels());
        return labels;
    }

    private List<Taint> taints() {
        List<Taint> taints = new ArrayList<>();
        for (String spec : props.taints()) {
            taints.add(parseTaint(spec));
        }
        return taints;
    }

    /** {@code key=value:Effect} or {@code key:Effect}. */
    static Taint parseTaint(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("taint must be key[=value]:Effect, not " + spec);
        }
        String effect = spec.substring(colon + 1).trim();
        String kv = spec.substring(0, colon).trim();
        int eq = kv.indexOf('=');
        return eq < 0 ? new Taint(kv, null, effect) : new Taint(kv.substring(0, eq), kv.substring(eq + 1), effect);
    }

    private Map<String, Quantity> capacity() {
        KubeletProperties.Capacity c = props.capacity();
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", Quantity.parse(c.cpu().isBlank() ? String.valueOf(MachineInfo.cpus()) : c.cpu()));
        capacity.put("memory", c.memory().isBlank() ? Quantity.parse(MachineInfo.memoryBytes() / 1024 + "Ki") : Quantity.parse(c.memory()));
        capacity.put("pods", Quantity.parse(c.pods().isBlank() ? "110" : c.pods()));
        return capacity;
    }

    public List<Kubelet> all() {
        return List.copyOf(kubelets);
    }

    /** The kubelet that runs the pod, with the pod as its informer has it. */
    public Optional<Map.Entry<Kubelet, Pod>> findPod(String namespace, String name) {
        for (Kubelet k : kubelets) {
            Pod p = k.pods().store().get(namespace, name);
            if (p != null) {
                return Optional.of(Map.entry(k, p));
            }
        }
        return Optional.empty();
    }

    /**
     * The node a request to this process's kubelet API is about, for its authorization: {@code requested} (the
     * {@code node} query parameter hollow kubelets are told apart by) when this process runs that node, else its
     * first (usually only) node, else {@code fallback} (before the kubelets start).
     */
    public String nodeName(String requested, String fallback) {
        List<Kubelet> all = kubelets;
        if (requested != null && all.stream().anyMatch(k -> k.nodeName().equals(requested))) {
            return requested;
        }
        return all.isEmpty() ? fallback : all.getFirst().nodeName();
    }

    /** The summary provider of node {@code nodeName}, or null when this process does not run it. */
    public SummaryProvider summary(String nodeName) {
        return summaries.get(nodeName);
    }

    @Override
    public void destroy() {
        kubelets.forEach(Kubelet::stop);
    }
}
