package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.HorizontalPodAutoscaler;
import io.kube4j.api.HorizontalPodAutoscaler.HPAScalingPolicy;
import io.kube4j.api.HorizontalPodAutoscaler.HPAScalingRules;
import io.kube4j.api.HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior;
import io.kube4j.api.HorizontalPodAutoscaler.HorizontalPodAutoscalerCondition;
import io.kube4j.api.HorizontalPodAutoscaler.MetricSpec;
import io.kube4j.api.HorizontalPodAutoscaler.MetricStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.Scale;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;
import io.kube4j.quantity.Quantity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2): every sync period, reads the target's scale
 * subresource, computes the replicas each metric asks for (Resource metrics, cpu and memory, with
 * Utilization and AverageValue targets, from the resource metrics API), takes the largest, normalizes it
 * (bounds, stabilization window, scaling policies of {@code spec.behavior}, or the legacy rate limit
 * without one), writes the scale when it changes and the status (currentReplicas, desiredReplicas,
 * currentMetrics, lastScaleTime, conditions AbleToScale / ScalingActive / ScalingLimited) when it changed,
 * with Kubernetes' reasons, messages and events. Recommendations and scale events are kept in memory per
 * HPA, as Kubernetes keeps them; a restarted controller-manager starts them afresh.
 *
 * <p>Pods and ContainerResource metrics are not served (no custom metrics API): they set ScalingActive False
 * with reason FailedGetPodsMetric / FailedGetObjectMetric / FailedGetExternalMetric. An HPA without metrics is
 * treated as cpu at 80% Utilization, and unset behavior fields take their defaults, which Kubernetes' apiserver
 * fills in on write ({@code pkg/apis/autoscaling/v2/defaults.go}).
 *
 * <p>Kubernetes: {@code pkg/controller/podautoscaler/horizontal.go} (1.32).
 */
public final class HorizontalController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(HorizontalController.class);
    /** {@code autoscaling.DefaultCPUUtilization}. */
    static final int DEFAULT_CPU_UTILIZATION = 80;
    private static final double SCALE_UP_LIMIT_FACTOR = 2.0;
    private static final double SCALE_UP_LIMIT_MINIMUM = 4.0;

    private record TimestampedRecommendation(int recommendation, Instant timestamp) {
    }

    private static final class TimestampedScaleEvent {
        final int replicaChange;
        final Instant timestamp;
        boolean outdated;

        TimestampedScaleEvent(int replicaChange, Instant timestamp) {
            this.replicaChange = replicaChange;
            this.timestamp = timestamp;
        }
    }

    // reads: the HPA and Pod caches, never mutated
    private final Informer<HorizontalPodAutoscaler> hpas;
    private final Informer<Pod> pods;
    // status writes and events
    private final ControllerClient client;
    // the targets' scale subresource
    private final ScaleClient scales;
    // the resource metrics API
    private final MetricsClient metrics;
    private final ReplicaCalculator calculator;
    private final Clock clock;
    // --horizontal-pod-autoscaler-sync-period: every HPA is looked at this often
    private final Duration syncPeriod;
    // --horizontal-pod-autoscaler-downscale-stabilization: the scaleDown window when behavior does not set one
    private final Duration downscaleStabilisationWindow;
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // latest unstabilized recommendations per HPA key
    private final Map<String, List<TimestampedRecommendation>> recommendations = new ConcurrentHashMap<>();
    // latest scale events per HPA key (only with behavior)
    private final Map<String, List<TimestampedScaleEvent>> scaleUpEvents = new ConcurrentHashMap<>();
    private final Map<String, List<TimestampedScaleEvent>> scaleDownEvents = new ConcurrentHashMap<>();

    public HorizontalController(SharedInformers informers, ControllerClient client, ScaleClient scales, MetricsClient metrics,
                                ReplicaCalculator calculator, Clock clock, Duration syncPeriod, Duration downscaleStabilisationWindow) {
        this.hpas = informers.informer(HorizontalPodAutoscaler.class);
        this.pods = informers.informer(Pod.class);
        this.client = client;
        this.scales = scales;
        this.metrics = metrics;
        this.calculator = calculator;
        this.clock = clock;
        this.syncPeriod = syncPeriod;
        this.downscaleStabilisationWindow = downscaleStabilisationWindow;
        hpas.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                queue.add(hpa.key());
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
                // our own status writes come back here: only a spec change needs a sync before the period ends
                // (compared itself: autoscaling/v2 keeps no metadata.generation in Kubernetes 1.32)
                if (!Json.write(old.spec).equals(Json.write(hpa.spec))) {
                    queue.add(hpa.key());
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa) {
                queue.add(hpa.key());
            }
        });
    }

    @Override
    public String name() {
        return "horizontalpodautoscaling";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(hpas, pods);
    }

    @Override
    public Result reconcile(String key) {
        HorizontalPodAutoscaler cached = hpas.store().get(key);
        if (cached == null) {
            recommendations.remove(key);
            scaleUpEvents.remove(key);
            scaleDownEvents.remove(key);
            return Result.done();
        }
        try {
            reconcileAutoscaler(Json.copy(cached), key);
        } catch (RuntimeException e) {
            // as Kubernetes: log, and look again after the sync period like any other HPA
            log.info("horizontal pod autoscaler {}: {}", key, e.getMessage());
        }
        return Result.requeueAfter(syncPeriod);
    }

    private void reconcileAutoscaler(HorizontalPodAutoscaler hpa, String key) {
        String originalStatus = Json.write(hpa.status);
        HorizontalPodAutoscaler.CrossVersionObjectReference ref = hpa.spec.scaleTargetRef;
        String reference = ref.kind + "/" + hpa.metadata.namespace + "/" + ref.name;
        Scale scale;
        try {
            scale = scales.get(ref.apiVersion, ref.kind, hpa.metadata.namespace, ref.name);
        } catch (ScaleClient.ScaleException e) {
            client.warningEvent(hpa, "FailedGetScale", e.getMessage());
            setCondition(hpa, "AbleToScale", "False", "FailedGetScale", "the HPA controller was unable to get the target's current scale: " + e.getMessage());
            updateStatusIfNeeded(originalStatus, hpa);
            throw new IllegalStateException("failed to query scale subresource for " + reference + ": " + e.getMessage());
        }
        setCondition(hpa, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
        int currentReplicas = scale.spec.replicas == null ? 0 : scale.spec.replicas;
        recordInitialRecommendation(currentReplicas, key);

        List<MetricStatus> metricStatuses = new ArrayList<>();
        int desiredReplicas = 0;
        String rescaleReason = "";
        int minReplicas = hpa.spec.minReplicas == null ? 1 : hpa.spec.minReplicas;
        boolean rescale = true;
        if (currentReplicas == 0 && minReplicas != 0) {
            // autoscaling is disabled for this resource
            desiredReplicas = 0;
            rescale = false;
            setCondition(hpa, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
        } else if (currentReplicas > hpa.spec.maxReplicas) {
            rescaleReason = "Current number of replicas above Spec.MaxReplicas";
            desiredReplicas = hpa.spec.maxReplicas;
        } else if (currentReplicas < minReplicas) {
            rescaleReason = "Current number of replicas below Spec.MinReplicas";
            desiredReplicas = minReplicas;
        } else {
            Proposal proposal;
            try {
                proposal = computeReplicasForMetrics(hpa, scale, effectiveMetrics(hpa), metricStatuses);
            } catch (MetricsFailure e) {
                setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, hpa.status.currentMetrics, false);
                updateStatusIfNeeded(originalStatus, hpa);
                client.warningEvent(hpa, "FailedComputeMetricsReplicas", e.getMessage());
                throw new IllegalStateException("failed to compute desired number of replicas based on listed metrics for " + reference + ": " + e.getMessage());
            }
            String rescaleMetric = "";
            if (proposal.replicas > desiredReplicas) {
                desiredReplicas = proposal.replicas;
                rescaleMetric = proposal.metric;
            }
            if (desiredReplicas > currentReplicas) {
                rescaleReason = rescaleMetric + " above target";
            }
            if (desiredReplicas < currentReplicas) {
                rescaleReason = "All metrics below target";
            }
            if (hpa.spec.behavior == null) {
                desiredReplicas = normalizeDesiredReplicas(hpa, key, currentReplicas, desiredReplicas, minReplicas);
            } else {
                desiredReplicas = normalizeDesiredReplicasWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas);
            }
            rescale = desiredReplicas != currentReplicas;
        }

        if (rescale) {
            try {
                scales.update(ref.apiVersion, ref.kind, hpa.metadata.namespace, ref.name, desiredReplicas);
            } catch (ScaleClient.ScaleException e) {
                client.warningEvent(hpa, "FailedRescale", "New size: " + desiredReplicas + "; reason: " + rescaleReason + "; error: " + e.getMessage());
                setCondition(hpa, "AbleToScale", "False", "FailedUpdateScale", "the HPA controller was unable to update the target scale: " + e.getMessage());
                setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, hpa.status.currentMetrics, false);
                updateStatusIfNeeded(originalStatus, hpa);
                throw new IllegalStateException("failed to rescale " + reference + ": " + e.getMessage());
            }
            setCondition(hpa, "AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to " + desiredReplicas);
            client.normalEvent(hpa, "SuccessfulRescale", "New size: " + desiredReplicas + "; reason: " + rescaleReason);
            storeScaleEvent(effectiveBehavior(hpa), key, currentReplicas, desiredReplicas);
            log.info("Successful rescale of {}, old size: {}, new size: {}, reason: {}", hpa.metadata.name, currentReplicas, desiredReplicas, rescaleReason);
        } else {
            desiredReplicas = currentReplicas;
        }
        setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
        updateStatusIfNeeded(originalStatus, hpa);
    }

    /** The HPA's metrics; none means cpu at 80% Utilization (the apiserver's default for autoscaling/v2). */
    static List<MetricSpec> effectiveMetrics(HorizontalPodAutoscaler hpa) {
        if (hpa.spec.metrics != null && !hpa.spec.metrics.isEmpty()) {
            return hpa.spec.metrics;
        }
        MetricSpec cpu = new MetricSpec();
        cpu.type = "Resource";
        cpu.resource = new HorizontalPodAutoscaler.ResourceMetricSource();
        cpu.resource.name = "cpu";
        cpu.resource.target = new HorizontalPodAutoscaler.MetricTarget();
        cpu.resource.target.type = "Utilization";
        cpu.resource.target.averageUtilization = DEFAULT_CPU_UTILIZATION;
        return List.of(cpu);
    }

    private record Proposal(int replicas, String metric) {
    }

    /** All metrics failed: the message of Kubernetes' error. */
    private static final class MetricsFailure extends RuntimeException {
        MetricsFailure(String message) {
            super(message);
        }
    }

    /** A condition proposed for a failed metric (ScalingActive False). */
    private record FailedMetric(String reason, String message, String error) {
    }

    /** Kubernetes' {@code computeReplicasForMetrics}: the largest proposal of the valid metrics. */
    private Proposal computeReplicasForMetrics(HorizontalPodAutoscaler hpa, Scale scale, List<MetricSpec> specs, List<MetricStatus> statuses) {
        if (scale.status.selector == null || scale.status.selector.isEmpty()) {
            String msg = "selector is required";
            client.warningEvent(hpa, "SelectorRequired", msg);
            setCondition(hpa, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
            throw new MetricsFailure(msg);
        }
        Selector selector;
        try {
            selector = Selector.parse(scale.status.selector);
        } catch (IllegalArgumentException e) {
            String msg = "couldn't convert selector into a corresponding internal selector object: " + e.getMessage();
            client.warningEvent(hpa, "InvalidSelector", msg);
            setCondition(hpa, "ScalingActive", "False", "InvalidSelector", msg);
            throw new MetricsFailure(msg);
        }
        int specReplicas = scale.spec.replicas == null ? 0 : scale.spec.replicas;
        int replicas = 0;
        String metric = "";
        int invalid = 0;
        FailedMetric firstFailure = null;
        for (MetricSpec spec : specs) {
            MetricStatus status = new MetricStatus();
            statuses.add(status);
            try {
                Proposal p = computeReplicasForMetric(hpa, spec, specReplicas, selector, status);
                if (replicas == 0 || p.replicas > replicas) {
                    replicas = p.replicas;
                    metric = p.metric;
                }
            } catch (FailedMetricException e) {
                if (invalid == 0) {
                    firstFailure = e.failure;
                }
                invalid++;
            }
        }
        if (invalid >= specs.size()) {
            setCondition(hpa, "ScalingActive", "False", firstFailure.reason, firstFailure.message);
            throw new MetricsFailure("invalid metrics (" + invalid + " invalid out of " + specs.size() + "), first error is: " + firstFailure.error);
        }
        setCondition(hpa, "ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from " + metric);
        return new Proposal(replicas, metric);
    }

    private static final class FailedMetricException extends RuntimeException {
        final FailedMetric failure;

        FailedMetricException(FailedMetric failure) {
            super(failure.error);
            this.failure = failure;
        }
    }

    /** Records the warning event and builds the condition of {@code getUnableComputeReplicaCountCondition}. */
    private FailedMetricException unable(HorizontalPodAutoscaler hpa, String reason, String eventMessage, String error) {
        client.warningEvent(hpa, reason, eventMessage);
        return new FailedMetricException(new FailedMetric(reason, "the HPA was unable to compute the replica count: " + eventMessage, error));
    }

    private Proposal computeReplicasForMetric(HorizontalPodAutoscaler hpa, MetricSpec spec, int specReplicas, Selector selector, MetricStatus status) {
        String type = spec.type == null ? "" : spec.type;
        return switch (type) {
            case "Resource" -> computeStatusForResourceMetric(hpa, specReplicas, spec.resource, "", selector, status);
            case "ContainerResource" -> computeStatusForResourceMetric(hpa, specReplicas,
                    spec.containerResource == null ? null : asResource(spec.containerResource), spec.containerResource == null ? "" : spec.containerResource.container,
                    selector, status);
            case "Pods" -> throw unable(hpa, "FailedGetPodsMetric", "unable to get metric " + name(spec.pods == null ? null : spec.pods.metric)
                    + ": no custom metrics API (custom.metrics.k8s.io) is served", "failed to get pods metric value: no custom metrics API is served");
            case "Object" -> throw unable(hpa, "FailedGetObjectMetric", "unable to get metric " + name(spec.object == null ? null : spec.object.metric)
                    + ": no custom metrics API (custom.metrics.k8s.io) is served", "failed to get object metric value: no custom metrics API is served");
            case "External" -> throw unable(hpa, "FailedGetExternalMetric", "unable to get external metric " + name(spec.external == null ? null : spec.external.metric)
                    + ": no external metrics API (external.metrics.k8s.io) is served", "failed to get external metric: no external metrics API is served");
            default -> {
                String msg = "unknown metric source type \"" + type + "\"";
                throw unable(hpa, "InvalidMetricSourceType", msg, msg);
            }
        };
    }

    private static String name(HorizontalPodAutoscaler.MetricIdentifier id) {
        return id == null ? "" : id.name;
    }

    private static HorizontalPodAutoscaler.ResourceMetricSource asResource(HorizontalPodAutoscaler.ContainerResourceMetricSource c) {
        HorizontalPodAutoscaler.ResourceMetricSource r = new HorizontalPodAutoscaler.ResourceMetricSource();
        r.name = c.name;
        r.target = c.target;
        return r;
    }

    /** Kubernetes' {@code computeStatusForResourceMetric} (and its ContainerResource twin when {@code container} is set). */
    private Proposal computeStatusForResourceMetric(HorizontalPodAutoscaler hpa, int currentReplicas, HorizontalPodAutoscaler.ResourceMetricSource source,
                                                    String container, Selector selector, MetricStatus status) {
        String reason = container.isEmpty() ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric";
        if (source == null || source.target == null) {
            String msg = "invalid resource metric source: neither a utilization target nor a value target was set";
            throw unable(hpa, reason, msg, msg);
        }
        String resource = source.name;
        List<Pod> podList = podsOf(hpa.metadata.namespace, selector);
        if (source.target.averageValue != null) {
            ReplicaCalculator.Replicas r;
            try {
                MetricsClient.PodMetrics m = fetch(resource, hpa.metadata.namespace, selector, container);
                r = calculator.rawResourceReplicas(currentReplicas, source.target.averageValue.milliValue(), resource, podList, m);
            } catch (MetricsClient.MetricsException | ReplicaCalculator.CalculationException e) {
                throw unable(hpa, reason, e.getMessage(), "failed to get " + resource + " utilization: " + e.getMessage());
            }
            fillStatus(status, source.name, container, milli(r.rawUtilization()), null);
            return new Proposal(r.replicas(), container.isEmpty() ? resource + " resource" : resource + " container resource");
        }
        if (source.target.averageUtilization == null) {
            String msg = "invalid resource metric source: neither a utilization target nor a value target was set";
            throw unable(hpa, reason, msg, msg);
        }
        ReplicaCalculator.Replicas r;
        try {
            MetricsClient.PodMetrics m = fetch(resource, hpa.metadata.namespace, selector, container);
            r = calculator.resourceReplicas(currentReplicas, source.target.averageUtilization, resource, podList, m, container);
        } catch (MetricsClient.MetricsException | ReplicaCalculator.CalculationException e) {
            throw unable(hpa, reason, e.getMessage(), "failed to get " + resource + " utilization: " + e.getMessage());
        }
        fillStatus(status, source.name, container, milli(r.rawUtilization()), r.utilization());
        return new Proposal(r.replicas(), container.isEmpty()
                ? resource + " resource utilization (percentage of request)"
                : resource + " container resource utilization (percentage of request)");
    }

    /** The metrics, with the calculator's "unable to get metrics for resource" wrapping. */
    private MetricsClient.PodMetrics fetch(String resource, String namespace, Selector selector, String container) {
        try {
            return metrics.getResourceMetric(resource, namespace, selector, container);
        } catch (MetricsClient.MetricsException e) {
            throw new MetricsClient.MetricsException("unable to get metrics for resource " + resource + ": " + e.getMessage());
        }
    }

    private static void fillStatus(MetricStatus status, String resource, String container, Quantity averageValue, Integer utilization) {
        HorizontalPodAutoscaler.MetricValueStatus current = new HorizontalPodAutoscaler.MetricValueStatus();
        current.averageValue = averageValue;
        current.averageUtilization = utilization;
        if (container.isEmpty()) {
            status.type = "Resource";
            status.resource = new HorizontalPodAutoscaler.ResourceMetricStatus();
            status.resource.name = resource;
            status.resource.current = current;
        } else {
            status.type = "ContainerResource";
            status.containerResource = new HorizontalPodAutoscaler.ContainerResourceMetricStatus();
            status.containerResource.name = resource;
            status.containerResource.container = container;
            status.containerResource.current = current;
        }
    }

    /** {@code resource.NewMilliQuantity(v, DecimalSI)}, canonical. */
    static Quantity milli(long milliValue) {
        return Quantity.parse(Quantity.parse(milliValue + "m").canonical());
    }

    private List<Pod> podsOf(String namespace, Selector selector) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : SharedInformers.inNamespace(pods.store(), namespace)) {
            if (selector.matches(p.metadata.labels == null ? Map.of() : p.metadata.labels)) {
                out.add(p);
            }
        }
        return out;
    }

    private void recordInitialRecommendation(int currentReplicas, String key) {
        recommendations.computeIfAbsent(key, k -> {
            List<TimestampedRecommendation> l = new ArrayList<>();
            l.add(new TimestampedRecommendation(currentReplicas, clock.instant()));
            return l;
        });
    }

    // ---- normalization without behavior --------------------------------------------------------

    /** Kubernetes' {@code stabilizeRecommendation}: the largest recommendation of the downscale window. */
    private int stabilizeRecommendation(String key, int prenormalized) {
        int max = prenormalized;
        boolean foundOld = false;
        int oldIndex = 0;
        Instant now = clock.instant();
        Instant cutoff = now.minus(downscaleStabilisationWindow);
        List<TimestampedRecommendation> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        for (int i = 0; i < recs.size(); i++) {
            TimestampedRecommendation rec = recs.get(i);
            if (rec.timestamp().isBefore(cutoff)) {
                foundOld = true;
                oldIndex = i;
            } else if (rec.recommendation() > max) {
                max = rec.recommendation();
            }
        }
        if (foundOld) {
            recs.set(oldIndex, new TimestampedRecommendation(prenormalized, now));
        } else {
            recs.add(new TimestampedRecommendation(prenormalized, now));
        }
        return max;
    }

    private int normalizeDesiredReplicas(HorizontalPodAutoscaler hpa, String key, int currentReplicas, int prenormalized, int minReplicas) {
        int stabilized = stabilizeRecommendation(key, prenormalized);
        if (stabilized != prenormalized) {
            setCondition(hpa, "AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
        } else {
            setCondition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
        }
        Limited l = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, hpa.spec.maxReplicas);
        setCondition(hpa, "ScalingLimited", l.replicas == stabilized ? "False" : "True", l.reason, l.message);
        return l.replicas;
    }

    /** A normalized count and the ScalingLimited reason and message that go with it. */
    record Limited(int replicas, String reason, String message) {
    }

    /** Kubernetes' {@code convertDesiredReplicasWithRules}: min, max, and at most doubling (at least 4) per sync. */
    static Limited convertDesiredReplicasWithRules(int currentReplicas, int desiredReplicas, int minReplicas, int maxReplicas) {
        int scaleUpLimit = (int) Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM);
        int maximumAllowed;
        String reason;
        String message;
        if (maxReplicas > scaleUpLimit) {
            maximumAllowed = scaleUpLimit;
            reason = "ScaleUpLimit";
            message = "the desired replica count is increasing faster than the maximum scale rate";
        } else {
            maximumAllowed = maxReplicas;
            reason = "TooManyReplicas";
            message = "the desired replica count is more than the maximum replica count";
        }
        if (desiredReplicas < minReplicas) {
            return new Limited(minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
        } else if (desiredReplicas > maximumAllowed) {
            return new Limited(maximumAllowed, reason, message);
        }
        return new Limited(desiredReplicas, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    // ---- normalization with behavior -----------------------------------------------------------

    private int normalizeDesiredReplicasWithBehaviors(HorizontalPodAutoscaler hpa, String key, int currentReplicas, int prenormalized, int minReplicas) {
        HorizontalPodAutoscalerBehavior behavior = effectiveBehavior(hpa);
        Limited stabilized = stabilizeRecommendationWithBehaviors(key, behavior, currentReplicas, prenormalized);
        if (stabilized.replicas != prenormalized) {
            setCondition(hpa, "AbleToScale", "True", stabilized.reason, stabilized.message);
        } else {
            setCondition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
        }
        Limited l = convertDesiredReplicasWithBehaviorRate(key, behavior, currentReplicas, stabilized.replicas, minReplicas, hpa.spec.maxReplicas);
        setCondition(hpa, "ScalingLimited", l.replicas == stabilized.replicas ? "False" : "True", l.reason, l.message);
        return l.replicas;
    }

    /**
     * The behavior with every unset field defaulted: scaleUp window 0, Max of 4 Pods and 100 Percent per 15 s;
     * scaleDown window the controller's downscale stabilization (5 min), Max of 100 Percent per 15 s.
     * Kubernetes: {@code GenerateHPAScaleUpRules}, {@code GenerateHPAScaleDownRules}, {@code maybeInitScaleDownStabilizationWindow}.
     */
    HorizontalPodAutoscalerBehavior effectiveBehavior(HorizontalPodAutoscaler hpa) {
        if (hpa.spec.behavior == null) {
            return null;
        }
        HorizontalPodAutoscalerBehavior b = new HorizontalPodAutoscalerBehavior();
        b.scaleUp = rules(hpa.spec.behavior.scaleUp, 0, List.of(policy("Pods", 4, 15), policy("Percent", 100, 15)));
        b.scaleDown = rules(hpa.spec.behavior.scaleDown, (int) downscaleStabilisationWindow.toSeconds(), List.of(policy("Percent", 100, 15)));
        return b;
    }

    private static HPAScalingRules rules(HPAScalingRules given, int window, List<HPAScalingPolicy> policies) {
        HPAScalingRules r = new HPAScalingRules();
        r.stabilizationWindowSeconds = given != null && given.stabilizationWindowSeconds != null ? given.stabilizationWindowSeconds : window;
        r.selectPolicy = given != null && given.selectPolicy != null ? given.selectPolicy : "Max";
        r.policies = given != null && given.policies != null && !given.policies.isEmpty() ? given.policies : policies;
        return r;
    }

    private static HPAScalingPolicy policy(String type, int value, int period) {
        HPAScalingPolicy p = new HPAScalingPolicy();
        p.type = type;
        p.value = value;
        p.periodSeconds = period;
        return p;
    }

    /** Kubernetes' {@code stabilizeRecommendationWithBehaviors}: the min (up) or max (down) of the window's recommendations. */
    private Limited stabilizeRecommendationWithBehaviors(String key, HorizontalPodAutoscalerBehavior behavior, int currentReplicas, int desired) {
        int recommendation = desired;
        boolean up = desired >= currentReplicas;
        int delaySeconds = up ? behavior.scaleUp.stabilizationWindowSeconds : behavior.scaleDown.stabilizationWindowSeconds;
        String reason = up ? "ScaleUpStabilized" : "ScaleDownStabilized";
        String message = up ? "recent recommendations were lower than current one, applying the lowest recent recommendation"
                : "recent recommendations were higher than current one, applying the highest recent recommendation";
        int maxDelay = Math.max(behavior.scaleUp.stabilizationWindowSeconds, behavior.scaleDown.stabilizationWindowSeconds);
        Instant now = clock.instant();
        Instant obsoleteCutoff = now.minusSeconds(maxDelay);
        Instant cutoff = now.minusSeconds(delaySeconds);
        boolean foundOld = false;
        int oldIndex = 0;
        List<TimestampedRecommendation> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        for (int i = 0; i < recs.size(); i++) {
            TimestampedRecommendation rec = recs.get(i);
            if (rec.timestamp().isAfter(cutoff)) {
                recommendation = up ? Math.min(rec.recommendation(), recommendation) : Math.max(rec.recommendation(), recommendation);
            }
            if (rec.timestamp().isBefore(obsoleteCutoff)) {
                foundOld = true;
                oldIndex = i;
            }
        }
        if (foundOld) {
            recs.set(oldIndex, new TimestampedRecommendation(desired, now));
        } else {
            recs.add(new TimestampedRecommendation(desired, now));
        }
        return new Limited(recommendation, reason, message);
    }

    /** Kubernetes' {@code convertDesiredReplicasWithBehaviorRate}. */
    private Limited convertDesiredReplicasWithBehaviorRate(String key, HorizontalPodAutoscalerBehavior behavior, int currentReplicas, int desired,
                                                           int minReplicas, int maxReplicas) {
        if (desired > currentReplicas) {
            int scaleUpLimit = calculateScaleUpLimitWithScalingRules(currentReplicas, scaleUpEvents.getOrDefault(key, List.of()), behavior.scaleUp, clock.instant());
            if (scaleUpLimit < currentReplicas) {
                // no further scale-up until the period's events age out
                scaleUpLimit = currentReplicas;
            }
            int maximumAllowed = maxReplicas;
            String reason;
            String message;
            if (maximumAllowed > scaleUpLimit) {
                maximumAllowed = scaleUpLimit;
                reason = "ScaleUpLimit";
                message = "the desired replica count is increasing faster than the maximum scale rate";
            } else {
                reason = "TooManyReplicas";
                message = "the desired replica count is more than the maximum replica count";
            }
            if (desired > maximumAllowed) {
                return new Limited(maximumAllowed, reason, message);
            }
        } else if (desired < currentReplicas) {
            int scaleDownLimit = calculateScaleDownLimitWithBehaviors(currentReplicas, scaleDownEvents.getOrDefault(key, List.of()), behavior.scaleDown, clock.instant());
            if (scaleDownLimit > currentReplicas) {
                scaleDownLimit = currentReplicas;
            }
            int minimumAllowed = minReplicas;
            String reason;
            String message;
            if (minimumAllowed < scaleDownLimit) {
                minimumAllowed = scaleDownLimit;
                reason = "ScaleDownLimit";
                message = "the desired replica count is decreasing faster than the maximum scale rate";
            } else {
                reason = "TooFewReplicas";
                message = "the desired replica count is less than the minimum replica count";
            }
            if (desired < minimumAllowed) {
                return new Limited(minimumAllowed, reason, message);
            }
        }
        return new Limited(desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    private static int replicasChangePerPeriod(int periodSeconds, List<TimestampedScaleEvent> events, Instant now) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int replicas = 0;
        for (TimestampedScaleEvent e : events) {
            if (e.timestamp.isAfter(cutoff)) {
                replicas += e.replicaChange;
            }
        }
        return replicas;
    }

    /** Kubernetes' {@code calculateScaleUpLimitWithScalingRules}. */
    static int calculateScaleUpLimitWithScalingRules(int currentReplicas, List<TimestampedScaleEvent> events, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.selectPolicy)) {
            return currentReplicas;
        }
        boolean min = "Min".equals(rules.selectPolicy);
        int result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HPAScalingPolicy p : rules.policies) {
            int added = replicasChangePerPeriod(p.periodSeconds, events, now);
            int periodStart = currentReplicas - added;
            int proposed = "Pods".equals(p.type) ? periodStart + p.value
                    : (int) Math.ceil(periodStart * (1 + p.value / 100.0));
            result = min ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    /** Kubernetes' {@code calculateScaleDownLimitWithBehaviors}. */
    static int calculateScaleDownLimitWithBehaviors(int currentReplicas, List<TimestampedScaleEvent> events, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.selectPolicy)) {
            return currentReplicas;
        }
        boolean min = "Min".equals(rules.selectPolicy);
        int result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HPAScalingPolicy p : rules.policies) {
            int deleted = replicasChangePerPeriod(p.periodSeconds, events, now);
            int periodStart = currentReplicas + deleted;
            int proposed = "Pods".equals(p.type) ? periodStart - p.value : (int) (periodStart * (1 - p.value / 100.0));
            result = min ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    /** Kubernetes' {@code storeScaleEvent}: kept only with behavior, reusing slots older than the longest policy period. */
    private void storeScaleEvent(HorizontalPodAutoscalerBehavior behavior, String key, int prevReplicas, int newReplicas) {
        if (behavior == null) {
            return;
        }
        Instant now = clock.instant();
        boolean up = newReplicas > prevReplicas;
        HPAScalingRules rules = up ? behavior.scaleUp : behavior.scaleDown;
        List<TimestampedScaleEvent> events = (up ? scaleUpEvents : scaleDownEvents).computeIfAbsent(key, k -> new ArrayList<>());
        int longest = 0;
        for (HPAScalingPolicy p : rules.policies) {
            longest = Math.max(longest, p.periodSeconds);
        }
        Instant cutoff = now.minusSeconds(longest);
        int oldIndex = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).timestamp.isBefore(cutoff)) {
                events.get(i).outdated = true;
            }
            if (events.get(i).outdated) {
                oldIndex = i;
            }
        }
        TimestampedScaleEvent event = new TimestampedScaleEvent(up ? newReplicas - prevReplicas : prevReplicas - newReplicas, now);
        if (oldIndex >= 0) {
            events.set(oldIndex, event);
        } else {
            events.add(event);
        }
    }

    // ---- status ---------------------------------------------------------------------------------

    private void setStatus(HorizontalPodAutoscaler hpa, int currentReplicas, int desiredReplicas, List<MetricStatus> metricStatuses, boolean rescale) {
        HorizontalPodAutoscaler.HorizontalPodAutoscalerStatus s = new HorizontalPodAutoscaler.HorizontalPodAutoscalerStatus();
        s.currentReplicas = currentReplicas;
        s.desiredReplicas = desiredReplicas;
        s.lastScaleTime = hpa.status.lastScaleTime;
        s.currentMetrics = metricStatuses == null ? new ArrayList<>() : metricStatuses;
        s.conditions = hpa.status.conditions;
        if (rescale) {
            s.lastScaleTime = Times.format(clock.instant());
        }
        hpa.status = s;
    }

    /** Writes the status unless it is what it was. */
    private void updateStatusIfNeeded(String originalStatus, HorizontalPodAutoscaler hpa) {
        if (originalStatus.equals(Json.write(hpa.status))) {
            return;
        }
        try {
            client.updateStatus(hpa);
        } catch (RuntimeException e) {
            client.warningEvent(hpa, "FailedUpdateStatus", e.getMessage());
            throw new IllegalStateException("failed to update status for " + hpa.metadata.name + ": " + e.getMessage());
        }
    }

    /** Kubernetes' {@code setCondition}: adds the type if absent; lastTransitionTime moves only when the status does. */
    private void setCondition(HorizontalPodAutoscaler hpa, String type, String status, String reason, String message) {
        HorizontalPodAutoscalerCondition existing = null;
        for (HorizontalPodAutoscalerCondition c : hpa.status.conditions) {
            if (type.equals(c.type)) {
                existing = c;
                break;
            }
        }
        if (existing == null) {
            existing = new HorizontalPodAutoscalerCondition();
            existing.type = type;
            hpa.status.conditions.add(existing);
        }
        if (!status.equals(existing.status)) {
            existing.lastTransitionTime = Times.format(clock.instant());
        }
        existing.status = status;
        existing.reason = reason;
        existing.message = message;
    }
}
