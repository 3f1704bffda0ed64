package io.kube4j.apiserver.web;

import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.watch.WatchCache;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Kubernetes-style health: {@code /livez} (the process runs), {@code /readyz} (etcd reachable and the cache synced). */
@RestController
class HealthController {
    private final WatchCache cache;
    private final Storage storage;

    HealthController(WatchCache cache, Storage storage) {
        this.cache = cache;
        this.storage = storage;
    }

    @GetMapping(path = {"/livez", "/healthz"}, produces = MediaType.TEXT_PLAIN_VALUE)
    String live() {
        return "ok";
    }

    @GetMapping(path = "/readyz", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> ready() {
        if (!cache.isReady()) {
            return ResponseEntity.status(503).body("[-]watch-cache not synced\nreadyz check failed\n");
        }
        if (cache.get("/registry/namespaces/default") == null) {
            return ResponseEntity.status(503).body("[-]system namespaces not created yet\nreadyz check failed\n");
        }
        try {
            storage.currentRevision();
        } catch (StorageException e) {
            return ResponseEntity.status(503).body("[-]etcd failed: " + e.getMessage() + "\nreadyz check failed\n");
        }
        return ResponseEntity.ok("ok");
    }
}
