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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Kubernetes-style health, with kube-apiserver 1.32's named checks as far as kube4j has the thing checked.
 * {@code /livez} and the deprecated {@code /healthz}: {@code ping}, {@code log}, {@code etcd} (a revision read;
 * {@code EtcdOptions.addEtcdHealthEndpoint} adds it with {@code AddHealthChecks}, so to all three endpoints),
 * kube4j's own {@code watch-cache} ({@link WatchCache#livenessProblem()}: an OutOfMemoryError, a stalled cache
 * thread, or a cache unable to (re)load from etcd for {@code kube4j.watch-cache.liveness-timeout}), and the
 * post-start hooks kube4j has ({@code poststarthook/start-system-namespaces-controller}: the system namespaces
 * exist; {@code poststarthook/rbac/bootstrap-roles}), which {@code AddPostStartHook} adds to every endpoint.
 * {@code /readyz}: {@code ping}, {@code log}, {@code etcd}, {@code etcd-readiness} (the same read: kube4j has no
 * separate readiness probe of etcd), {@code informer-sync} (the watch cache loaded), the post-start hooks, and
 * {@code shutdown} (fails once the process began shutting down, as {@code addReadyzShutdownCheck}).
 *
 * <p>The output follows {@code staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go}
 * ({@code handleRootHealth}): {@code ok}, or with {@code ?verbose} one {@code [+]name ok} line per check and
 * {@code <endpoint> check passed}; on failure 500 with {@code [-]name failed: reason withheld} (the reason
 * goes to the log only) and {@code <endpoint> check failed}; {@code ?exclude=name} skips a check. Every check
 * is also served alone at {@code /<endpoint>/<name>} ({@code InstallPathHandler}): {@code ok}, or 500
 * {@code internal server error: <reason>} ({@code adaptCheckToHandler}).
 *
 * <p>As in Kubernetes, {@code /livez} fails while etcd cannot be read: how long that may last before the process
 * is restarted is the supervisor's threshold (kubeadm's liveness probe allows 8 failures 10 s apart). The
 * watch cache keeps serving reads meanwhile (EtcdFaultIT); {@code /livez?exclude=etcd} tells whether anything
 * else is wrong. Deviation: {@code watch-cache} is kube4j's, Kubernetes has no such check; Kubernetes' other
 * post-start hooks (admission initializer, informers, priority-and-fairness, apiextensions, aggregator...) are
 * not listed since kube4j has no separate step for them.
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

    /** One named check: empty when healthy, else the reason (for the log and the check's own endpoint). */
    private record Check(String name, Supplier<Optional<String>> problem) {
    }

    /** Set once the application context begins to close: Kubernetes' ShutdownInitiated signal for readyz's {@code shutdown}. */
    private volatile boolean shuttingDown;

    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void onShutdown() {
        shuttingDown = true;
    }

    /** {@code /livez} and {@code /healthz}: the same list, as Kubernetes' AddHealthChecks and AddPostStartHook give both. */
    private List<Check> livenessChecks() {
        List<Check> checks = new ArrayList<>(List.of(new Check("ping", Optional::empty),
                // healthz.LogHealthz: kube4j logs synchronously, so there is no flush to fall behind
                new Check("log", Optional::empty),
                new Check("etcd", this::etcdProblem),
                new Check("watch-cache", cache::livenessProblem)));
        checks.addAll(postStartHooks());
        return checks;
    }

    private List<Check> readinessChecks() {
        List<Check> checks = new ArrayList<>(List.of(new Check("ping", Optional::empty),
                new Check("log", Optional::empty),
                new Check("etcd", this::etcdProblem),
                new Check("etcd-readiness", this::etcdProblem),
                new Check("informer-sync", () -> cache.isReady() ? Optional.empty() : Optional.of("watch cache not synced"))));
        checks.addAll(postStartHooks());
        // addReadyzShutdownCheck runs in PrepareRun, after every hook was added: the last check
        checks.add(new Check("shutdown", () -> shuttingDown ? Optional.of("process is shutting down") : Optional.empty()));
        return checks;
    }

    /** The post-start hooks kube4j has, in kube-apiserver's order; each fails until its work is done. */
    private List<Check> postStartHooks() {
        return List.of(new Check("poststarthook/start-system-namespaces-controller",
                        () -> cache.isReady() && cache.get("/registry/namespaces/default") != null ? Optional.empty()
                                : Optional.of("system namespaces not created yet")),
                // (the fields are unset only in unit tests that build this controller by hand)
                new Check("poststarthook/rbac/bootstrap-roles",
                        () -> rbacBootstrap == null || (rbacBootstrap.isDone() && rbacState.isSynced()) ? Optional.empty() : Optional.of("not finished")));
    }

    private Optional<String> etcdProblem() {
        try {
            storage.currentRevision();
            return Optional.empty();
        } catch (StorageException e) {
            return Optional.of(e.getMessage());
        }
    }

    @GetMapping(path = "/livez", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> live(HttpServletRequest req) {
        return root("livez", livenessChecks(), req);
    }

    @GetMapping(path = "/healthz", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> healthz(HttpServletRequest req) {
        return root("healthz", livenessChecks(), req);
    }

    @GetMapping(path = "/readyz", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> ready(HttpServletRequest req) {
        return root("readyz", readinessChecks(), req);
    }

    /** {@code /livez/<check>}, {@code /healthz/<check>}, {@code /readyz/<check>} (check names may hold slashes). */
    @GetMapping(path = {"/livez/**", "/healthz/**", "/readyz/**"}, produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> single(HttpServletRequest req) {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        int slash = path.indexOf('/', 1);
        String endpoint = path.substring(1, slash);
        String name = path.substring(slash + 1);
        List<Check> checks = switch (endpoint) {
            case "readyz" -> readinessChecks();
            default -> livenessChecks();
        };
        for (Check c : checks) {
            if (c.name().equals(name)) {
                Optional<String> problem = c.problem().get();
                if (problem.isPresent()) {
                    return plainError("internal server error: " + problem.get());
                }
                return ResponseEntity.ok("ok");
            }
        }
        // Go's http.NotFound
        return ResponseEntity.status(404).header(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header("X-Content-Type-Options", "nosniff").body("404 page not found\n");
    }

    private ResponseEntity<String> root(String name, List<Check> checks, HttpServletRequest req) {
        Set<String> excluded = new TreeSet<>();
        String[] ex = req.getParameterValues("exclude");
        if (ex != null) {
            excluded.addAll(Arrays.asList(ex));
        }
        StringBuilder out = new StringBuilder();
        boolean failed = false;
        for (Check check : checks) {
            if (excluded.remove(check.name())) {
                out.append("[+]").append(check.name()).append(" excluded: ok\n");
                continue;
            }
            Optional<String> problem = check.problem().get();
            if (problem.isPresent()) {
                failed = true;
                // the reason is for the log only: the endpoint is public
                out.append("[-]").append(check.name()).append(" failed: reason withheld\n");
                log.warn("{} check failed: {}: {}", name, check.name(), problem.get());
            } else {
                out.append("[+]").append(check.name()).append(" ok\n");
            }
        }
        if (!excluded.isEmpty()) {
            out.append("warn: some health checks cannot be excluded: no matches for ")
                    .append(String.join(",", excluded.stream().map(s -> "\"" + s + "\"").toList())).append('\n');
        }
        if (failed) {
            return plainError(out + name + " check failed");
        }
        if (req.getParameter("verbose") == null) {
            return ResponseEntity.ok("ok");
        }
        return ResponseEntity.ok(out + name + " check passed\n");
    }

    /** Go's http.Error: 500, text/plain, nosniff, the message and a newline. */
    private static ResponseEntity<String> plainError(String message) {
        return ResponseEntity.status(500).header(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header("X-Content-Type-Options", "nosniff").body(message + "\n");
    }
}
