package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.probe.ProbeResults;
import io.kube4j.kubelet.probe.ProbeType;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what a sync of a pod does, as a pure function of the pod's spec, what the runtime has for it,
 * the probes' verdicts, the back-off entries and the time. Mirrors Kubernetes 1.32:
 * {@code computePodActions} in {@code pkg/kubelet/kuberuntime/kuberuntime_manager.go},
 * {@code computeInitContainerActions} (sidecars) in {@code kuberuntime_container.go},
 * {@code ShouldContainerBeRestarted} in {@code pkg/kubelet/container/helpers.go}, {@code doBackOff}
 * (CrashLoopBackOff) and {@code pkg/kubelet/active_deadline.go}. Nothing here touches the runtime, the
 * apiserver or a clock: the table-driven PodActionsPlannerTest covers every branch.
 */
public final class PodActionsPlanner {
    /** Reason and message Kubernetes gives a pod past its activeDeadlineSeconds (active_deadline.go). */
    public static final String DEADLINE_REASON = "DeadlineExceeded";
    public static final String DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";

    private PodActionsPlanner() {
    }

    /**
     * The actions of one sync.
     *
     * @param pod       the pod as the kubelet has it (not deleted; deletion is the worker's terminating path)
     * @param runtime   what the runtime had for the pod at the last relist
     * @param probes    the probes' verdicts by container id
     * @param backoff   the crash back-off entries (read only here), keyed by {@link #backOffKey}
     * @param startTime the pod's {@code status.startTime} (null before the kubelet first reported it)
     * @param now       the time to judge back-off and deadline by
     */
    public static PodActions compute(Pod pod, RuntimePod runtime, ProbeResults probes, Backoff backoff, Instant startTime, Instant now) {
        Plan p = new Plan();
        if (pastActiveDeadline(pod, startTime, now)) {
            p.killPod = true;
            p.deadlineExceeded = true;
            return p.build();
        }
        Sandbox sandbox = runtime.readySandbox();
        boolean createSandbox = sandbox == null;
        p.killPod = createSandbox;
        p.createSandbox = createSandbox;
        p.sandboxId = sandbox == null ? null : sandbox.id();
        p.sandboxAttempt = createSandbox ? runtime.lastSandboxAttempt() + 1 : sandbox.attempt();

        if (createSandbox) {
            if (!restartOnFailure(pod) && p.sandboxAttempt != 0 && !runtime.containers().isEmpty()) {
                // a Never pod whose containers have run does not get a new sandbox: it is done
                p.createSandbox = false;
                return p.build();
            }
            List<Integer> toStart = new ArrayList<>();
            for (int i = 0; i < pod.spec.containers.size(); i++) {
                Container c = pod.spec.containers.get(i);
                if ("OnFailure".equals(restartPolicy(pod)) && succeeded(runtime.latest(c.name))) {
                    continue;
                }
                toStart.add(i);
            }
            if (toStart.isEmpty() && anyRegularContainerCreated(pod, runtime)) {
                p.createSandbox = false;
                return p.build();
            }
            if (!pod.spec.initContainers.isEmpty()) {
                p.initToStart.add(0);
                return applyBackOff(p, pod, runtime, backoff, now);
            }
            p.toStart.addAll(toStart);
            return applyBackOff(p, pod, runtime, backoff, now);
        }

        // ephemeral containers may start before initialization completes; they are never restarted
        for (int i = 0; i < pod.spec.ephemeralContainers.size(); i++) {
            if (runtime.latest(pod.spec.ephemeralContainers.get(i).name) == null) {
                p.ephemeralToStart.add(i);
            }
        }
        boolean initialized = computeInitContainerActions(pod, runtime, probes, p);
        if (p.killPod || !initialized) {
            return applyBackOff(p, pod, runtime, backoff, now);
        }

        int keep = 0;
        for (int i = 0; i < pod.spec.containers.size(); i++) {
            Container c = pod.spec.containers.get(i);
            ContainerInfo status = runtime.latest(c.name);
            if (status == null || !status.running()) {
                if (shouldContainerBeRestarted(pod, status)) {
                    p.toStart.add(i);
                    if (status != null && status.state() == ContainerInfo.State.UNKNOWN) {
                        p.toKill.add(new PodActions.ContainerToKill(status.id(), c.name, PodActions.KillReason.UNKNOWN,
                                "Container is in \"Unknown\" state, try killing it before restart"));
                    }
                }
                continue;
            }
            String message;
            PodActions.KillReason reason;
            if (started(c, status, probes) && probes.get(ProbeType.LIVENESS, status.id()) == ProbeResults.Result.FAILURE) {
                message = "Container " + c.name + " failed liveness probe";
                reason = PodActions.KillReason.LIVENESS_PROBE;
            } else if (probes.get(ProbeType.STARTUP, status.id()) == ProbeResults.Result.FAILURE) {
                message = "Container " + c.name + " failed startup probe";
                reason = PodActions.KillReason.STARTUP_PROBE;
            } else {
                keep++;
                continue;
            }
            if (restartOnFailure(pod)) {
                message += ", will be restarted";
                p.toStart.add(i);
            }
            p.toKill.add(new PodActions.ContainerToKill(status.id(), c.name, reason, message));
        }
        if (keep == 0 && p.toStart.isEmpty()) {
            // every main container is done for good: stop the sidecars (last) and the sandbox
            p.killPod = true;
            p.initToStart.clear();
        }
        return applyBackOff(p, pod, runtime, backoff, now);
    }

    /**
     * Kubernetes' computeInitContainerActions: walks the init containers from the last to the first to
     * find how far initialization got (completed ones may have been removed since), starts the next one,
     * keeps sidecars running (restarting those that exited, failed their startup or liveness probe), and
     * kills the pod when a regular init container failed under restartPolicy Never. True when every init
     * container is done (regular ones completed, sidecars started).
     */
    private static boolean computeInitContainerActions(Pod pod, RuntimePod runtime, ProbeResults probes, Plan p) {
        List<Container> inits = pod.spec.initContainers;
        if (inits.isEmpty()) {
            return true;
        }
        boolean podHasInitialized = false;
        for (Container c : pod.spec.containers) {
            ContainerInfo s = runtime.latest(c.name);
            // an exited main container may belong to a sandbox before a reboot: not proof of initialization
            if (s != null && (s.state() == ContainerInfo.State.CREATED || s.running())) {
                podHasInitialized = true;
                break;
            }
        }
        boolean previouslyInitialized = podHasInitialized;
        boolean restartOnFailure = restartOnFailure(pod);
        List<Integer> toStart = new ArrayList<>();
        for (int i = inits.size() - 1; i >= 0; i--) {
            Container c = inits.get(i);
            boolean sidecar = isSidecar(c);
            ContainerInfo s = runtime.latest(c.name);
            if (s == null) {
                if (previouslyInitialized && sidecar) {
                    toStart.add(i);
                }
                continue;
            }
            if (previouslyInitialized && !sidecar) {
                continue;
            }
            switch (s.state()) {
                case CREATED -> toStart.add(i);
                case RUNNING -> {
                    if (!sidecar) {
                        break; // a regular init container: wait for it to finish
                    }
                    if (c.startupProbe != null) {
                        ProbeResults.Result startup = probes.get(ProbeType.STARTUP, s.id());
                        if (startup != ProbeResults.Result.SUCCESS) {
                            if (startup == ProbeResults.Result.FAILURE) {
                                p.toKill.add(new PodActions.ContainerToKill(s.id(), c.name, PodActions.KillReason.STARTUP_PROBE,
                                        "Init container " + c.name + " failed startup probe"));
                                toStart.add(i);
                            }
                            break; // not started yet: the next init container waits
                        }
                    }
                    if (i == inits.size() - 1) {
                        podHasInitialized = true;
                    } else if (!previouslyInitialized) {
                        toStart.add(i + 1); // started for the first time: on to the next one
                    }
                    if (c.livenessProbe != null && probes.get(ProbeType.LIVENESS, s.id()) == ProbeResults.Result.FAILURE) {
                        p.toKill.add(new PodActions.ContainerToKill(s.id(), c.name, PodActions.KillReason.LIVENESS_PROBE,
                                "Init container " + c.name + " failed liveness probe"));
                        toStart.add(i);
                    }
                }
                case EXITED -> {
                    if (sidecar) {
                        toStart.add(i); // a sidecar is always restarted, whatever the pod's restartPolicy
                    } else if (initContainerFailed(s)) {
                        if (!restartOnFailure) {
                            p.killPod = true;
                            p.initToStart.clear();
                            return false;
                        }
                        toStart.add(i);
                    } else if (i == inits.size() - 1) {
                        podHasInitialized = true;
                    } else {
                        toStart.add(i + 1);
                    }
                }
                default -> {
                    if (!sidecar && !restartOnFailure) {
                        p.killPod = true;
                        p.initToStart.clear();
                        return false;
                    }
                    p.toKill.add(new PodActions.ContainerToKill(s.id(), c.name, PodActions.KillReason.UNKNOWN,
                            "Init container is in \"Unknown\" state, try killing it before restart"));
                    toStart.add(i);
                }
            }
            previouslyInitialized = true;
        }
        if (!previouslyInitialized) {
            toStart.add(0); // nothing has run yet: the first one
        }
        // found walking backwards; started in spec order
        for (int i = toStart.size() - 1; i >= 0; i--) {
            if (!p.initToStart.contains(toStart.get(i))) {
                p.initToStart.add(toStart.get(i));
            }
        }
        return podHasInitialized;
    }

    /**
     * Holds back every container that is due to start but whose last instance exited less than its
     * back-off ago (Kubernetes' doBackOff): it waits in CrashLoopBackOff with Kubernetes' message.
     */
    private static PodActions applyBackOff(Plan p, Pod pod, RuntimePod runtime, Backoff backoff, Instant now) {
        p.initToStart.removeIf(i -> heldBack(pod, pod.spec.initContainers.get(i), runtime, backoff, now, p));
        p.toStart.removeIf(i -> heldBack(pod, pod.spec.containers.get(i), runtime, backoff, now, p));
        return p.build();
    }

    private static boolean heldBack(Pod pod, Container c, RuntimePod runtime, Backoff backoff, Instant now, Plan p) {
        ContainerInfo exited = runtime.instances(c.name).stream().filter(ContainerInfo::exited).findFirst().orElse(null);
        if (exited == null) {
            return false;
        }
        String key = backOffKey(pod, c);
        if (!backoff.inBackOffSince(key, exited.finishedAt(), now)) {
            return false;
        }
        ContainerStatus.Waiting w = new ContainerStatus.Waiting();
        w.reason = "CrashLoopBackOff";
        w.message = "back-off " + goDuration(backoff.get(key)) + " restarting failed container=" + c.name + " pod=" + formatPod(pod);
        p.backOff.put(c.name, w);
        return true;
    }

    /** The back-off key of a container of a pod (Kubernetes' GetStableKey: name, namespace, uid, container). */
    public static String backOffKey(Pod pod, Container c) {
        return pod.metadata.uid + "/" + c.name;
    }

    /** Kubernetes' format.Pod: {@code name_namespace(uid)}. */
    public static String formatPod(Pod pod) {
        return pod.metadata.name + "_" + pod.metadata.namespace + "(" + pod.metadata.uid + ")";
    }

    /** A duration as Go prints it: 10s, 2m40s, 5m0s. */
    public static String goDuration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : (s / 60) + "m" + (s % 60) + "s";
    }

    /** Whether the pod has been active on the node for at least activeDeadlineSeconds (active_deadline.go). */
    static boolean pastActiveDeadline(Pod pod, Instant startTime, Instant now) {
        Long deadline = pod.spec.activeDeadlineSeconds;
        if (deadline == null || startTime == null) {
            return false;
        }
        return Duration.between(startTime, now).compareTo(Duration.ofSeconds(deadline)) >= 0;
    }

    /** Kubernetes' ShouldContainerBeRestarted for a main container whose latest instance is {@code status}. */
    static boolean shouldContainerBeRestarted(Pod pod, ContainerInfo status) {
        if (pod.metadata.deletionTimestamp != null) {
            return false;
        }
        if (status == null) {
            return true;
        }
        return switch (status.state()) {
            case RUNNING -> false;
            case UNKNOWN, CREATED -> true;
            case EXITED -> switch (restartPolicy(pod)) {
                case "Never" -> false;
                case "OnFailure" -> status.exitCode() != 0;
                default -> true;
            };
        };
    }

    /** Whether the container instance has started: running, and its startup probe (if any) succeeded. */
    static boolean started(Container c, ContainerInfo s, ProbeResults probes) {
        return s != null && s.running() && (c.startupProbe == null || probes.get(ProbeType.STARTUP, s.id()) == ProbeResults.Result.SUCCESS);
    }

    private static boolean initContainerFailed(ContainerInfo s) {
        return "OOMKilled".equals(s.reason()) || (s.exited() && s.exitCode() != 0) || s.state() == ContainerInfo.State.UNKNOWN;
    }

    private static boolean anyRegularContainerCreated(Pod pod, RuntimePod runtime) {
        return pod.spec.containers.stream().map(c -> runtime.latest(c.name))
                .anyMatch(s -> s != null && s.state() != ContainerInfo.State.UNKNOWN);
    }

    private static boolean succeeded(ContainerInfo s) {
        return s != null && s.exited() && s.exitCode() == 0;
    }

    /** A restartable init container (restartPolicy Always): Kubernetes' sidecar. */
    public static boolean isSidecar(Container c) {
        return "Always".equals(c.restartPolicy);
    }

    static boolean restartOnFailure(Pod pod) {
        return !"Never".equals(restartPolicy(pod));
    }

    static String restartPolicy(Pod pod) {
        return pod.spec.restartPolicy == null ? "Always" : pod.spec.restartPolicy;
    }

    /** The plan while it is being built. */
    private static final class Plan {
        boolean killPod;
        boolean createSandbox;
        String sandboxId;
        int sandboxAttempt;
        boolean deadlineExceeded;
        final List<Integer> initToStart = new ArrayList<>();
        final List<Integer> toStart = new ArrayList<>();
        final List<Integer> ephemeralToStart = new ArrayList<>();
        final List<PodActions.ContainerToKill> toKill = new ArrayList<>();
        final Map<String, ContainerStatus.Waiting> backOff = new LinkedHashMap<>();

        PodActions build() {
            return new PodActions(killPod, createSandbox, sandboxId, sandboxAttempt, initToStart, toStart, toKill, backOff, deadlineExceeded,
                    killPod ? List.of() : ephemeralToStart);
        }
    }
}
