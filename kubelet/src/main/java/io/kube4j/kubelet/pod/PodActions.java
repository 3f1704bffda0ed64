package io.kube4j.kubelet.pod;

import io.kube4j.api.ContainerStatus;

import java.util.List;
import java.util.Map;

/**
 * What one sync of a pod will do to the runtime, decided before anything is done (Kubernetes'
 * {@code podActions} in {@code kuberuntime_manager.go}). Computed by {@link PodActionsPlanner#compute};
 * carried out by the pod worker in this order: kill the pod (or the listed containers), create the
 * sandbox, start the listed init containers in order, start the listed containers.
 *
 * @param killPod               stop every container (main containers first, sidecars last in reverse order) and the sandbox
 * @param createSandbox         create a sandbox (after killing the pod's old one); init containers start over
 * @param sandboxId             the ready sandbox to start containers in, null when one is to be created
 * @param sandboxAttempt        the attempt number of the sandbox to create (0 for the first)
 * @param initContainersToStart indexes into {@code spec.initContainers} to start, in spec order: the next
 *                              regular init container, and sidecars to start or restart
 * @param containersToStart     indexes into {@code spec.containers} to start
 * @param ephemeralContainersToStart indexes into {@code spec.ephemeralContainers} that never ran (they are never
 *                              restarted); started before the init containers, as Kubernetes' SyncPod step 5
 * @param containersToKill      running instances to stop before anything starts
 * @param backOff               containers due to start but held back by CrashLoopBackOff, by name: their
 *                              waiting state ({@code reason=CrashLoopBackOff}, Kubernetes' message)
 * @param deadlineExceeded      {@code spec.activeDeadlineSeconds} has passed since {@code status.startTime}:
 *                              the pod is killed and fails with reason DeadlineExceeded
 */
public record PodActions(
        boolean killPod,
        boolean createSandbox,
        String sandboxId,
        int sandboxAttempt,
        List<Integer> initContainersToStart,
        List<Integer> containersToStart,
        List<ContainerToKill> containersToKill,
        Map<String, ContainerStatus.Waiting> backOff,
        boolean deadlineExceeded,
        List<Integer> ephemeralContainersToStart) {

    public PodActions {
        initContainersToStart = List.copyOf(initContainersToStart);
        containersToStart = List.copyOf(containersToStart);
        containersToKill = List.copyOf(containersToKill);
        backOff = Map.copyOf(backOff);
        ephemeralContainersToStart = List.copyOf(ephemeralContainersToStart);
    }

    /** Without ephemeral containers to start. */
    public PodActions(boolean killPod, boolean createSandbox, String sandboxId, int sandboxAttempt, List<Integer> initContainersToStart,
                      List<Integer> containersToStart, List<ContainerToKill> containersToKill, Map<String, ContainerStatus.Waiting> backOff,
                      boolean deadlineExceeded) {
        this(killPod, createSandbox, sandboxId, sandboxAttempt, initContainersToStart, containersToStart, containersToKill, backOff,
                deadlineExceeded, List.of());
    }

    /** Why a single container is killed (Kubernetes' containerKillReason): decides which grace period applies. */
    public enum KillReason { LIVENESS_PROBE, STARTUP_PROBE, UNKNOWN }

    /**
     * One running container instance to stop.
     *
     * @param containerId the runtime's id of the instance
     * @param name        the container's name in the spec
     * @param reason      why; a probe's terminationGracePeriodSeconds applies for probe kills
     * @param message     the Killing event's message, e.g. {@code Container app failed liveness probe, will be restarted}
     */
    public record ContainerToKill(String containerId, String name, KillReason reason, String message) {
    }

    /** Whether the sync changes nothing in the runtime. */
    public boolean isEmpty() {
        return !killPod && !createSandbox && initContainersToStart.isEmpty() && containersToStart.isEmpty() && containersToKill.isEmpty()
                && ephemeralContainersToStart.isEmpty();
    }
}
