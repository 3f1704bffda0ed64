package io.kube4j.apiserver;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

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
 * @param security       authentication and authorization (off unless {@code kube4j.security.enabled})
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
     * Who may do what. {@code enabled=false} (today's default, until every component and fixture carries
     * credentials) allows every request as Kubernetes' old insecure port did, and says so loudly at start.
     *
     * @param enabled       authenticate every request (401 for a bad credential, anonymous without one)
     * @param tokenAuthFile a static token file (Kubernetes' {@code --token-auth-file}), "" for none
     * @param anonymous     requests without credentials are {@code system:anonymous} (Kubernetes'
     *                      {@code --anonymous-auth}, default true); false makes them 401
     */
    public record Security(@DefaultValue("false") boolean enabled,
                           @DefaultValue("") String tokenAuthFile,
                           @DefaultValue("true") boolean anonymous) {
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
     * supervisor restarts the process.
     */
    public record WatchCache(@DefaultValue("20000") int capacity,
                             @DefaultValue("5000") int batchLimit,
                             @DefaultValue("2m") Duration livenessTimeout) {
    }

    /** Compaction period and how many revisions of history to keep behind the head. */
    public record Compaction(@DefaultValue("5m") Duration interval,
                             @DefaultValue("50000") long keepRevisions) {
    }
}
