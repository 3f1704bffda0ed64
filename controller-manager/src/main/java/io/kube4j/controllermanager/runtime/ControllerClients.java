package io.kube4j.controllermanager.runtime;

import io.kube4j.client.ApiClient;
import io.kube4j.client.TokenBucketRateLimiter;
import io.kube4j.events.EventRecorder;

/**
 * Makes each controller's {@link ControllerClient}. As in kube-controller-manager, where every
 * controller gets its own clientset ({@code ClientBuilder.ClientOrDie("replicaset-controller")}) and so
 * its own {@code --kube-api-qps} / {@code --kube-api-burst} token bucket, each controller here waits for
 * tokens of its own limiter: a ReplicaSet creating 500 pods does not slow the node lifecycle controller
 * down. All share one HTTP client. Events are written through the unthrottled base client: Kubernetes
 * throttles them too, but its event correlator also drops and aggregates most of them, which kube4j's
 * {@link EventRecorder} does not; they are asynchronous either way.
 */
public final class ControllerClients {
    private final ApiClient base;
    private final EventRecorder events;
    private final double qps;
    private final int burst;

    /**
     * @param base   the shared client (informers, leader election and events use it as is)
     * @param events records Events for every controller
     * @param qps    each controller's sustained requests a second; 0 or less: no limit
     * @param burst  each controller's bucket size
     */
    public ControllerClients(ApiClient base, EventRecorder events, double qps, int burst) {
        this.base = base;
        this.events = events;
        this.qps = qps;
        this.burst = burst;
    }

    /** A new client for the controller called {@code name}, with a token bucket of its own (unless qps is 0 or less). */
    public ControllerClient forController(String name) {
        return forController(name, 1, 1);
    }

    /**
     * A new client whose bucket is {@code qpsFactor} times the sustained rate and {@code burstFactor} times the
     * burst: kube-controller-manager raises them for its chattiest controllers (cmd/kube-controller-manager/app/core.go:
     * the namespace controller gets {@code QPS *= 20, Burst *= 100}, the garbage collector {@code QPS *= 2}).
     * Its Events carry the controller's own {@code source.component}, as each Kubernetes controller makes its recorder
     * ({@link #eventSource}).
     */
    public ControllerClient forController(String name, double qpsFactor, int burstFactor) {
        ApiClient client = qps > 0 ? base.withRateLimiter(new TokenBucketRateLimiter(qps * qpsFactor, burst * burstFactor)) : base;
        return new ApiControllerClient(client, events.forComponent(eventSource(name)));
    }

    /**
     * The {@code EventSource.Component} each Kubernetes controller records its Events with ({@code NewRecorder} in its
     * constructor: {@code "deployment-controller"}, the disruption controller's {@code "controllermanager"}, ...);
     * {@code name} itself for a controller that records none.
     */
    static String eventSource(String name) {
        return switch (name) {
            case "deployment" -> "deployment-controller";
            case "replicaset" -> "replicaset-controller";
            case "replicationcontroller" -> "replication-controller";
            case "job" -> "job-controller";
            case "cronjob" -> "cronjob-controller";
            case "daemonset" -> "daemonset-controller";
            case "statefulset" -> "statefulset-controller";
            case "endpoints" -> "endpoint-controller";
            case "endpointslice" -> "endpoint-slice-controller";
            case "endpointslicemirroring" -> "endpoint-slice-mirroring-controller";
            case "nodelifecycle" -> "node-controller";
            case "nodeipam" -> "cidrAllocator";
            case "disruption" -> "controllermanager";
            case "persistentvolume-binder" -> "persistentvolume-controller";
            case "garbagecollector" -> "garbage-collector-controller";
            case "ttl-after-finished" -> "ttl-after-finished-controller";
            default -> name;
        };
    }
}
