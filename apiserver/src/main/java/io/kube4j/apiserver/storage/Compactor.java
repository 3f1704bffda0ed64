package io.kube4j.apiserver.storage;

import io.kube4j.apiserver.ApiServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts etcd's history periodically, keeping the newest {@code keepRevisions} revisions, so etcd
 * does not grow without bound. Watchers behind the compacted revision re-list (410).
 */
public final class Compactor {
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    private final Storage storage;
    private final ApiServerProperties.Compaction config;
    private long lastCompacted;

    public Compactor(Storage storage, ApiServerProperties.Compaction config) {
        this.storage = storage;
        this.config = config;
    }

    /** One compaction round; failures are logged (another apiserver may have compacted further already). */
    public void compactOnce() {
        try {
            long target = storage.currentRevision() - config.keepRevisions();
            if (target > lastCompacted && target > 0) {
                storage.compact(target);
                lastCompacted = target;
                log.info("compacted etcd history up to revision {}", target);
            }
        } catch (StorageException e) {
            log.debug("compaction skipped: {}", e.getMessage());
        }
    }
}
