package io.kube4j.apiserver.web;

import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.watch.WatchCache;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Kubernetes-style health. {@code /livez} (and the older {@code /healthz}): whether this process can
 * still serve, so that a supervisor restarts it when not; it checks {@code ping} and {@code watch-cache}
 * ({@link WatchCache#livenessProblem()}: an OutOfMemoryError, a stalled cache thread, or a cache unable
 * to (re)load from etcd for {@code kube4j.watch-cache.liveness-timeout}). {@code /readyz}: whether it
 * should get traffic (etcd reachable and the cache loaded).
 *
 * <p>The output follows {@code staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go}
 * ({@code handleRootHealth}): {@code ok}, or with {@code ?verbose} one {@code [+]name ok} line per check and
 * {@code livez check passed}; on failure 500 with {@code [-]name failed: reason withheld} (the reason
 * goes to the log only) and {@code livez check failed}; {@code ?exclude=name} skips a check.
 */
@RestController
class HealthController {
    private static final Logger log = LoggerFactory.getLogger(HealthController.class);

    private final WatchCache cache;
    private final Storage storage;

    /** The RBAC bootstrap policy and the authorizer's cache: Kubernetes' readyz hook poststarthook/rbac/bootstrap-roles. */
    @org.springframework.beans.factory.annotation.Autowired
    private io.kube4j.apiserver.auth.rbac.BootstrapPolicy rbacBootstrap;
    @org.springframework.beans.factory.annotation.Autowired
    private io.kube4j.apiserver.auth.rbac.RbacState rbacState;

    HealthController(WatchCache cache, Storage storage) {
        this.cache = cache;
        this.storage = storage;
    }

    @GetMapping(path = "/livez", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> live(HttpServletRequest req) {
        return liveness("livez", req);
    }

    @GetMapping(path = "/healthz", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> healthz(HttpServletRequest req) {
        return liveness("healthz", req);
    }

    private ResponseEntity<String> liveness(String name, HttpServletRequest req) {
        Map<String, Supplier<Optional<String>>> checks = new LinkedHashMap<>();
        checks.put("ping", Optional::empty);
        checks.put("watch-cache", cache::livenessProblem);
        Set<String> excluded = new TreeSet<>();
        String[] ex = req.getParameterValues("exclude");
        if (ex != null) {
            excluded.addAll(Arrays.asList(ex));
        }
        StringBuilder out = new StringBuilder();
        boolean failed = false;
        for (Map.Entry<String, Supplier<Optional<String>>> check : checks.entrySet()) {
            if (excluded.remove(check.getKey())) {
                out.append("[+]").append(check.getKey()).append(" excluded: ok\n");
                continue;
            }
            Optional<String> problem = check.getValue().get();
            if (problem.isPresent()) {
                failed = true;
                // the reason is for the log only: the endpoint is public
                out.append("[-]").append(check.getKey()).append(" failed: reason withheld\n");
                log.warn("{} check failed: {}: {}", name, check.getKey(), problem.get());
            } else {
                out.append("[+]").append(check.getKey()).append(" ok\n");
            }
        }
        if (!excluded.isEmpty()) {
            out.append("warn: some health checks cannot be excluded: no matches for ")
                    .append(String.join(",", excluded.stream().map(s -> "\"" + s + "\"").toList())).append('\n');
        }
        if (failed) {
            // Go's http.Error: 500, text/plain, the message and a newline
            return ResponseEntity.status(500).header(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .header("X-Content-Type-Options", "nosniff").body(out + name + " check failed\n");
        }
        if (req.getParameter("verbose") == null) {
            return ResponseEntity.ok("ok");
        }
        return ResponseEntity.ok(out + name + " check passed\n");
    }

    @GetMapping(path = "/readyz", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> ready() {
        if (!cache.isReady()) {
            return ResponseEntity.status(503).body("[-]watch-cache not synced\nreadyz check failed\n");
        }
        if (cache.get("/registry/namespaces/default") == null) {
            return ResponseEntity.status(503).body("[-]system namespaces not created yet\nreadyz check failed\n");
        }
        // (the fields are unset only in unit tests that build this controller by hand)
        if (rbacBootstrap != null && (!rbacBootstrap.isDone() || !rbacState.isSynced())) {
            return ResponseEntity.status(503).body("[-]poststarthook/rbac/bootstrap-roles failed: not finished\nreadyz check failed\n");
        }
        try {
            storage.currentRevision();
        } catch (StorageException e) {
            return ResponseEntity.status(503).body("[-]etcd failed: " + e.getMessage() + "\nreadyz check failed\n");
        }
        return ResponseEntity.ok("ok");
    }
}
