package io.kube4j.scheduler.plugins.schedulinggates;

import io.kube4j.api.Pod;
import io.kube4j.api.PodSchedulingGate;
import io.kube4j.scheduler.framework.PreEnqueuePlugin;
import io.kube4j.scheduler.framework.Status;

import java.util.List;

/**
 * Keeps a pod with a non-empty {@code spec.schedulingGates} out of scheduling, as Kubernetes'
 * {@code pkg/scheduler/framework/plugins/schedulinggates}: PreEnqueue answers
 * UnschedulableAndUnresolvable with {@code waiting for scheduling gates: [a b]} (Go's {@code %v} of the
 * gate names). The pod is queued again only when an update of the pod itself removes the last gate.
 */
public final class SchedulingGates implements PreEnqueuePlugin {
    /** The plugin's name in Kubernetes' registry. */
    public static final String NAME = "SchedulingGates";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preEnqueue(Pod pod) {
        List<PodSchedulingGate> gates = pod.spec.schedulingGates;
        if (gates == null || gates.isEmpty()) {
            return Status.SUCCESS;
        }
        List<String> names = gates.stream().map(g -> g.name).toList();
        return Status.unresolvable("waiting for scheduling gates: [" + String.join(" ", names) + "]").by(NAME);
    }
}
