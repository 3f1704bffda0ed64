package io.kube4j.apiserver.web;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.watch.WatchCacheState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health endpoints in Kubernetes' healthz format (staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go,
 * handleRootHealth) with kube-apiserver's named checks: etcd on all three (staging/src/k8s.io/apiserver/pkg/server/options/etcd.go,
 * addEtcdHealthEndpoint), etcd-readiness, informer-sync and shutdown on readyz only, post-start hooks on all three.
 */
class HealthControllerTest {
    final MemoryStorage etcd = new MemoryStorage();
    WatchCache cache;

    @AfterEach
    void tearDown() {
        cache.close();
    }

    HealthController start(String livenessTimeout) throws InterruptedException {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", Map.of("kube4j.watch-cache.liveness-timeout", livenessTimeout)));
        cache = new WatchCache(etcd, Binder.get(env).bindOrCreate("kube4j", ApiServerProperties.class), new SimpleMeterRegistry());
        cache.start();
        return new HealthController(cache, etcd);
    }

    static MockHttpServletRequest get(String query) {
        MockHttpServletRequest r = new MockHttpServletRequest("GET", "/livez");
        if (query != null) {
            r.setQueryString(query);
            for (String kv : query.split("&")) {
                String[] p = kv.split("=", 2);
                r.addParameter(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return r;
    }

    /** Starts with the system namespace there, so the post-start hook checks pass. */
    HealthController started() throws Exception {
        HealthController health = start("2m");
        for (int i = 0; i < 200 && cache.state() != WatchCacheState.SYNCED; i++) {
            Thread.sleep(10);
        }
        etcd.create("/registry/namespaces/default", "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"default\"}}".getBytes());
        for (int i = 0; i < 200 && cache.get("/registry/namespaces/default") == null; i++) {
            Thread.sleep(10);
        }
        return health;
    }

    static final String LIVEZ_CHECKS = """
            [+]ping ok
            [+]log ok
            [+]etcd ok
            [+]watch-cache ok
            [+]poststarthook/start-system-namespaces-controller ok
            [+]poststarthook/rbac/bootstrap-roles ok
            """;

    @Test
    void livezAndHealthzAreOkThenVerboseListsTheChecks() throws Exception {
        HealthController health = started();
        assertThat(health.live(get(null)).getBody()).isEqualTo("ok");
        ResponseEntity<String> verbose = health.live(get("verbose"));
        assertThat(verbose.getStatusCode().value()).isEqualTo(200);
        assertThat(verbose.getBody()).isEqualTo(LIVEZ_CHECKS + "livez check passed\n");
        assertThat(health.healthz(get("verbose")).getBody()).isEqualTo(LIVEZ_CHECKS + "healthz check passed\n");
    }

    @Test
    void livezFailsOnEtcdAsKubernetesDoesAndExcludingEtcdTellsTheRestIsWell() throws Exception {
        HealthController health = started();
        etcd.setUnavailable(true);
        ResponseEntity<String> down = health.live(get(null));
        assertThat(down.getStatusCode().value()).isEqualTo(500);
        assertThat(down.getBody()).contains("[+]log ok\n[-]etcd failed: reason withheld\n[+]watch-cache ok\n").endsWith("livez check failed\n");
        assertThat(health.healthz(get(null)).getStatusCode().value()).isEqualTo(500);
        ResponseEntity<String> rest = health.live(get("exclude=etcd"));
        assertThat(rest.getStatusCode().value()).isEqualTo(200);
        assertThat(rest.getBody()).isEqualTo("ok");
        ResponseEntity<String> alone = health.single(path("/livez/etcd"));
        assertThat(alone.getStatusCode().value()).isEqualTo(500);
        assertThat(alone.getBody()).startsWith("internal server error: ");
        etcd.setUnavailable(false);
        assertThat(health.live(get(null)).getBody()).isEqualTo("ok");
    }

    @Test
    void livezFailsWith500AndWithholdsTheReasonWhenTheCacheCannotLoad() throws Exception {
        etcd.setUnavailable(true);
        HealthController health = start("300ms");
        Thread.sleep(700);
        ResponseEntity<String> r = health.live(get(null));
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody()).isEqualTo("""
                [+]ping ok
                [+]log ok
                [-]etcd failed: reason withheld
                [-]watch-cache failed: reason withheld
                [-]poststarthook/start-system-namespaces-controller failed: reason withheld
                [+]poststarthook/rbac/bootstrap-roles ok
                livez check failed
                """);
        // excluding the failing checks passes, as Kubernetes' ?exclude=
        ResponseEntity<String> excluded = health.live(get("exclude=etcd&exclude=watch-cache&exclude=poststarthook/start-system-namespaces-controller&verbose"));
        assertThat(excluded.getStatusCode().value()).isEqualTo(200);
        assertThat(excluded.getBody()).isEqualTo("""
                [+]ping ok
                [+]log ok
                [+]etcd excluded: ok
                [+]watch-cache excluded: ok
                [+]poststarthook/start-system-namespaces-controller excluded: ok
                [+]poststarthook/rbac/bootstrap-roles ok
                livez check passed
                """);
        assertThat(health.live(get("exclude=nope&verbose")).getBody())
                .contains("warn: some health checks cannot be excluded: no matches for \"nope\"\n");
    }

    static MockHttpServletRequest path(String uri) {
        return new MockHttpServletRequest("GET", uri);
    }

    @Test
    void readyzVerboseListsItsChecksAndEachCheckIsServedAlone() throws Exception {
        HealthController health = started();
        assertThat(health.ready(get(null)).getBody()).isEqualTo("ok");
        assertThat(health.ready(get("verbose")).getBody()).isEqualTo("""
                [+]ping ok
                [+]log ok
                [+]etcd ok
                [+]etcd-readiness ok
                [+]informer-sync ok
                [+]poststarthook/start-system-namespaces-controller ok
                [+]poststarthook/rbac/bootstrap-roles ok
                [+]shutdown ok
                readyz check passed
                """);
        for (String p : new String[]{"/livez/ping", "/livez/log", "/livez/etcd", "/livez/poststarthook/rbac/bootstrap-roles", "/healthz/ping", "/healthz/etcd",
                "/readyz/etcd", "/readyz/etcd-readiness", "/readyz/shutdown", "/readyz/poststarthook/rbac/bootstrap-roles"}) {
            ResponseEntity<String> r = health.single(path(p));
            assertThat(r.getStatusCode().value()).as(p).isEqualTo(200);
            assertThat(r.getBody()).as(p).isEqualTo("ok");
        }
        assertThat(health.single(path("/readyz/nope")).getStatusCode().value()).isEqualTo(404);
        // readiness-only checks are not on livez
        assertThat(health.single(path("/livez/informer-sync")).getStatusCode().value()).isEqualTo(404);
        assertThat(health.single(path("/livez/shutdown")).getStatusCode().value()).isEqualTo(404);

        etcd.setUnavailable(true);
        ResponseEntity<String> down = health.ready(get(null));
        assertThat(down.getStatusCode().value()).isEqualTo(500);
        assertThat(down.getBody()).contains("[-]etcd failed: reason withheld\n").endsWith("readyz check failed\n");
        ResponseEntity<String> etcdAlone = health.single(path("/readyz/etcd"));
        assertThat(etcdAlone.getStatusCode().value()).isEqualTo(500);
        assertThat(etcdAlone.getBody()).startsWith("internal server error: ");
        etcd.setUnavailable(false);

        // once the process begins to shut down, readyz's shutdown check fails (and livez stays well)
        health.onShutdown();
        ResponseEntity<String> closing = health.ready(get(null));
        assertThat(closing.getStatusCode().value()).isEqualTo(500);
        assertThat(closing.getBody()).endsWith("[-]shutdown failed: reason withheld\nreadyz check failed\n");
        assertThat(health.live(get(null)).getBody()).isEqualTo("ok");
    }
}
