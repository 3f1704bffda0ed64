package io.kube4j.apiserver;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * apiserver configuration ({@code kube4j.*}; environment variables such as
 * {@code KUBE4J_ETCD_ENDPOINTS} work in compose).
 *
 * @param etcd           where etcd is and how long a request may take
 * @param watchCache     how many recent events the watch cache keeps (its window for resuming watches),
 *                       and when it counts as dead for {@code /livez}
 * @param compaction     how often etcd history is compacted and how many revisions are kept
 * @param maxRequestBytes request bodies above this size get 413
 * @param admission      admission defaults
 * @param security       authentication and authorization (on unless {@code kube4j.security.insecure})
 * @param requestTimeout how long a write keeps retrying when concurrent writers conflict (Kubernetes'
 *                       {@code --request-timeout}, 1 minute)
 */
@ConfigurationProperties("kube4j")
public record ApiServerProperties(
        @DefaultValue Etcd etcd,
        @DefaultValue WatchCache watchCache,
        @DefaultValue Compaction compaction,
        @DefaultValue("3145728") long maxRequestBytes,
        @DefaultValue Admission admission,
        @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue Security security) {

    /**
     * Who may do what. Secure by default: HTTPS from the cluster PKI, every request authenticated (401 for
     * a bad credential, anonymous without one), authorized (RBAC, Node) and admitted. {@code insecure=true}
     * (for teaching only) serves plain HTTP and allows every request as Kubernetes' old insecure port did,
     * and says so loudly at start.
     *
     * @param insecure      turn authentication, authorization and HTTPS off (default false)
     * @param tokenAuthFile a static token file (Kubernetes' {@code --token-auth-file}), "" for none
     * @param anonymous     requests without credentials are {@code system:anonymous} (Kubernetes'
     *                      {@code --anonymous-auth}, default true); false makes them 401
     * @param pkiDir        where the cluster PKI lives (kubeadm's {@code /etc/kubernetes/pki}): created on the
     *                      first start with security on, reused after
     * @param extraSans     further DNS names or IP addresses in the serving certificate (kubeadm's
     *                      {@code apiServer.certSANs})
     * @param nodes         the nodes to create a kubelet client certificate and kubeconfig for
     * @param server        the apiserver URL written into the kubeconfigs, "" for
     *                      {@code https://127.0.0.1:<server.port>}
     * @param serviceAccountIssuer the {@code iss} of ServiceAccount tokens (Kubernetes'
     *                      {@code --service-account-issuer}; kubeadm's value)
     * @param apiAudiences  the audiences a token must carry to be accepted by this apiserver
     *                      (Kubernetes' {@code --api-audiences}); empty means the issuer
     * @param serviceAccountExtendTokenExpiration Kubernetes' {@code --service-account-extend-token-expiration}
     *                      (default true): pod-bound tokens asked for 3607 s are issued for a year and only
     *                      warned about after 3607 s
     * @param serviceAccountMaxTokenExpiration Kubernetes' {@code --service-account-max-token-expiration}; zero
     *                      means no limit
     */
    public record Security(@DefaultValue("false") boolean insecure,
                           @DefaultValue("") String tokenAuthFile,
                           @DefaultValue("true") boolean anonymous,
                           @DefaultValue("pki") String pkiDir,
                           @DefaultValue List<String> extraSans,
                           @DefaultValue List<String> nodes,
                           @DefaultValue("") String server,
                           @DefaultValue("https://kubernetes.default.svc.cluster.local") String serviceAccountIssuer,
                           @DefaultValue List<String> apiAudiences,
                           @DefaultValue("true") boolean serviceAccountExtendTokenExpiration,
                           @DefaultValue("0s") Duration serviceAccountMaxTokenExpiration) {
        /** True unless {@link #insecure}: requests are authenticated, authorized and served over HTTPS. */
        public boolean secure() {
            return !insecure;
        }

        /** The audiences of this apiserver: {@link #apiAudiences}, else the issuer (as kube-apiserver defaults them). */
        public List<String> audiences() {
            return apiAudiences.isEmpty() ? List.of(serviceAccountIssuer) : apiAudiences;
        }
    }

    /**
     * The tolerationSeconds of the not-ready/unreachable NoExecute tolerations added to every pod (as
     * Kubernetes' DefaultTolerationSeconds admission plugin): how long pods stay on a lost node.
     * A demo cluster can use 20 s instead of 300 s.
     */
    public record Admission(@DefaultValue("300") long defaultTolerationSeconds) {
    }

    /** etcd endpoints (comma-separated) and per-request timeout. */
    public record Etcd(@DefaultValue("http://127.0.0.1:2379") String endpoints,
                       @DefaultValue("5s") Duration requestTimeout) {
    }

    /**
     * The watch cache: ring buffer capacity in events, most events per long-poll answer, and how long it
     * may be unable to (re)load from etcd, or its thread stalled, before {@code /livez} fails so that a
     * supervisor restarts the process. {@code watcherIndex} (on by default) wakes a waiting watcher only
     * for events of its prefix and, for pods with an exact {@code spec.nodeName} selector, of its node;
     * {@code sharedEncoding} (on by default) encodes each event's object to JSON once for all watchers.
     * Both exist to be switched off for the fan-out benchmark's baseline. {@code capacityBytes} bounds the
     * history by size as well: events older than the newest 1,024 keep only their objects' JSON, and the
     * oldest are dropped while those bytes exceed it (Kubernetes bounds its per-resource buffers by count
     * and age only, but holds Go structs; kube4j's decoded trees are several times their JSON).
     */
    public record WatchCache(@DefaultValue("20000") int capacity,
                             @DefaultValue("5000") int batchLimit,
                             @DefaultValue("2m") Duration livenessTimeout,
                             @DefaultValue("true") boolean watcherIndex,
                             @DefaultValue("true") boolean sharedEncoding,
                             @DefaultValue("64MB") org.springframework.util.unit.DataSize capacityBytes) {
    }

    /** Compaction period and how many revisions of history to keep behind the head. */
    public record Compaction(@DefaultValue("5m") Duration interval,
                             @DefaultValue("50000") long keepRevisions) {
    }
}
