package io.kube4j.kubelet.stats;

import io.kube4j.json.Json;
import io.kube4j.kubelet.Kubelet;
import io.kube4j.kubelet.Kubelets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * The kubelet's usage endpoints: {@code GET /stats/summary} (the Summary API, JSON) and
 * {@code GET /metrics/resource} (Prometheus text), what metrics-server scrapes. A process running several
 * hollow kubelets on one port serves each node's own figures when asked with {@code ?node=<name>} (kube4j's
 * addition: the apiserver always sends it; Kubernetes' kubelets each have their own address); without it,
 * a single kubelet answers for itself.
 */
@RestController
class StatsController {
    private final Kubelets kubelets;

    StatsController(Kubelets kubelets) {
        this.kubelets = kubelets;
    }

    @GetMapping(path = "/stats/summary")
    ResponseEntity<byte[]> summary(@RequestParam(required = false) String node) {
        SummaryProvider provider = provider(node);
        if (provider == null) {
            return notFound(node);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Json.writeBytes(provider.summary()));
    }

    @GetMapping(path = "/metrics/resource")
    ResponseEntity<byte[]> resource(@RequestParam(required = false) String node) {
        SummaryProvider provider = provider(node);
        if (provider == null) {
            return notFound(node);
        }
        String body;
        try {
            body = ResourceMetrics.render(provider.summary(), false);
        } catch (RuntimeException e) {
            body = ResourceMetrics.render(null, true);
        }
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/plain; version=0.0.4; charset=utf-8"))
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private SummaryProvider provider(String node) {
        if (node != null && !node.isEmpty()) {
            return kubelets.summary(node);
        }
        List<Kubelet> all = kubelets.all();
        return all.size() == 1 ? kubelets.summary(all.getFirst().nodeName()) : null;
    }

    private static ResponseEntity<byte[]> notFound(String node) {
        String msg = node == null || node.isEmpty() ? "this process runs several nodes: name one with ?node=\n" : "node " + node + " is not run here\n";
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN).body(msg.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
