package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.events.EventRecorder;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.Status;
import tools.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Reports through the apiserver: Events via the {@link EventRecorder}; the Unschedulable condition and
 * the nominated node via {@code PATCH pods/{name}/status} (a strategic merge patch of what changed, as
 * Kubernetes' {@code updatePod}); the SchedulingGated condition via {@code PUT pods/{name}/status}. All
 * asynchronous (the scheduling loop must not wait for them) and best-effort: a lost report is logged,
 * never retried forever.
 */
public final class ApiSchedulingReporter implements SchedulingReporter {
    private static final Logger log = LoggerFactory.getLogger(ApiSchedulingReporter.class);
    static final String REASON_UNSCHEDULABLE = "Unschedulable";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    /** Kubernetes' {@code v1.PodReasonSchedulingGated}. */
    static final String REASON_SCHEDULING_GATED = "SchedulingGated";
    /** The message Kubernetes' apiserver puts on a gated pod ({@code pkg/registry/core/pod/strategy.go}). */
    static final String MESSAGE_SCHEDULING_GATED = "Scheduling is blocked due to non-empty scheduling gates";

    private final ApiClient client;
    private final EventRecorder events;
    private final Function<String, Pod> podLister;
    private final boolean recordScheduled;
    private final ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param podLister       the informer's pod by key (null when gone)
     * @param recordScheduled whether to write a Scheduled Event per bound pod
     */
    public ApiSchedulingReporter(ApiClient client, EventRecorder events, Function<String, Pod> podLister, boolean recordScheduled) {
        this.client = client;
        this.events = events;
        this.podLister = podLister;
        this.recordScheduled = recordScheduled;
    }

    @Override
    public void scheduled(Pod pod, String nodeName) {
        if (!recordScheduled) {
            return;
        }
        events.normal(pod, "Scheduled", "Successfully assigned " + pod.key() + " to " + nodeName);
    }

    @Override
    public void unschedulable(Pod pod, String message) {
        unschedulable(pod, message, NominatingInfo.NOOP);
    }

    @Override
    public void unschedulable(Pod pod, String message, NominatingInfo nominating) {
        events.warning(pod, "FailedScheduling", message);
        writer.submit(() -> patchUnschedulable(pod, message, nominating));
    }

    private void patchUnschedulable(Pod pod, String message, NominatingInfo nominating) {
        Pod current = podLister.apply(pod.key());
        if (current == null) {
            current = pod;
        }
        if (current.spec.nodeName != null && !current.spec.nodeName.isEmpty()) {
            return;
        }
        String patch = unschedulablePatch(current, message, nominating);
        if (patch == null) {
            return;
        }
        try {
            client.patchStatus(Pod.class, pod.metadata.namespace, pod.metadata.name, STRATEGIC_MERGE_PATCH, patch);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                log.info("could not set PodScheduled=False on {}: {}", pod.key(), e.getMessage());
            }
        }
    }

    /**
     * The strategic merge patch Kubernetes' {@code updatePod} sends: the PodScheduled=False/Unschedulable
     * condition if it changes, and {@code nominatedNodeName} if {@code nominating} overrides it with another
     * value (empty: {@code null}, which removes it); null when nothing changes.
     */
    static String unschedulablePatch(Pod pod, String message, NominatingInfo nominating) {
        String current = pod.status == null || pod.status.nominatedNodeName == null ? "" : pod.status.nominatedNodeName;
        boolean nnnNeedsUpdate = nominating.isOverride() && !current.equals(nominating.nominatedNodeName());
        Pod withCondition = withUnschedulableCondition(pod, message);
        if (withCondition == null && !nnnNeedsUpdate) {
            return null;
        }
        ObjectNode status = Json.mapper().createObjectNode();
        if (withCondition != null) {
            status.putArray("conditions").add(Json.toTree(withCondition.status.condition("PodScheduled")));
        }
        if (nnnNeedsUpdate) {
            if (nominating.nominatedNodeName().isEmpty()) {
                status.putNull("nominatedNodeName");
            } else {
                status.put("nominatedNodeName", nominating.nominatedNodeName());
            }
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("status", status);
        return Json.write(root);
    }

    @Override
    public void failed(Pod pod, String message) {
        events.warning(pod, "FailedScheduling", message);
    }

    /**
     * Kubernetes' apiserver sets PodScheduled=False/SchedulingGated when a gated pod is created, and
     * kube-scheduler writes nothing for it (the plugin's message only goes to its log). kube4j's apiserver
     * does not set it, so the scheduler does, under the same rule: only on a pod without any
     * PodScheduled condition. Against an apiserver that sets it, this writes nothing. No Event, as Kubernetes.
     */
    @Override
    public void gated(Pod pod, Status status) {
        if (withSchedulingGatedCondition(pod) == null) {
            return;
        }
        writer.submit(() -> writeStatus(pod, ApiSchedulingReporter::withSchedulingGatedCondition, "PodScheduled=False/SchedulingGated"));
    }

    /** PUT status with {@code change} applied to the freshest pod known; a conflict re-reads and tries again (3 times). */
    private void writeStatus(Pod pod, UnaryOperator<Pod> change, String what) {
        Pod current = podLister.apply(pod.key());
        if (current == null) {
            current = pod;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            if (current.spec.nodeName != null && !current.spec.nodeName.isEmpty()) {
                return;
            }
            Pod updated = change.apply(current);
            if (updated == null) {
                return;
            }
            try {
                client.updateStatus(updated);
                return;
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    return;
                }
                if (!e.isConflict()) {
                    log.info("could not set {} on {}: {}", what, pod.key(), e.getMessage());
                    return;
                }
                try {
                    current = client.get(Pod.class, pod.metadata.namespace, pod.metadata.name);
                } catch (ApiException again) {
                    return;
                }
            }
        }
    }

    /**
     * A copy of {@code pod} with PodScheduled=False/SchedulingGated and Kubernetes' message, as its
     * apiserver's {@code applySchedulingGatedCondition}; null when the pod has no gates or already has a
     * PodScheduled condition of any kind.
     */
    static Pod withSchedulingGatedCondition(Pod pod) {
        if (pod.spec.schedulingGates == null || pod.spec.schedulingGates.isEmpty()
                || (pod.status != null && pod.status.condition("PodScheduled") != null)) {
            return null;
        }
        Pod copy = Json.copy(pod);
        if (copy.status == null) {
            copy.status = new io.kube4j.api.PodStatus();
        }
        if (copy.status.phase == null) {
            copy.status.phase = "Pending";
        }
        copy.status.conditions.add(new PodCondition("PodScheduled", "False", REASON_SCHEDULING_GATED, MESSAGE_SCHEDULING_GATED, Times.now()));
        return copy;
    }

    /** A copy of {@code pod} with PodScheduled=False/Unschedulable/{@code message}; null if it has that already. */
    static Pod withUnschedulableCondition(Pod pod, String message) {
        PodCondition existing = pod.status == null ? null : pod.status.condition("PodScheduled");
        if (existing != null && "False".equals(existing.status) && REASON_UNSCHEDULABLE.equals(existing.reason)
                && Objects.equals(message, existing.message)) {
            return null;
        }
        Pod copy = Json.copy(pod);
        if (copy.status == null) {
            copy.status = new io.kube4j.api.PodStatus();
        }
        if (copy.status.phase == null) {
            copy.status.phase = "Pending";
        }
        copy.status.conditions.removeIf(c -> "PodScheduled".equals(c.type));
        String since = existing != null && "False".equals(existing.status) && existing.lastTransitionTime != null
                ? existing.lastTransitionTime : Times.now();
        PodCondition c = new PodCondition("PodScheduled", "False", REASON_UNSCHEDULABLE, message, since);
        c.lastProbeTime = null;
        copy.status.conditions.add(c);
        return copy;
    }
}
