package io.kube4j.apiserver.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code apiserver_request_total} and {@code apiserver_request_duration_seconds} by verb, resource and
 * code. Every tag comes from a closed set, so no request can add series: verbs are the API verbs or, for
 * requests that never got one, the HTTP method if it is a standard one, else {@code other} (Kubernetes'
 * cleanVerb); resources are only those the URL parser accepted. The Counter and Timer of a route (verb,
 * resource, code) are resolved from the registry once and kept: building and registering them on every
 * request (tag sorting, id hashing, the registry's lookup) cost 5-9% of the apiserver's CPU under load
 * (issue #18). The set of routes is closed, so the map stays small.
 */
@Component
class RequestMetricsFilter extends OncePerRequestFilter {
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT");
    private final MeterRegistry meters;
    // the meters of each route seen so far
    private final Map<Route, RouteMeters> routes = new ConcurrentHashMap<>();
    // how many routes were resolved from the registry (for tests)
    private final AtomicInteger resolved = new AtomicInteger();

    /** A route's tags: the API verb, the resource ("" when none) and the HTTP status code. */
    private record Route(String verb, String resource, int code) {
    }

    /** The two meters of one route. */
    private record RouteMeters(Counter total, Timer duration) {
    }

    RequestMetricsFilter(MeterRegistry meters) {
        this.meters = meters;
    }

    static String cleanVerb(String method) {
        return METHODS.contains(method) ? method.toLowerCase() : "other";
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.startsWith("/api/") || uri.startsWith("/apis/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        long start = System.nanoTime();
        try {
            chain.doFilter(req, resp);
        } finally {
            Object verb = req.getAttribute(ResourceController.VERB);
            Object resource = req.getAttribute(ResourceController.RESOURCE);
            String v = verb == null ? cleanVerb(req.getMethod()) : verb.toString();
            String r = resource == null ? "" : resource.toString();
            RouteMeters m = routes.computeIfAbsent(new Route(v, r, resp.getStatus()), this::register);
            m.total().increment();
            m.duration().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private RouteMeters register(Route route) {
        resolved.incrementAndGet();
        String code = Integer.toString(route.code());
        Counter total = Counter.builder("apiserver_request_total").description("apiserver requests by verb, resource and HTTP code")
                .tag("verb", route.verb()).tag("resource", route.resource()).tag("code", code).register(meters);
        Timer duration = Timer.builder("apiserver_request_duration_seconds").description("apiserver request latency")
                .tag("verb", route.verb()).tag("resource", route.resource()).tag("code", code).register(meters);
        return new RouteMeters(total, duration);
    }

    /** Routes whose meters were looked up in the registry so far: one per distinct verb, resource and code. */
    int routesResolved() {
        return resolved.get();
    }
}
