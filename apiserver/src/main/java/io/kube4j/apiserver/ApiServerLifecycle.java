package io.kube4j.apiserver;

import io.kube4j.apiserver.controlplane.PostStartRetry;
import io.kube4j.apiserver.registry.kinds.NamespaceStrategy;
import io.kube4j.apiserver.registry.kinds.PriorityClassStrategy;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.Compactor;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts the watch cache, creates the system namespaces once etcd answers, and runs compaction.
 * The HTTP server starts regardless, so /livez answers and /readyz tells when etcd is usable.
 */
@Component
public class ApiServerLifecycle implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ApiServerLifecycle.class);

    private final WatchCache cache;
    private final SystemObjects systemObjects;
    private final Compactor compactor;
    private final ApiServerProperties props;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    public ApiServerLifecycle(WatchCache cache, SystemObjects systemObjects, Storage storage, ApiServerProperties props) {
        this.cache = cache;
        this.systemObjects = systemObjects;
        this.compactor = new Compactor(storage, props.compaction());
        this.props = props;
    }

    @Override
    public void start() {
        running = true;
        cache.start();
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("apiserver-maintenance").factory());
        scheduler.execute(this::bootstrapNamespaces);
        long period = props.compaction().interval().toMillis();
        scheduler.scheduleAtFixedRate(compactor::compactOnce, period, period, TimeUnit.MILLISECONDS);
    }

    private void bootstrapNamespaces() {
        if (PostStartRetry.untilDone(() -> running, systemObjects::ensure, e -> log.warn("cannot create system namespaces yet: {}", e.getMessage()))) {
            log.info("system namespaces {} and priority classes {} present", NamespaceStrategy.SYSTEM_NAMESPACES, PriorityClassStrategy.SYSTEM_CLASSES.keySet());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        cache.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
