package io.kube4j.kubelet.pleg;

import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The pod lifecycle event generator of one node (Kubernetes' {@code pkg/kubelet/pleg/generic.go}): one
 * relist of the runtime per period ({@code listPodSandboxes} + {@code listContainers}, each called once,
 * whatever the number of pods), grouped by pod into {@link RuntimePod} snapshots that every pod worker
 * reads instead of asking the runtime itself. A pod whose sandboxes or containers changed state since
 * the previous relist is handed to the listeners at once, which wake its worker. A runtime that reports
 * container events ({@link ContainerRuntime#addContainerEventListener}) triggers a relist right away, so
 * an exit reaches the pod's status well within one period.
 * <p>
 * Each relist is numbered when it starts ({@link #started()}) and its snapshot, once published, carries
 * that number as {@link #generation()}. A worker that has just changed the runtime notes {@link #started()}
 * and waits for a generation newer than that: a relist that began after its changes (Kubernetes'
 * cache.GetNewerThan, whose timestamps are taken before listing), so it never acts twice on a stale picture,
 * not even one a relist in flight while it acted would publish.
 */
public final class Pleg {
    private static final Logger log = LoggerFactory.getLogger(Pleg.class);

    private final ContainerRuntime runtime;
    private final Duration period;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    // at most one pending wake-up: events during a relist coalesce into one more relist
    private final LinkedBlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>(1);
    private final AtomicLong relists = new AtomicLong();
    // relists started so far: the number of the next one to publish
    private final AtomicLong started = new AtomicLong();
    private final Object monitor = new Object();
    private Map<String, String> fingerprints = Map.of();
    private volatile Map<String, RuntimePod> pods = Map.of();
    private volatile long generation;
    private volatile boolean stopped;
    private volatile Thread thread;

    /**
     * @param runtime the node's runtime
     * @param period  how long between two relists when nothing asks for one sooner (Kubernetes: 1 s)
     */
    public Pleg(ContainerRuntime runtime, Duration period) {
        this.runtime = runtime;
        this.period = period;
        runtime.addContainerEventListener(this::wake);
    }

    /** Adds a listener told the uid of every pod that changed (or vanished) at a relist; it must return quickly. */
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Starts relisting every period on a virtual thread. */
    public void start() {
        thread = Thread.ofVirtual().name("pleg").start(this::loop);
    }

    /** Stops relisting. */
    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Asks for a relist as soon as possible (a runtime event). */
    public void wake() {
        wakeups.offer(Boolean.TRUE);
    }

    private void loop() {
        while (!stopped) {
            try {
                relist();
            } catch (RuntimeException e) {
                // the runtime is down or slow: the snapshot stays as it was, the next period retries
                log.warn("relist failed: {}", e.getMessage());
            }
            try {
                wakeups.poll(period.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Lists the runtime once, publishes the new snapshots, and tells the listeners which pods changed.
     * Returns the new generation. Throws what the runtime throws (the snapshot is then left as it was).
     */
    public long relist() {
        long number = started.incrementAndGet();
        List<Sandbox> sandboxes = runtime.listPodSandboxes();
        List<ContainerInfo> containers = runtime.listContainers();
        relists.incrementAndGet();
        Map<String, List<Sandbox>> sandboxesByPod = sandboxes.stream().collect(Collectors.groupingBy(s -> s.pod().uid()));
        Map<String, List<ContainerInfo>> containersByPod = containers.stream().collect(Collectors.groupingBy(c -> c.pod().uid()));
        Set<String> uids = new HashSet<>(sandboxesByPod.keySet());
        uids.addAll(containersByPod.keySet());
        Map<String, RuntimePod> next = new HashMap<>();
        Map<String, String> nextFingerprints = new HashMap<>();
        for (String uid : uids) {
            RuntimePod p = new RuntimePod(uid, sandboxesByPod.getOrDefault(uid, List.of()), containersByPod.getOrDefault(uid, List.of()));
            next.put(uid, p);
            nextFingerprints.put(uid, fingerprint(p));
        }
        List<String> changed = new ArrayList<>();
        long gen;
        synchronized (monitor) {
            if (number <= generation) {
                return generation; // a relist that started later has published already: this picture is older
            }
            for (Map.Entry<String, String> e : nextFingerprints.entrySet()) {
                if (!e.getValue().equals(fingerprints.get(e.getKey()))) {
                    changed.add(e.getKey());
                }
            }
            for (String uid : fingerprints.keySet()) {
                if (!nextFingerprints.containsKey(uid)) {
                    changed.add(uid);
                }
            }
            fingerprints = nextFingerprints;
            pods = Map.copyOf(next);
            generation = number;
            gen = number;
            monitor.notifyAll();
        }
        for (String uid : changed) {
            for (Consumer<String> l : listeners) {
                l.accept(uid);
            }
        }
        return gen;
    }

    /** What state a pod's things are in: a change of it is a pod lifecycle event. */
    private static String fingerprint(RuntimePod p) {
        StringBuilder b = new StringBuilder();
        p.sandboxes().stream().map(s -> s.id() + ":" + s.ready() + ":" + s.ip()).sorted().forEach(x -> b.append(x).append(';'));
        p.containers().stream().map(c -> c.id() + ":" + c.state() + ":" + c.exitCode()).sorted().forEach(x -> b.append(x).append(';'));
        return b.toString();
    }

    /** The pod as of the last relist (empty when the runtime has nothing of it). */
    public RuntimePod pod(String uid) {
        RuntimePod p = pods.get(uid);
        return p != null ? p : RuntimePod.empty(uid);
    }

    /** Every pod uid the runtime had at the last relist. */
    public Set<String> podUids() {
        return pods.keySet();
    }

    /** The number of the relist whose snapshot is published now (relists are numbered as they start). */
    public long generation() {
        return generation;
    }

    /**
     * How many relists have started: a worker that has just changed the runtime waits for a generation newer
     * than this, i.e. a relist that began after its changes.
     */
    public long started() {
        return started.get();
    }

    /** How many times the runtime has been listed (for tests and metrics). */
    public long relists() {
        return relists.get();
    }

    /**
     * Waits until a relist newer than {@code generation} has completed, or {@code timeout} passed;
     * true when it has. Asks for that relist at once.
     */
    public boolean awaitNewerThan(long generation, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            if (this.generation > generation) {
                return true;
            }
            wake();
            while (this.generation <= generation) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }
}
