package io.kube4j.kubelet.pod;

import io.kube4j.api.Pod;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.informer.Store;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod workers of one kubelet, one per pod uid, fed by the informer on this node's pods and by the
 * node's relist ({@code Pleg}): a pod event or a change of the pod's containers only wakes the pod's
 * worker (creating it for a new pod), and so does a change of a ConfigMap or Secret the pod refers to (pods
 * are registered with the node's ConfigMap and Secret managers while they have a worker). Housekeeping
 * removes what the runtime still has for pods that no longer exist (deleted while the kubelet was down),
 * from the relist's picture, and their pod directories.
 */
public final class PodWorkers implements ResourceEventHandler<Pod> {
    private static final Logger log = LoggerFactory.getLogger(PodWorkers.class);

    private final Store<Pod> store;
    private final KubeletContext ctx;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile Instant lastContainerGc;

    public PodWorkers(Store<Pod> store, KubeletContext ctx) {
        this.store = store;
        this.ctx = ctx;
        ctx.metrics().track(this);
        ctx.pleg().addListener(this::signal);
        // a ConfigMap or Secret a pod waits for (or mounts) appeared or changed: sync that pod now
        ctx.configMaps().addListener(uids -> uids.forEach(this::signal));
        ctx.secrets().addListener(uids -> uids.forEach(this::signal));
    }

    private void signal(String uid) {
        PodWorker w = workers.get(uid);
        if (w != null) {
            w.signal();
        }
    }

    @Override
    public void onAdd(Pod pod) {
        dispatch(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod pod) {
        dispatch(pod);
    }

    @Override
    public void onDelete(Pod pod) {
        PodWorker w = workers.get(pod.metadata.uid);
        if (w != null) {
            w.signal();
        }
    }

    private void dispatch(Pod pod) {
        String uid = pod.metadata.uid;
        if (uid == null || stopped) {
            return;
        }
        String key = pod.key();
        // Kubernetes' podManager.AddPod/UpdatePod: watch what the pod refers to before its worker reads it
        if (pod.metadata.deletionTimestamp == null) {
            ctx.configMaps().registerPod(pod);
            ctx.secrets().registerPod(pod);
        }
        PodWorker worker = workers.computeIfAbsent(uid, u -> {
            PodWorker w = new PodWorker(u, () -> store.get(key), ctx, () -> finished(u));
            w.start();
            return w;
        });
        worker.signal();
    }

    private void finished(String uid) {
        workers.remove(uid);
        ctx.configMaps().unregisterPod(uid);
        ctx.secrets().unregisterPod(uid);
    }

    /** The worker of a pod uid (for tests and the log endpoint), or null. */
    public PodWorker worker(String uid) {
        return workers.get(uid);
    }

    /**
     * Removes sandboxes and containers whose pod is neither in the store nor being worked on: what a
     * previous kubelet left behind for pods deleted since. Call only after the informer has synced.
     */
    public void housekeeping() {
        Set<String> known = new HashSet<>(workers.keySet());
        for (Pod p : store.list()) {
            known.add(p.metadata.uid);
        }
        ctx.volumes().cleanupOrphans(known);
        ContainerRuntime runtime = ctx.runtime();
        for (String uid : Set.copyOf(ctx.pleg().podUids())) {
            if (known.contains(uid)) {
                continue;
            }
            RuntimePod orphan = ctx.pleg().pod(uid);
            for (ContainerInfo c : orphan.containers()) {
                log.info("removing orphaned container {} of pod {}", c.name(), c.pod());
                runtime.stopContainer(c.id(), Duration.ZERO);
                runtime.removeContainer(c.id());
            }
            for (Sandbox s : orphan.sandboxes()) {
                log.info("removing orphaned sandbox of pod {}", s.pod());
                runtime.stopPodSandbox(s.id());
                runtime.removePodSandbox(s.id());
            }
        }
        Instant now = ctx.clock().instant();
        if (lastContainerGc == null || !now.isBefore(lastContainerGc.plus(ContainerGc.CONTAINER_GC_PERIOD))) {
            lastContainerGc = now;
            collectSandboxes(known);
        }
    }

    /**
     * The kubelet's sandbox garbage collection (Kubernetes' containerGC.evictSandboxes, run every ContainerGCPeriod):
     * removes the not-ready sandboxes that are not the newest of their pod, such as those failed RunPodSandbox calls
     * left behind. Returns the ids removed.
     */
    public List<String> collectSandboxes(Set<String> knownPods) {
        ContainerRuntime runtime = ctx.runtime();
        List<String> removed = ContainerGc.evictSandboxes(runtime, runtime.listPodSandboxes(), runtime.listContainers(),
                uid -> !knownPods.contains(uid));
        if (!removed.isEmpty()) {
            log.info("removed {} dead sandbox(es)", removed.size());
        }
        return removed;
    }

    int runningPods() {
        return (int) workers.values().stream().filter(PodWorker::running).count();
    }

    int runningContainers() {
        return workers.values().stream().mapToInt(PodWorker::runningContainers).sum();
    }

    /** Stops every worker's loop; the pods' containers keep running for the next kubelet to adopt. */
    public void stop() {
        stopped = true;
        workers.values().forEach(PodWorker::stop);
    }
}
