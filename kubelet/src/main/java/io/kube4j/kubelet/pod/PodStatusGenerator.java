package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodStatus;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.kubelet.probe.ProbeResults;
import io.kube4j.kubelet.probe.ProbeType;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.RuntimePod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a pod's API status from what the runtime has, the way Kubernetes 1.32's kubelet does:
 * container statuses as in {@code convertToAPIContainerStatuses} ({@code pkg/kubelet/kubelet_pods.go}:
 * latest instance is the state, the one before it lastState, a cached start failure turns a container
 * due to (re)start into waiting with that reason), started/ready as the prober manager sets them, the
 * phase as {@code getPhase}, the conditions as {@code pkg/kubelet/status/generate.go}, and the
 * bookkeeping of the status manager (lastTransitionTime kept while a condition's status stays, startTime
 * set once, terminal phases sticky, reason and message kept with their phase). Pure: no I/O, no clock.
 */
public final class PodStatusGenerator {
    /** The conditions the kubelet owns (Kubernetes' PodConditionsByKubelet plus PodReadyToStartContainers). */
    public static final Set<String> KUBELET_CONDITIONS = Set.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");

    private PodStatusGenerator() {
    }

    /**
     * What the kubelet knows about a pod at one sync.
     *
     * @param pod         the pod as the informer has it (its status is what the apiserver has)
     * @param previous    the status this kubelet last generated for the pod, or null (then {@code pod.status} counts)
     * @param runtime     what the runtime had at the last relist
     * @param reasons     why containers that should be running are not, by name (ErrImagePull, CrashLoopBackOff, ...)
     * @param probes      the probe verdicts by container id
     * @param runtimeName the prefix of container IDs, e.g. {@code docker}
     * @param hostIp      the node's IP
     * @param terminal    the pod is done for good (deleted, or its phase is terminal): nothing will restart
     * @param evicted     reason/message that force phase Failed (DeadlineExceeded), or null
     * @param now         the time for new transitions and startTime
     */
    public record Input(Pod pod, PodStatus previous, RuntimePod runtime, Map<String, ContainerStatus.Waiting> reasons, ProbeResults probes,
                        String runtimeName, String hostIp, boolean terminal, Eviction evicted, Instant now) {
    }

    /** A kubelet decision that fails the pod: Kubernetes' ShouldEvictResponse. */
    public record Eviction(String reason, String message) {
    }

    /** The pod's new status. */
    public static PodStatus generate(Input in) {
        Pod pod = in.pod();
        PodStatus api = pod.status == null ? new PodStatus() : pod.status;
        PodStatus old = in.previous() != null ? in.previous() : api;
        PodStatus s = new PodStatus();
        boolean hasInit = !pod.spec.initContainers.isEmpty();
        s.initContainerStatuses = containerStatuses(in, pod.spec.initContainers, old.initContainerStatuses, hasInit, true);
        List<ContainerStatus> main = containerStatuses(in, pod.spec.containers, old.containerStatuses, hasInit, false);
        // Kubernetes sorts the main containers' statuses by name (SortedContainerStatuses)
        main.sort(Comparator.comparing(c -> c.name));
        s.containerStatuses = main;
        if (!pod.spec.ephemeralContainers.isEmpty()) {
            // ephemeral containers: the same statuses, never ready (the prober manager does not look at them), in spec order
            s.ephemeralContainerStatuses = containerStatuses(in, new ArrayList<>(pod.spec.ephemeralContainers), old.ephemeralContainerStatuses, false, false);
            s.ephemeralContainerStatuses.forEach(st -> st.ready = false);
        }

        List<ContainerStatus> all = new ArrayList<>(s.initContainerStatuses);
        all.addAll(s.containerStatuses);
        s.phase = phase(pod.spec, all, in.terminal());
        // terminal phases are sticky: neither the kubelet's last word nor the apiserver's may be undone
        if (!terminal(s.phase)) {
            if (terminal(old.phase)) {
                s.phase = old.phase;
            } else if (terminal(api.phase)) {
                s.phase = api.phase;
            }
        }
        if (s.phase.equals(old.phase)) {
            s.reason = old.reason != null ? old.reason : api.reason;
            s.message = old.message != null ? old.message : api.message;
        }
        if (in.evicted() != null) {
            s.phase = "Failed";
            s.reason = in.evicted().reason();
            s.message = in.evicted().message();
        }
        if (terminal(api.phase) && !s.phase.equals(api.phase)) {
            s.phase = api.phase;
        }

        s.hostIP = in.hostIp();
        if (in.hostIp() != null) {
            s.hostIPs.add(new PodStatus.PodIP(in.hostIp()));
        }
        String podIp = in.runtime().readySandbox() != null ? in.runtime().readySandbox().ip() : null;
        if (podIp == null && old.podIP != null && in.runtime().readySandbox() == null && !in.runtime().sandboxes().isEmpty()) {
            podIp = old.podIP; // a stopped sandbox keeps its IP in the status, as Kubernetes keeps podIPs
        }
        s.podIP = podIp;
        if (podIp != null) {
            s.podIPs.add(new PodStatus.PodIP(podIp));
        }
        s.startTime = old.startTime != null ? old.startTime : api.startTime != null ? api.startTime : Times.format(in.now());
        // generateAPIPodStatus: GetPodQOS, the apiserver's class when it set one (it does on create)
        s.qosClass = io.kube4j.api.PodQos.get(pod);
        s.nominatedNodeName = api.nominatedNodeName;

        // conditions others own stay as the apiserver has them
        for (PodCondition c : api.conditions) {
            if (!KUBELET_CONDITIONS.contains(c.type)) {
                s.conditions.add(c);
            }
        }
        String time = Times.format(in.now());
        s.conditions.add(withTime(old, new PodCondition("PodReadyToStartContainers", in.runtime().readySandbox() != null ? "True" : "False", null, null, null), time));
        s.conditions.add(withTime(old, initialized(pod.spec, all, s.phase), time));
        PodCondition containersReady = containersReady(pod.spec, all, s.phase);
        s.conditions.add(withTime(old, new PodCondition("Ready", containersReady.status, containersReady.reason, containersReady.message, null), time));
        s.conditions.add(withTime(old, containersReady, time));
        PodCondition scheduled = api.condition("PodScheduled");
        s.conditions.add(withTime(old, new PodCondition("PodScheduled", "True", null, null,
                scheduled != null && "True".equals(scheduled.status) ? scheduled.lastTransitionTime : null), time));
        return s;
    }

    // ---- container statuses -------------------------------------------------------------------

    private static List<ContainerStatus> containerStatuses(Input in, List<Container> specs, List<ContainerStatus> previous,
                                                           boolean hasInit, boolean init) {
        List<ContainerStatus> out = new ArrayList<>();
        for (Container c : specs) {
            ContainerStatus old = previous.stream().filter(p -> c.name.equals(p.name)).findFirst().orElse(null);
            ContainerStatus st;
            if (old != null && old.state != null && old.state.terminated != null) {
                st = Json.copy(old);
            } else {
                st = new ContainerStatus();
                st.name = c.name;
                st.image = c.image;
                st.state = waitingState(hasInit ? "PodInitializing" : "ContainerCreating", null);
                if (old != null) {
                    st.restartCount = old.restartCount;
                    st.lastState = old.lastState;
                }
            }
            List<ContainerInfo> instances = in.runtime().instances(c.name);
            if (!instances.isEmpty()) {
                ContainerInfo latest = instances.get(0);
                st = convert(in, c, latest);
                if (instances.size() > 1) {
                    st.lastState = convert(in, c, instances.get(1)).state;
                }
            }
            ContainerInfo latest = instances.isEmpty() ? null : instances.get(0);
            boolean completedInit = init && latest != null && latest.exited() && latest.exitCode() == 0 && !PodActionsPlanner.isSidecar(c);
            ContainerStatus.Waiting reason = in.reasons().get(c.name);
            if (!completedInit && !in.terminal() && reason != null && shouldRestart(in.pod(), c, latest, init)) {
                if (st.state != null && st.state.terminated != null) {
                    st.lastState = st.state;
                }
                st.state = waitingState(reason.reason, reason.message);
            }
            // the prober manager's part: started, and ready
            boolean running = st.state != null && st.state.running != null && latest != null && latest.running();
            boolean started = running && PodActionsPlanner.started(c, latest, in.probes());
            st.started = started;
            if (init && !PodActionsPlanner.isSidecar(c)) {
                st.ready = st.state != null && st.state.terminated != null && st.state.terminated.exitCode == 0;
            } else {
                st.ready = started && (c.readinessProbe == null || in.probes().get(ProbeType.READINESS, latest.id()) == ProbeResults.Result.SUCCESS);
            }
            if (st.lastState == null) {
                st.lastState = new ContainerStatus.ContainerState();
            }
            out.add(st);
        }
        return out;
    }

    // Kubernetes' ShouldContainerBeRestarted as the status sees it (sidecars always restart)
    private static boolean shouldRestart(Pod pod, Container c, ContainerInfo latest, boolean init) {
        if (init && PodActionsPlanner.isSidecar(c)) {
            return pod.metadata.deletionTimestamp == null && (latest == null || !latest.running());
        }
        return PodActionsPlanner.shouldContainerBeRestarted(pod, latest);
    }

    private static ContainerStatus convert(Input in, Container spec, ContainerInfo info) {
        ContainerStatus st = new ContainerStatus();
        st.name = spec.name;
        st.image = spec.image;
        st.imageID = info.imageId();
        st.containerID = in.runtimeName() + "://" + info.id();
        st.restartCount = info.attempt();
        st.state = new ContainerStatus.ContainerState();
        switch (info.state()) {
            case RUNNING -> {
                st.state.running = new ContainerStatus.Running();
                st.state.running.startedAt = time(info.startedAt());
            }
            case EXITED -> st.state.terminated = terminated(in, info);
            // created but not running: waiting to run; unknown collapses to waiting too
            default -> st.state.waiting = new ContainerStatus.Waiting();
        }
        return st;
    }

    private static ContainerStatus.Terminated terminated(Input in, ContainerInfo info) {
        ContainerStatus.Terminated t = new ContainerStatus.Terminated();
        t.exitCode = info.exitCode();
        // docker and containerd say Completed / Error themselves; runtimes that do not get the same words
        t.reason = info.reason() != null ? info.reason() : info.exitCode() == 0 ? "Completed" : "Error";
        t.message = info.message();
        t.startedAt = time(info.startedAt());
        t.finishedAt = time(info.finishedAt());
        t.containerID = in.runtimeName() + "://" + info.id();
        return t;
    }

    private static ContainerStatus.ContainerState waitingState(String reason, String message) {
        ContainerStatus.ContainerState state = new ContainerStatus.ContainerState();
        state.waiting = new ContainerStatus.Waiting();
        state.waiting.reason = reason;
        state.waiting.message = message;
        return state;
    }

    // ---- phase (getPhase) ---------------------------------------------------------------------

    /**
     * Kubernetes 1.32's getPhase: Pending while init containers have not completed (or sidecars not
     * started) or a container waits to run for the first time; Running while a container runs; once all
     * have stopped, Succeeded / Failed per restartPolicy (or, for a terminal pod, per exit codes alone).
     * Terminated sidecars do not count.
     */
    public static String phase(PodSpec spec, List<ContainerStatus> statuses, boolean podIsTerminal) {
        int pendingInitialization = 0;
        int failedInitialization = 0;
        for (Container c : spec.initContainers) {
            if (PodActionsPlanner.isSidecar(c)) {
                continue;
            }
            ContainerStatus st = find(statuses, c.name);
            if (st == null) {
                pendingInitialization++;
                continue;
            }
            if (st.state.running != null) {
                pendingInitialization++;
            } else if (st.state.terminated != null) {
                if (st.state.terminated.exitCode != 0) {
                    failedInitialization++;
                }
            } else if (st.state.waiting != null) {
                if (st.lastState != null && st.lastState.terminated != null) {
                    if (st.lastState.terminated.exitCode != 0) {
                        failedInitialization++;
                    }
                } else {
                    pendingInitialization++;
                }
            } else {
                pendingInitialization++;
            }
        }
        int unknown = 0;
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (Container c : spec.initContainers) {
            if (!PodActionsPlanner.isSidecar(c)) {
                continue;
            }
            ContainerStatus st = find(statuses, c.name);
            if (st == null) {
                unknown++;
                continue;
            }
            if (st.state.running != null) {
                if (st.started == null || !st.started) {
                    pendingInitialization++;
                }
                running++;
            } else if (st.state.terminated != null) {
                // terminated sidecars do not count
            } else if (st.state.waiting != null) {
                if (st.lastState == null || st.lastState.terminated == null) {
                    pendingInitialization++;
                    waiting++;
                }
            } else {
                pendingInitialization++;
                unknown++;
            }
        }
        for (Container c : spec.containers) {
            ContainerStatus st = find(statuses, c.name);
            if (st == null) {
                unknown++;
                continue;
            }
            if (st.state.running != null) {
                running++;
            } else if (st.state.terminated != null) {
                stopped++;
                if (st.state.terminated.exitCode == 0) {
                    succeeded++;
                }
            } else if (st.state.waiting != null) {
                if (st.lastState != null && st.lastState.terminated != null) {
                    stopped++;
                } else {
                    waiting++;
                }
            } else {
                unknown++;
            }
        }
        String policy = spec.restartPolicy == null ? "Always" : spec.restartPolicy;
        if (failedInitialization > 0 && "Never".equals(policy)) {
            return "Failed";
        }
        if ((pendingInitialization > 0 && !anyRegularContainerStarted(spec, statuses)) || waiting > 0) {
            return "Pending";
        }
        if (running > 0 && unknown == 0) {
            return "Running";
        }
        if (running == 0 && stopped > 0 && unknown == 0) {
            if (podIsTerminal) {
                return stopped == succeeded ? "Succeeded" : "Failed";
            }
            if ("Always".equals(policy)) {
                return "Running";
            }
            if (stopped == succeeded) {
                return "Succeeded";
            }
            return "Never".equals(policy) ? "Failed" : "Running";
        }
        return "Pending";
    }

    /** Kubernetes' HasAnyRegularContainerStarted: a main container runs or has terminated. */
    static boolean anyRegularContainerStarted(PodSpec spec, List<ContainerStatus> statuses) {
        for (Container c : spec.containers) {
            ContainerStatus st = find(statuses, c.name);
            if (st != null && st.state != null && (st.state.running != null || st.state.terminated != null)) {
                return true;
            }
        }
        return false;
    }

    // ---- conditions (generate.go) -------------------------------------------------------------

    static PodCondition initialized(PodSpec spec, List<ContainerStatus> statuses, String phase) {
        List<String> unknown = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (Container c : spec.initContainers) {
            ContainerStatus st = find(statuses, c.name);
            if (st == null) {
                unknown.add(c.name);
                continue;
            }
            boolean done = PodActionsPlanner.isSidecar(c) ? Boolean.TRUE.equals(st.started) : st.ready;
            if (!done) {
                incomplete.add(c.name);
            }
        }
        if ("Succeeded".equals(phase) && unknown.isEmpty()) {
            return new PodCondition("Initialized", "True", "PodCompleted", null, null);
        }
        if (anyRegularContainerStarted(spec, statuses)) {
            return new PodCondition("Initialized", "True", null, null, null);
        }
        List<String> messages = new ArrayList<>();
        if (!unknown.isEmpty()) {
            messages.add("containers with unknown status: " + goList(unknown));
        }
        if (!incomplete.isEmpty()) {
            messages.add("containers with incomplete status: " + goList(incomplete));
        }
        if (!messages.isEmpty()) {
            return new PodCondition("Initialized", "False", "ContainersNotInitialized", String.join(", ", messages), null);
        }
        return new PodCondition("Initialized", "True", null, null, null);
    }

    static PodCondition containersReady(PodSpec spec, List<ContainerStatus> statuses, String phase) {
        List<String> unknown = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        List<Container> counted = new ArrayList<>(spec.initContainers.stream().filter(PodActionsPlanner::isSidecar).toList());
        counted.addAll(spec.containers);
        for (Container c : counted) {
            ContainerStatus st = find(statuses, c.name);
            if (st == null) {
                unknown.add(c.name);
            } else if (!st.ready) {
                unready.add(c.name);
            }
        }
        if (("Succeeded".equals(phase) && unknown.isEmpty())) {
            return new PodCondition("ContainersReady", "False", "PodCompleted", null, null);
        }
        if ("Failed".equals(phase)) {
            return new PodCondition("ContainersReady", "False", "PodFailed", null, null);
        }
        List<String> messages = new ArrayList<>();
        if (!unknown.isEmpty()) {
            messages.add("containers with unknown status: " + goList(unknown));
        }
        if (!unready.isEmpty()) {
            messages.add("containers with unready status: " + goList(unready));
        }
        if (!messages.isEmpty()) {
            return new PodCondition("ContainersReady", "False", "ContainersNotReady", String.join(", ", messages), null);
        }
        return new PodCondition("ContainersReady", "True", null, null, null);
    }

    /** The status manager's updateLastTransitionTime: kept while the status stays, now when it changes. */
    private static PodCondition withTime(PodStatus old, PodCondition c, String now) {
        PodCondition previous = old.condition(c.type);
        if (previous != null && c.status.equals(previous.status) && previous.lastTransitionTime != null) {
            c.lastTransitionTime = previous.lastTransitionTime;
        } else if (c.lastTransitionTime == null) {
            c.lastTransitionTime = now;
        }
        return c;
    }

    /** A list as Go's %s prints a []string: {@code [a b]}. */
    static String goList(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    private static ContainerStatus find(List<ContainerStatus> statuses, String name) {
        for (ContainerStatus s : statuses) {
            if (name.equals(s.name)) {
                return s;
            }
        }
        return null;
    }

    static boolean terminal(String phase) {
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static String time(Instant i) {
        return i == null ? null : Times.format(i);
    }
}
