package io.kube4j.scheduler;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.client.ApiClient;
import io.kube4j.client.TokenBucketRateLimiter;
import io.kube4j.events.EventRecorder;
import io.kube4j.informer.Informer;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.core.ApiBinder;
import io.kube4j.scheduler.core.ApiSchedulingReporter;
import io.kube4j.scheduler.core.EventWriteQueue;
import io.kube4j.scheduler.core.NodeEventHandler;
import io.kube4j.scheduler.core.PodEventHandler;
import io.kube4j.scheduler.core.Scheduler;
import io.kube4j.scheduler.core.SchedulingAlgorithm;
import io.kube4j.scheduler.core.SchedulingReporter;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.plugins.PluginRegistry;
import io.kube4j.scheduler.plugins.defaultpreemption.ApiPreemption;
import io.kube4j.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.kube4j.scheduler.plugins.defaultpreemption.PreemptionMetrics;
import io.kube4j.scheduler.queue.Nominator;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;

/** Wiring: client, informers, queue and its nominator, cache, framework with DefaultPreemption, the scheduling loop and its runner. */
@Configuration(proxyBeanMethods = false)
class SchedulerConfiguration {

    /** The HTTP connector's own errors (bad request targets, oversized headers) answered as a Status. */
    @org.springframework.context.annotation.Bean
    org.springframework.boot.tomcat.TomcatContextCustomizer statusErrorReportValve() {
        return io.kube4j.web.StatusErrorReportValve::install;
    }


    @Bean
    ApiClient apiClient(ApiServerProperties apiServer) {
        return apiServer.client("scheduler/kube4j");
    }

    @Bean
    SchedulingQueue schedulingQueue(SchedulerProperties props, Framework framework, SchedulingReporter reporter, Nominator nominator) {
        return new SchedulingQueue(System::nanoTime, props.initialBackoff(), props.maxBackoff(), props.unschedulableTimeout(),
                framework.preEnqueuePlugins(), reporter::gated, nominator);
    }

    // the pod informer is looked up when a nomination is made, not now (it needs the queue, which needs this)
    @Bean
    Nominator nominator(ObjectProvider<Informer<Pod>> podInformer) {
        return new Nominator(key -> podInformer.getObject().store().get(key));
    }

    /** The event broadcaster's queue: 1000 events, dropped when full, one writer (see {@link EventWriteQueue}). */
    @Bean(destroyMethod = "shutdownNow")
    EventWriteQueue eventWriteQueue() {
        return new EventWriteQueue();
    }

    /**
     * The one recorder of the scheduler's Events (Scheduled, FailedScheduling, Preempted), as kube-scheduler's one
     * broadcaster: through {@link EventWriteQueue} and an event client with its own token bucket
     * ({@code clientConnection.qps}/{@code burst}), so Events never wait in the scheduling loop nor crowd out bindings.
     */
    @Bean
    EventRecorder eventRecorder(SchedulerProperties props, ApiClient client, EventWriteQueue queue) {
        SchedulerProperties.ClientConnection cc = props.clientConnection();
        ApiClient eventClient = cc.qps() > 0 ? client.withRateLimiter(new TokenBucketRateLimiter(cc.qps(), cc.burst())) : client;
        boolean correlate = !"false".equalsIgnoreCase(System.getProperty("kube4j.events.correlate", "true"));
        return new EventRecorder(eventClient, props.name(), SchedulerRunner.hostname(), Clock.systemUTC(), correlate, queue);
    }

    // the pod informer is looked up when a report is written, not now: it needs the queue, which needs this
    @Bean
    SchedulingReporter schedulingReporter(SchedulerProperties props, ApiClient client, EventRecorder events, ObjectProvider<Informer<Pod>> podInformer) {
        return new ApiSchedulingReporter(client, events, key -> podInformer.getObject().store().get(key), props.recordScheduledEvents());
    }

    @Bean
    SchedulerCache schedulerCache() {
        return new SchedulerCache();
    }

    /**
     * The default plugins plus DefaultPreemption, whose informers and metrics are looked up when it runs
     * (they need the queue, which needs the framework).
     */
    @Bean
    Framework framework(SchedulerProperties props, ApiClient client, EventRecorder events, Nominator nominator, Informer<PodDisruptionBudget> pdbInformer,
                        ObjectProvider<Informer<Pod>> podInformer, ObjectProvider<SchedulerMetrics> metrics) {
        PreemptionMetrics preemptionMetrics = new PreemptionMetrics() {
            @Override
            public void preemptionAttempt() {
                metrics.getObject().preemptionAttempt();
            }

            @Override
            public void preemptionVictims(int victims) {
                metrics.getObject().preemptionVictims(victims);
            }
        };
        DefaultPreemption preemption = new DefaultPreemption(key -> podInformer.getObject().store().get(key), () -> pdbInformer.store().list(),
                new ApiPreemption(client, events, props.name()), new Random(), props.minCandidateNodesPercentage(),
                props.minCandidateNodesAbsolute(), preemptionMetrics);
        return PluginRegistry.defaultFramework(props.weights(), List.of(preemption), nominator);
    }

    @Bean
    Informer<PodDisruptionBudget> pdbInformer(ApiClient client) {
        return new Informer<>(client, PodDisruptionBudget.class);
    }

    @Bean
    SchedulerMetrics schedulerMetrics(MeterRegistry registry, SchedulingQueue queue) {
        return new SchedulerMetrics(registry, queue);
    }

    @Bean
    Informer<Pod> podInformer(ApiClient client, SchedulingQueue queue, SchedulerCache cache, SchedulerProperties props) {
        return new Informer<>(client, Pod.class).addHandler(new PodEventHandler(queue, cache, props.name()));
    }

    @Bean
    Informer<Node> nodeInformer(ApiClient client, SchedulingQueue queue, SchedulerCache cache) {
        return new Informer<>(client, Node.class).addHandler(new NodeEventHandler(queue, cache));
    }

    @Bean
    Scheduler scheduler(SchedulerProperties props, ApiClient client, SchedulingQueue queue, SchedulerCache cache, Framework framework,
                        SchedulerMetrics metrics, SchedulingReporter reporter, Informer<Pod> podInformer) {
        return new Scheduler(queue, cache, framework,
                new SchedulingAlgorithm(framework, props.percentageOfNodesToScore(), new Random()),
                new ApiBinder(client),
                reporter,
                metrics, key -> podInformer.store().get(key),
                Executors.newVirtualThreadPerTaskExecutor(), props.bindConcurrency());
    }

    @Bean
    SchedulerRunner schedulerRunner(SchedulerProperties props, ApiClient client, Scheduler scheduler, SchedulingQueue queue,
                                    Informer<Pod> podInformer, Informer<Node> nodeInformer, Informer<PodDisruptionBudget> pdbInformer) {
        return new SchedulerRunner(props, client, scheduler, queue, podInformer, nodeInformer, pdbInformer);
    }
}
