package io.kube4j.testcontainers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole kube4j cluster in one container (image {@code kube4j/all-in-one}): etcd, the apiserver, the
 * scheduler, the controller-manager and hollow nodes whose kubelets run pods on a fake container runtime
 * (pods get scheduled, become Running and Ready, and report made-up pod IPs; no process runs). Shaped like
 * Testcontainers' {@code K3sContainer}:
 *
 * <pre>{@code
 * @Container
 * static Kube4jContainer kube4j = new Kube4jContainer(DockerImageName.parse("kube4j/all-in-one:latest"))
 *         .withNodes(2)
 *         .withCustomResourceDefinition(Path.of("src/main/k8s/crd.yaml"));
 *
 * KubernetesClient client = new KubernetesClientBuilder()
 *         .withConfig(Config.fromKubeconfig(kube4j.getKubeConfigYaml())).build();
 * }</pre>
 *
 * <p>The container counts as started once the apiserver is ready, every node reports {@code Ready=True}
 * and the {@code default} ServiceAccount exists, so pods are admitted at once (the image prints
 * {@code kube4j all-in-one: Ready in <ms> ms} then); the manifests given with {@link #withManifest} and
 * {@link #withCustomResourceDefinition} are then applied through the API with server-side apply, the
 * CustomResourceDefinitions first (each awaited until {@code Established}, as {@code kubectl wait} does).
 * {@link #withReuse(boolean)} works as for any container: a reused cluster keeps its objects, and the
 * manifests are applied again (server-side apply makes that a no-op for unchanged ones).
 *
 * <p>The apiserver serves HTTPS on container port {@value #API_PORT} and authenticates every request, as
 * Kubernetes does: each container creates its own cluster CA at start, and {@link #getKubeConfigYaml()} is
 * its admin kubeconfig ({@code kubernetes-admin} in {@code system:masters}: the CA, a client certificate and
 * its key), copied out of the container from {@value #KUBECONFIG_PATH}. A request without credentials is
 * {@code system:anonymous}, which may read only {@code /healthz}, {@code /version} and the like. The serving
 * certificate names {@code localhost}, {@code 127.0.0.1}, the Docker host ({@link #getHost()}) and, when the
 * container is on a {@link #withNetwork network}, its network aliases.
 */
public class Kube4jContainer extends GenericContainer<Kube4jContainer> {
    /** The apiserver's port inside the container. */
    public static final int API_PORT = 6443;
    /** Where the image writes the admin kubeconfig ({@code KUBE4J_KUBECONFIG}). */
    public static final String KUBECONFIG_PATH = "/etc/kube4j/kubeconfig.yaml";
    /** The image this class is written for; any tag of it is accepted. */
    public static final DockerImageName DEFAULT_IMAGE_NAME = DockerImageName.parse("kube4j/all-in-one");

    private static final Pattern READY = Pattern.compile("kube4j all-in-one: Ready in (\\d+) ms");

    private final List<String> customResourceDefinitions = new ArrayList<>();
    private final List<String> manifests = new ArrayList<>();
    private Duration manifestTimeout = Duration.ofSeconds(30);
    private long readyMillis = -1;
    private String adminKubeconfig;

    /** @param image {@code kube4j/all-in-one} with a tag, e.g. {@code kube4j/all-in-one:latest} */
    public Kube4jContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /** @param image {@code kube4j/all-in-one} with a tag, or an image declared compatible with it */
    public Kube4jContainer(DockerImageName image) {
        super(image);
        image.assertCompatibleWith(DEFAULT_IMAGE_NAME);
        addExposedPorts(API_PORT);
        withEnv("KUBE4J_KUBECONFIG", KUBECONFIG_PATH);
        setWaitStrategy(Wait.forLogMessage(".*" + READY.pattern() + ".*", 1).withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** How many hollow nodes ({@code node-0} ... {@code node-(n-1)}); default 1. */
    public Kube4jContainer withNodes(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("at least one node, got " + nodes);
        }
        return withEnv("KUBE4J_NODES", Integer.toString(nodes));
    }

    /**
     * Each node's capacity (and allocatable), as Kubernetes quantities.
     *
     * @param cpu    e.g. {@code "4"} or {@code "3500m"} (default 4)
     * @param memory e.g. {@code "8Gi"} (default 8Gi)
     */
    public Kube4jContainer withNodeCapacity(String cpu, String memory) {
        return withEnv("KUBE4J_NODE_CPU", cpu).withEnv("KUBE4J_NODE_MEMORY", memory);
    }

    /** Each node's pod capacity (default 110, the kubelet's maxPods). */
    public Kube4jContainer withNodePodCapacity(int pods) {
        return withEnv("KUBE4J_NODE_PODS", Integer.toString(pods));
    }

    /**
     * CustomResourceDefinitions (one or more YAML documents, {@code apiextensions.k8s.io/v1}) to create once
     * the cluster is Ready, before the {@link #withManifest manifests}; each is awaited until {@code Established}.
     */
    public Kube4jContainer withCustomResourceDefinition(String yaml) {
        customResourceDefinitions.add(yaml);
        return this;
    }

    /** {@link #withCustomResourceDefinition(String)} from a file, e.g. the CRD generator's output. */
    public Kube4jContainer withCustomResourceDefinition(Path yamlFile) {
        return withCustomResourceDefinition(read(yamlFile));
    }

    /** Objects (one or more YAML documents) to apply once the cluster is Ready, after the CRDs, in order. */
    public Kube4jContainer withManifest(String yaml) {
        manifests.add(yaml);
        return this;
    }

    /** {@link #withManifest(String)} from a file. */
    public Kube4jContainer withManifest(Path yamlFile) {
        return withManifest(read(yamlFile));
    }

    /** How long applying the manifests and waiting for the CRDs may take (default 30 s). */
    public Kube4jContainer withManifestTimeout(Duration timeout) {
        this.manifestTimeout = timeout;
        return this;
    }

    @Override
    protected void configure() {
        // the names clients reach the apiserver by, for its serving certificate (the image's --tls-san): the
        // Docker host from here, the network aliases from containers on the same network (only then: the
        // random alias every container gets would otherwise change the settings a reused container is found by)
        List<String> names = new ArrayList<>();
        names.add(getHost());
        if (getNetwork() != null) {
            names.addAll(getNetworkAliases());
        }
        withEnv("KUBE4J_TLS_SAN", String.join(",", names));
    }

    @Override
    protected void containerIsStarted(InspectContainerResponse containerInfo, boolean reused) {
        Matcher m = READY.matcher(getLogs());
        if (m.find()) {
            readyMillis = Long.parseLong(m.group(1));
        }
        adminKubeconfig = copyFileFromContainer(KUBECONFIG_PATH, in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (!customResourceDefinitions.isEmpty() || !manifests.isEmpty()) {
            new ManifestApplier(getApiServerUrl(), KubeconfigTls.sslContext(adminKubeconfig), manifestTimeout).apply(customResourceDefinitions, manifests);
        }
    }

    /** The apiserver's URL from the host, e.g. {@code https://localhost:32768} (HTTPS, its certificate signed by the cluster CA). */
    public String getApiServerUrl() {
        return "https://" + getHost() + ":" + getMappedPort(API_PORT);
    }

    /**
     * The admin kubeconfig for clients on the host (fabric8's {@code Config.fromKubeconfig}, client-java's
     * {@code KubeConfig.loadKubeConfig}, kubectl): server {@link #getApiServerUrl()}, the cluster CA, and the
     * {@code kubernetes-admin} client certificate and key (group {@code system:masters}), all embedded.
     *
     * @throws IllegalStateException before the container has started
     */
    public String getKubeConfigYaml() {
        return KubeconfigTls.withServer(adminKubeconfig(), getApiServerUrl());
    }

    /**
     * The admin kubeconfig for clients in other containers of the same network, which reach this one by
     * {@code networkAlias} on the container port ({@code https://<alias>:6443}).
     *
     * @param networkAlias one of the aliases given with {@code withNetworkAliases} before the start (the serving
     *                     certificate names exactly those)
     * @throws IllegalArgumentException when the container has no such network alias
     * @throws IllegalStateException    before the container has started
     */
    public String generateInternalKubeConfigYaml(String networkAlias) {
        if (getNetwork() == null || !getNetworkAliases().contains(networkAlias)) {
            throw new IllegalArgumentException("not a network alias of this container: " + networkAlias + " (aliases "
                    + (getNetwork() == null ? "none: no network" : getNetworkAliases()) + "); the serving certificate names only those given before the start");
        }
        return KubeconfigTls.withServer(adminKubeconfig(), "https://" + networkAlias + ":" + API_PORT);
    }

    private String adminKubeconfig() {
        if (adminKubeconfig == null) {
            throw new IllegalStateException("the kubeconfig is known once the container has started");
        }
        return adminKubeconfig;
    }

    /**
     * The time from the container's JVM start to every node Ready, in milliseconds, as the image reported it
     * ({@code -1} before the start, or for a reused container whose log no longer has the line).
     */
    public long getReadyMillis() {
        return readyMillis;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
