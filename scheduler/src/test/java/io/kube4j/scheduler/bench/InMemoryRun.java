package io.kube4j.scheduler.bench;

import io.kube4j.api.Pod;
import io.kube4j.json.Json;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.core.Binder;
import io.kube4j.scheduler.core.NodeEventHandler;
import io.kube4j.scheduler.core.PodEventHandler;
import io.kube4j.scheduler.core.Scheduler;
import io.kube4j.scheduler.core.SchedulingAlgorithm;
import io.kube4j.scheduler.core.SchedulingReporter;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.it.ClusterFixture;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.plugins.PluginRegistry;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler without an apiserver: the real queue, cache, framework and loop, with a binder that
 * confirms each binding through the pod handler at once, as the informer would. Measures what the
 * scheduling thread alone can do.
 */
final class InMemoryRun {
    private InMemoryRun() {
    }

    static void run(int nodes, int pods) throws Exception {
        SchedulingQueue queue = new SchedulingQueue();
        SchedulerCache cache = new SchedulerCache();
        Framework framework = PluginRegistry.defaultFramework(Map.of());
        PodEventHandler podHandler = new PodEventHandler(queue, cache, "default-scheduler");
        NodeEventHandler nodeHandler = new NodeEventHandler(queue, cache);
        for (int i = 0; i < nodes; i++) {
            nodeHandler.onAdd(ClusterFixture.node(String.format("node-%05d", i), "4", "32Gi", 110));
        }
        Map<String, Pod> store = new ConcurrentHashMap<>();
        Map<String, Long> queuedAt = new ConcurrentHashMap<>();
        long[] latency = new long[pods];
        CountDownLatch done = new CountDownLatch(pods);
        Binder binder = (pod, node) -> {
            Pod bound = Json.copy(pod);
            bound.spec.nodeName = node;
            podHandler.onUpdate(pod, bound);
            int index = Integer.parseInt(pod.metadata.name.substring(4));
            latency[index] = System.nanoTime() - queuedAt.get(pod.metadata.name);
            done.countDown();
        };
        SchedulingReporter silent = new SchedulingReporter() {
            @Override
            public void scheduled(Pod pod, String nodeName) {
            }

            @Override
            public void unschedulable(Pod pod, String message) {
            }

            @Override
            public void failed(Pod pod, String message) {
            }
        };
        Scheduler scheduler = new Scheduler(queue, cache, framework, new SchedulingAlgorithm(framework, 0, new Random()), binder, silent,
                new SchedulerMetrics(new SimpleMeterRegistry(), queue), store::get, Executors.newVirtualThreadPerTaskExecutor(), 64);
        Pod[] all = new Pod[pods];
        for (int i = 0; i < pods; i++) {
            all[i] = ClusterFixture.pod("default", String.format("pod-%06d", i), "100m", "500Mi");
            all[i].metadata.creationTimestamp = "2026-01-01T00:00:00Z";
            store.put(all[i].key(), all[i]);
        }
        Thread loop = Thread.ofPlatform().name("scheduling-loop").start(scheduler::run);
        long start = System.nanoTime();
        for (Pod p : all) {
            queuedAt.put(p.metadata.name, System.nanoTime());
            podHandler.onAdd(p);
        }
        boolean finished = done.await(10, TimeUnit.MINUTES);
        long elapsed = System.nanoTime() - start;
        long loopCpu = ManagementFactory.getThreadMXBean().getThreadCpuTime(loop.threadId());
        loop.interrupt();
        queue.close();
        Arrays.sort(latency);
        System.out.printf("in-memory %d nodes / %d pods: %s in %.2f s = %.0f pods/s; scheduling thread cpu %.2f s (%.3f ms/pod); "
                        + "latency queued->bound p50 %.1f ms, p99 %.1f ms%n",
                nodes, pods, finished ? "all bound" : "NOT all bound", elapsed / 1e9, pods / (elapsed / 1e9), loopCpu / 1e9,
                loopCpu / 1e6 / pods, latency[pods / 2] / 1e6, latency[(int) (pods * 0.99)] / 1e6);
        if (!finished) {
            throw new AssertionError("not all pods were bound");
        }
    }
}
