package io.kube4j.kubeproxy;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /healthz} on port 10256, as Kubernetes' kube-proxy: 200 once the proxy rules reflect the apiserver's state. */
@RestController
class HealthController {
    private final ProxySync sync;

    HealthController(ProxySync sync) {
        this.sync = sync;
    }

    @GetMapping("/healthz")
    ResponseEntity<String> healthz() {
        return sync.hasSynced() ? ResponseEntity.ok("ok") : ResponseEntity.status(503).body("not synced yet");
    }
}
