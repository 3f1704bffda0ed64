package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Service;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the proxier in line with the informer caches: any Service or EndpointSlice event marks the state
 * dirty, and one worker recomputes the full list of ports and hands it to the proxier. Events that
 * arrive while a sync runs collapse into one more sync; a periodic sync retries what failed (a port
 * that could not be bound).
 */
public class ProxySync implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ProxySync.class);

    /** Service informer (all namespaces). */
    private final Informer<Service> services;
    /** EndpointSlices (all namespaces), by Service. */
    private final EndpointSliceCache slices;
    // the slice informer behind it, started and stopped here
    private final Informer<EndpointSlice> endpoints;
    /** The forwarding implementation chosen by configuration. */
    private final Proxier proxier;
    private final ProxyMetrics metrics;
    private final Duration period;
    /** This proxy's node, for externalTrafficPolicy Local ("" : no endpoint is local). */
    private final String nodeName;
    /** Capacity one: a pending sync already covers every later event. */
    private final BlockingQueue<Boolean> dirty = new ArrayBlockingQueue<>(1);
    private volatile boolean running;
    private volatile boolean hasSynced;
    private Thread worker;

    public ProxySync(Informer<Service> services, EndpointSliceCache slices, Proxier proxier, ProxyMetrics metrics, Duration period) {
        this(services, slices, proxier, metrics, period, "");
    }

    /** @param nodeName this proxy's node: endpoints whose EndpointSlice {@code nodeName} is it are local */
    public ProxySync(Informer<Service> services, EndpointSliceCache slices, Proxier proxier, ProxyMetrics metrics, Duration period, String nodeName) {
        this.nodeName = nodeName;
        this.services = services;
        this.slices = slices;
        this.endpoints = slices.informer();
        this.proxier = proxier;
        this.metrics = metrics;
        this.period = period;
        services.addHandler(trigger());
        endpoints.addHandler(trigger());
    }

    private <T> ResourceEventHandler<T> trigger() {
        return ResourceEventHandler.onAnyChange(() -> dirty.offer(Boolean.TRUE));
    }

    @Override
    public void start() {
        running = true;
        services.start();
        endpoints.start();
        // an empty cluster sends no events: the first sync (and with it /healthz) must not wait for one
        dirty.offer(Boolean.TRUE);
        worker = Thread.ofVirtual().name("kube-proxy-sync").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                dirty.poll(period.toMillis(), TimeUnit.MILLISECONDS);
                if (!services.hasSynced() || !endpoints.hasSynced()) {
                    // a partial view would close listeners of Services not listed yet
                    Thread.sleep(50);
                    dirty.offer(Boolean.TRUE);
                    continue;
                }
                syncOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("proxy sync failed; retrying at the next change or period", e);
            }
        }
    }

    /** Computes the desired ports from the caches and applies them (visible for tests). */
    void syncOnce() {
        long start = System.nanoTime();
        List<ProxiedPort> ports = desiredPorts();
        proxier.sync(ports);
        metrics.endpoints(ports);
        metrics.synced(Duration.ofNanos(System.nanoTime() - start));
        hasSynced = true;
    }

    List<ProxiedPort> desiredPorts() {
        List<ProxiedPort> ports = new ArrayList<>();
        for (Service s : services.store().list()) {
            try {
                ports.addAll(ProxiedPorts.of(s, slices.slices(s.metadata.namespace, s.metadata.name), nodeName));
            } catch (RuntimeException e) {
                log.warn("skipping Service {}: {}", s.key(), e.toString());
            }
        }
        ports.sort(Comparator.comparing(ProxiedPort::id));
        return ports;
    }

    /** Whether the caches have synced and the proxier has been given the full state once. */
    public boolean hasSynced() {
        return hasSynced;
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
        services.stop();
        endpoints.stop();
        proxier.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
