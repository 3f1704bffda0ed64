package io.kube4j.scheduler.plugins.defaultpreemption;

import tools.jackson.databind.node.ObjectNode;
import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.events.EventRecorder;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Preemption's apiserver calls, as Kubernetes' {@code Evaluator.PreemptPod} and {@code clearNominatedNodeName}
 * ({@code pkg/scheduler/framework/preemption/preemption.go}, {@code pkg/scheduler/util/utils.go}):
 * <ul>
 *   <li>{@code PATCH pods/{victim}/status} (strategic merge) adding the condition
 *       {@code DisruptionTarget=True}, reason {@code PreemptionByScheduler}, message
 *       {@code <preemptor's schedulerName>: preempting to accommodate a higher priority pod}, unless the
 *       victim already has it exactly so;</li>
 *   <li>{@code DELETE pods/{victim}} without options: the pod's own grace period applies;</li>
 *   <li>a {@code Normal} Event {@code Preempted} on the victim, action {@code Preempting}, related to the
 *       preemptor: {@code Preempted by pod <preemptor uid> on node <node>}.</li>
 * </ul>
 * A victim that is already gone (404) counts as preempted, as in later Kubernetes versions (1.32 reported an
 * error and retried the preemption in the next cycle).
 */
public final class ApiPreemption implements PreemptionApi {
    private static final Logger log = LoggerFactory.getLogger(ApiPreemption.class);
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

    private final ApiClient client;
    private final EventRecorder events;
    private final String defaultSchedulerName;
    private final ExecutorService eventWriter = Executors.newVirtualThreadPerTaskExecutor();

    /** @param defaultSchedulerName the name used in the condition's message when the preemptor names no scheduler */
    public ApiPreemption(ApiClient client, EventRecorder events, String defaultSchedulerName) {
        this.client = client;
        this.events = events;
        this.defaultSchedulerName = defaultSchedulerName;
    }

    @Override
    public void preemptPod(Pod preemptor, Pod victim, String nodeName) {
        String patch = disruptionTargetPatch(preemptor, victim, defaultSchedulerName);
        if (patch != null) {
            try {
                client.patchStatus(Pod.class, victim.metadata.namespace, victim.metadata.name, STRATEGIC_MERGE_PATCH, patch);
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    log.debug("victim {} is already deleted", victim.key());
                    return;
                }
                throw e;
            }
        }
        try {
            client.delete(Pod.class, victim.metadata.namespace, victim.metadata.name);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                log.debug("victim {} is already deleted", victim.key());
                return;
            }
            throw e;
        }
        Event e = preemptedEvent(events, preemptor, victim, nodeName);
        eventWriter.submit(() -> {
            try {
                client.create(e);
            } catch (RuntimeException ex) {
                log.debug("Preempted event for {} not recorded: {}", victim.key(), ex.getMessage());
            }
        });
    }

    @Override
    public void clearNominatedNodeName(Pod pod) {
        if (pod.status == null || pod.status.nominatedNodeName == null || pod.status.nominatedNodeName.isEmpty()) {
            return;
        }
        client.patchStatus(Pod.class, pod.metadata.namespace, pod.metadata.name, STRATEGIC_MERGE_PATCH,
                "{\"status\":{\"nominatedNodeName\":null}}");
    }

    /**
     * The strategic merge patch adding the DisruptionTarget condition to {@code victim}, or null when it has
     * that condition already (Kubernetes' {@code UpdatePodCondition} says nothing changed).
     */
    static String disruptionTargetPatch(Pod preemptor, Pod victim, String defaultSchedulerName) {
        String schedulerName = preemptor.spec.schedulerName == null || preemptor.spec.schedulerName.isEmpty()
                ? defaultSchedulerName : preemptor.spec.schedulerName;
        String message = schedulerName + ": preempting to accommodate a higher priority pod";
        PodCondition existing = victim.status == null ? null : victim.status.condition(DefaultPreemption.DISRUPTION_TARGET);
        String transition = Times.now();
        if (existing != null && "True".equals(existing.status)) {
            if (DefaultPreemption.REASON_PREEMPTION_BY_SCHEDULER.equals(existing.reason) && Objects.equals(message, existing.message)
                    && existing.lastProbeTime == null) {
                return null;
            }
            transition = existing.lastTransitionTime;
        }
        PodCondition c = new PodCondition(DefaultPreemption.DISRUPTION_TARGET, "True", DefaultPreemption.REASON_PREEMPTION_BY_SCHEDULER,
                message, transition);
        ObjectNode root = Json.mapper().createObjectNode();
        root.putObject("status").putArray("conditions").add(Json.toTree(c));
        return Json.write(root);
    }

    /** The Event Kubernetes records on a victim ({@code Eventf(victim, preemptor, Normal, "Preempted", "Preempting", ...)}). */
    static Event preemptedEvent(EventRecorder events, Pod preemptor, Pod victim, String nodeName) {
        Event e = events.build(victim, "Normal", "Preempted", "Preempted by pod " + preemptor.metadata.uid + " on node " + nodeName);
        e.action = "Preempting";
        // core/v1 Event.related: kube4j keeps it among the Event's unmodelled fields
        e.unknownFields.put("related", ObjectReference.to(preemptor));
        return e;
    }
}
