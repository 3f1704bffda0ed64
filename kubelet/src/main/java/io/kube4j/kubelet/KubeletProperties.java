package io.kube4j.kubelet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The kubelet's configuration ({@code kube4j.kubelet.*}; as environment variables
 * {@code KUBE4J_KUBELET_NODE_NAME}, {@code KUBE4J_KUBELET_RUNTIME}, ...).
 *
 * @param nodeName        the Node's name; empty means the hostname
 * @param runtime         docker, cri (a CRI v1 runtime such as containerd: {@link CriProperties}), process or fake
 * @param count           how many kubelets this process runs (fake runtime only): names get a suffix -0, -1, ...
 * @param address         the InternalIP the apiserver reaches the log endpoint on; empty means the address of the
 *                        route to the apiserver when not loopback, else the first non-loopback IPv4
 * @param capacity        overrides of the machine's cpu, memory and pods
 * @param labels          extra node labels
 * @param taints          node taints as {@code key=value:Effect} or {@code key:Effect}
 * @param sandboxImage    the image of pod sandboxes (docker runtime); must exist locally
 * @param rootDir         where each node's pod directories (volumes) go, and the process runtime's logs and scratch volumes
 * @param syncPeriod      how often each pod worker re-checks its pod without being told
 * @param relistPeriod    how often the runtime is listed (once per node, for all pods; Kubernetes' PLEG relist period)
 * @param statusInterval  how often node status is checked and the Lease renewed
 * @param statusReport    the longest time between two node status writes
 * @param docker          docker runtime settings
 * @param fake            fake (hollow) runtime settings
 * @param tlsCertFile     the serving certificate (PEM, leaf first, then intermediates) of the kubelet's HTTPS port
 *                        (Kubernetes' {@code --tls-cert-file}); empty with {@code tlsPrivateKeyFile} empty: a
 *                        self-signed one made at the first start in {@code <root-dir>/<node>/pki}, as the kubelet
 *                        does in its {@code --cert-dir}
 * @param tlsPrivateKeyFile its private key (PEM; Kubernetes' {@code --tls-private-key-file})
 * @param authentication  who a request to the kubelet's API is (client certificates, anonymous)
 * @param authorization   what that user may do there ({@code AlwaysAllow} or {@code Webhook})
 * @param networkPlugin   how pods get their network (docker runtime): {@code docker} (Docker's own bridge and IPAM, the
 *                        default) or {@code cni} (sandboxes with {@code NetworkMode: none}, attached by CNI plugins as
 *                        Kubernetes' removed {@code --network-plugin=cni} did)
 * @param cni             where CNI plugins and network configurations are ({@code network-plugin=cni})
 * @param nonMasqueradeCidr with {@code network-plugin=cni}: pod traffic to addresses outside this CIDR is
 *                        masqueraded to the node's address (Kubernetes' {@code --non-masquerade-cidr}, default
 *                        {@code 10.0.0.0/8}; set it to the cluster CIDR; {@code 0.0.0.0/0}: no rule), see
 *                        {@code network/KubenetMasquerade}
 */
@ConfigurationProperties("kube4j.kubelet")
public record KubeletProperties(
        @DefaultValue("") String nodeName,
        @DefaultValue("process") String runtime,
        @DefaultValue("1") int count,
        @DefaultValue("") String address,
        @DefaultValue Capacity capacity,
        Map<String, String> labels,
        List<String> taints,
        @DefaultValue("local/busybox:latest") String sandboxImage,
        @DefaultValue("") String rootDir,
        @DefaultValue("1s") Duration syncPeriod,
        @DefaultValue("1s") Duration relistPeriod,
        @DefaultValue("10s") Duration statusInterval,
        @DefaultValue("40s") Duration statusReport,
        @DefaultValue Docker docker,
        @DefaultValue Fake fake,
        @DefaultValue("") String tlsCertFile,
        @DefaultValue("") String tlsPrivateKeyFile,
        @DefaultValue Authentication authentication,
        @DefaultValue Authorization authorization,
        @DefaultValue("docker") String networkPlugin,
        @DefaultValue Cni cni,
        @DefaultValue("10.0.0.0/8") String nonMasqueradeCidr) {

    public KubeletProperties {
        labels = labels == null ? Map.of() : labels;
        taints = taints == null ? List.of() : taints;
    }

    /**
     * The directory of one node's files (absolute): {@code <root-dir>/<node>}, the root dir defaulting to
     * {@code $TMPDIR/kube4j-kubelet}. The kubelet keeps its pod directories in {@code pods/} below it; the
     * process runtime keeps its own per-pod directories there too.
     */
    public Path nodeDir(String nodeName) {
        Path base = rootDir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "kube4j-kubelet") : Path.of(rootDir);
        return base.resolve(nodeName).toAbsolutePath().normalize();
    }

    /**
     * CNI settings (Kubernetes' removed {@code --cni-bin-dir} and {@code --cni-conf-dir}, containerd's
     * {@code bin_dir}/{@code conf_dir}).
     *
     * @param binDir  the plugin search path, colon-separated (CNI_PATH); Debian's containernetworking-plugins live in
     *                {@code /usr/lib/cni}, upstream's releases in {@code /opt/cni/bin}
     * @param confDir where the node's network configuration is looked for ({@code *.conf}, {@code *.conflist},
     *                {@code *.json}, first in lexical order); when it holds none, a kubenet-style bridge network is
     *                generated from the Node's {@code spec.podCIDR}
     */
    public record Cni(@DefaultValue("/usr/lib/cni:/opt/cni/bin") String binDir, @DefaultValue("/etc/cni/net.d") String confDir) {
    }

    /** Capacity overrides; empty means "what the machine has" (pods: 110). */
    public record Capacity(@DefaultValue("") String cpu, @DefaultValue("") String memory, @DefaultValue("110") String pods) {
    }

    /** @param socket the Docker Engine's unix socket; @param network the Docker network pods join (empty: the default bridge) */
    public record Docker(@DefaultValue("/var/run/docker.sock") String socket, @DefaultValue("") String network,
                         @DefaultValue PodNetwork pod) {
    }

    /**
     * How pods reach the cluster's Services (docker runtime): the cluster DNS server and domain written
     * into each pod's resolv.conf, and a route for the service range via the kube-proxy that listens on
     * ClusterIPs. Empty values leave Docker's defaults.
     *
     * @param clusterDns     the cluster DNS server's IP (Kubernetes' --cluster-dns)
     * @param clusterDomain  the cluster domain (Kubernetes' --cluster-domain)
     * @param serviceCidr    the Service ClusterIP range, e.g. 10.96.0.0/12
     * @param serviceGateway where to send traffic for that range: the kube-proxy's address on the pods' network
     */
    public record PodNetwork(@DefaultValue("") String clusterDns, @DefaultValue("cluster.local") String clusterDomain,
                             @DefaultValue("") String serviceCidr, @DefaultValue("") String serviceGateway) {
    }

    /**
     * The hollow runtime's timings, so hollow nodes take about as long as real ones.
     *
     * @param startDelay  how long starting a container takes
     * @param podIp       a fixed pod IP (empty: made-up 10.244.x.y addresses, never contacted)
     * @param pullDelay   how long pulling an image takes
     * @param stopDelay   how long a container takes to exit after SIGTERM (longer than the grace period: SIGKILL, 137)
     * @param initRunTime how long an init container without a command runs before it completes
     * @param cpuUsage    the CPU each hollow container reports using (cores, e.g. {@code 5m}) unless its pod's
     *                    {@code kube4j.io/synthetic-cpu} annotation says otherwise
     * @param memoryUsage the working set each hollow container reports (bytes, e.g. {@code 16Mi}) unless its pod's
     *                    {@code kube4j.io/synthetic-memory} annotation says otherwise
     */
    public record Fake(@DefaultValue("0s") Duration startDelay, @DefaultValue("") String podIp,
                       @DefaultValue("0s") Duration pullDelay, @DefaultValue("0s") Duration stopDelay,
                       @DefaultValue("1s") Duration initRunTime, @DefaultValue("0") String cpuUsage,
                       @DefaultValue("0") String memoryUsage) {
    }

    /**
     * The kubelet API's authentication (Kubernetes' {@code KubeletAuthentication}).
     *
     * @param clientCaFile a PEM bundle of CAs: a client certificate chaining to one of them authenticates its CN
     *                     as user and its O values as groups (Kubernetes' {@code authentication.x509.clientCAFile});
     *                     empty: client certificates are not looked at
     * @param anonymous    a request without credentials is {@code system:anonymous} in {@code system:unauthenticated}
     *                     (Kubernetes' {@code authentication.anonymous.enabled}, default true); false: 401
     * @param webhook      bearer tokens checked by the apiserver (TokenReview)
     */
    public record Authentication(@DefaultValue("") String clientCaFile, @DefaultValue("true") boolean anonymous,
                                 @DefaultValue TokenWebhook webhook) {
    }

    /**
     * Bearer token authentication by TokenReview (Kubernetes' {@code --authentication-token-webhook}, default false,
     * and {@code --authentication-token-webhook-cache-ttl}, 2 min).
     */
    public record TokenWebhook(@DefaultValue("false") boolean enabled, @DefaultValue("2m") Duration cacheTtl) {
    }

    /**
     * The kubelet API's authorization (Kubernetes' {@code KubeletAuthorization}).
     *
     * @param mode    {@code AlwaysAllow} (Kubernetes' kubelet default) or {@code Webhook}: each request's attributes
     *                are asked of the apiserver as a SubjectAccessReview
     * @param webhook the Webhook mode's answer cache
     */
    public record Authorization(@DefaultValue("AlwaysAllow") String mode, @DefaultValue Webhook webhook) {
    }

    /**
     * How long SubjectAccessReview answers are reused (Kubernetes' {@code authorization.webhook.cacheAuthorizedTTL}
     * 5 min and {@code cacheUnauthorizedTTL} 30 s).
     */
    public record Webhook(@DefaultValue("5m") Duration cacheAuthorizedTtl, @DefaultValue("30s") Duration cacheUnauthorizedTtl) {
    }
}
