package io.kube4j.kubelet.pod;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodStatus;
import io.kube4j.json.Times;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes a pod's status from its container statuses the way the kubelet does: the phase (getPhase in
 * Kubernetes' kubelet_pods.go), the Initialized / ContainersReady / Ready conditions (keeping each
 * condition's lastTransitionTime while its status stays the same), pod and host IPs, and startTime.
 */
public final class PodStatusBuilder {
    private PodStatusBuilder() {
    }

    /** The new status of {@code pod}, given what its containers are doing now. */
    public static PodStatus build(Pod pod, List<ContainerStatus> initStatuses, List<ContainerStatus> statuses,
                                  String podIp, String hostIp, Instant now) {
        PodStatus old = pod.status == null ? new PodStatus() : pod.status;
        PodStatus s = new PodStatus();
        s.phase = phase(pod.spec, initStatuses, statuses);
        s.hostIP = hostIp;
        if (hostIp != null) {
            s.hostIPs.add(new PodStatus.PodIP(hostIp));
        }
        s.podIP = podIp;
        if (podIp != null) {
            s.podIPs.add(new PodStatus.PodIP(podIp));
        }
        s.startTime = old.startTime != null ? old.startTime : Times.format(now);
        s.initContainerStatuses = initStatuses;
        s.containerStatuses = statuses;
        s.qosClass = old.qosClass;
        s.nominatedNodeName = old.nominatedNodeName;
        String time = Times.format(now);
        boolean terminal = "Succeeded".equals(s.phase) || "Failed".equals(s.phase);

        List<String> incomplete = initStatuses.stream().filter(c -> !succeeded(c)).map(c -> c.name).toList();
        s.conditions.add(condition(old, "Initialized", incomplete.isEmpty() || terminal,
                incomplete.isEmpty() || terminal ? null : "ContainersNotInitialized",
                incomplete.isEmpty() || terminal ? null : "containers with incomplete status: " + incomplete, time));

        List<String> unready = statuses.stream().filter(c -> !c.ready).map(c -> c.name).toList();
        boolean ready = unready.isEmpty() && !terminal;
        String reason = ready ? null : terminal ? "PodCompleted" : "ContainersNotReady";
        String message = ready || terminal ? null : "containers with unready status: " + unready;
        s.conditions.add(condition(old, "Ready", ready, reason, message, time));
        s.conditions.add(condition(old, "ContainersReady", ready, reason, message, time));

        PodCondition scheduled = old.condition("PodScheduled");
        s.conditions.add(scheduled != null ? scheduled : new PodCondition("PodScheduled", "True", null, null, time));
        return s;
    }

    /**
     * Pending while init containers or any container has not started yet; Running while any runs or
     * will be restarted; Succeeded when all exited 0 and won't restart; Failed when all exited, some
     * with an error, and none will restart.
     */
    public static String phase(PodSpec spec, List<ContainerStatus> initStatuses, List<ContainerStatus> statuses) {
        String policy = spec.restartPolicy == null ? "Always" : spec.restartPolicy;
        for (ContainerStatus init : initStatuses) {
            if (!succeeded(init)) {
                ContainerStatus.Terminated t = lastTermination(init);
                if ("Never".equals(policy) && t != null && t.exitCode != 0) {
                    return "Failed";
                }
                return "Pending";
            }
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerStatus c : statuses) {
            if (c.state == null) {
                waiting++;
            } else if (c.state.running != null) {
                running++;
            } else if (c.state.terminated != null) {
                stopped++;
                if (c.state.terminated.exitCode == 0) {
                    succeeded++;
                }
            } else if (c.lastState != null && c.lastState.terminated != null) {
                // waiting to be restarted: it has run before
                stopped++;
                if (c.lastState.terminated.exitCode == 0) {
                    succeeded++;
                }
            } else {
                waiting++;
            }
        }
        if (waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            return switch (policy) {
                case "Never" -> succeeded == stopped ? "Succeeded" : "Failed";
                case "OnFailure" -> succeeded == stopped ? "Succeeded" : "Running";
                default -> "Running";
            };
        }
        return "Pending";
    }

    static boolean succeeded(ContainerStatus c) {
        return c.state != null && c.state.terminated != null && c.state.terminated.exitCode == 0;
    }

    private static ContainerStatus.Terminated lastTermination(ContainerStatus c) {
        if (c.state != null && c.state.terminated != null) {
            return c.state.terminated;
        }
        return c.lastState != null ? c.lastState.terminated : null;
    }

    private static PodCondition condition(PodStatus old, String type, boolean status, String reason, String message, String now) {
        String value = status ? "True" : "False";
        PodCondition previous = old.condition(type);
        String since = previous != null && value.equals(previous.status) && previous.lastTransitionTime != null ? previous.lastTransitionTime : now;
        return new PodCondition(type, value, reason, message, since);
    }
}
