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

/** /livez in Kubernetes' healthz format (staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go, handleRootHealth). */
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

    @Test
    void livezIsOkThenVerboseListsTheChecks() throws Exception {
        HealthController health = start("2m");
        for (int i = 0; i < 200 && cache.state() != WatchCacheState.SYNCED; i++) {
            Thread.sleep(10);
        }
        assertThat(health.live(get(null)).getBody()).isEqualTo("ok");
        ResponseEntity<String> verbose = health.live(get("verbose"));
        assertThat(verbose.getStatusCode().value()).isEqualTo(200);
        assertThat(verbose.getBody()).isEqualTo("[+]ping ok\n[+]log ok\n[+]watch-cache ok\nlivez check passed\n");
        assertThat(health.healthz(get("verbose")).getBody()).endsWith("healthz check passed\n");
    }

    @Test
    void livezFailsWith500AndWithholdsTheReasonWhenTheCacheCannotLoad() throws Exception {
        etcd.setUnavailable(true);
        HealthController health = start("300ms");
        Thread.sleep(700);
        ResponseEntity<String> r = health.live(get(null));
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody()).isEqualTo("[+]ping ok\n[+]log ok\n[-]watch-cache failed: reason withheld\nlivez check failed\n");
        // excluding the failing check passes, as Kubernetes' ?exclude=
        ResponseEntity<String> excluded = health.live(get("exclude=watch-cache&verbose"));
        assertThat(excluded.getStatusCode().value()).isEqualTo(200);
        assertThat(excluded.getBody()).isEqualTo("[+]ping ok\n[+]log ok\n[+]watch-cache excluded: ok\nlivez check passed\n");
        assertThat(health.live(get("exclude=nope&verbose")).getBody())
                .contains("warn: some health checks cannot be excluded: no matches for \"nope\"\n");
    }

    static MockHttpServletRequest path(String uri) {
        return new MockHttpServletRequest("GET", uri);
    }

    @Test
    void readyzVerboseListsItsChecksAndEachCheckIsServedAlone() throws Exception {
        HealthController health = start("2m");
        for (int i = 0; i < 200 && cache.state() != WatchCacheState.SYNCED; i++) {
            Thread.sleep(10);
        }
        etcd.create("/registry/namespaces/default", "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"default\"}}".getBytes());
        for (int i = 0; i < 200 && cache.get("/registry/namespaces/default") == null; i++) {
            Thread.sleep(10);
        }
        assertThat(health.ready(get(null)).getBody()).isEqualTo("ok");
        assertThat(health.ready(get("verbose")).getBody()).isEqualTo("""
                [+]ping ok
                [+]log ok
                [+]etcd ok
                [+]informer-sync ok
                [+]poststarthook/start-system-namespaces-controller ok
                [+]poststarthook/rbac/bootstrap-roles ok
                readyz check passed
                """);
        for (String p : new String[]{"/livez/ping", "/livez/log", "/healthz/ping", "/healthz/etcd", "/readyz/etcd", "/readyz/poststarthook/rbac/bootstrap-roles"}) {
            ResponseEntity<String> r = health.single(path(p));
            assertThat(r.getStatusCode().value()).as(p).isEqualTo(200);
            assertThat(r.getBody()).as(p).isEqualTo("ok");
        }
        assertThat(health.single(path("/readyz/nope")).getStatusCode().value()).isEqualTo(404);
        // livez leaves etcd out (kube4j's deviation, see HealthController)
        assertThat(health.single(path("/livez/etcd")).getStatusCode().value()).isEqualTo(404);

        etcd.setUnavailable(true);
        ResponseEntity<String> down = health.ready(get(null));
        assertThat(down.getStatusCode().value()).isEqualTo(500);
        assertThat(down.getBody()).contains("[-]etcd failed: reason withheld\n").endsWith("readyz check failed\n");
        ResponseEntity<String> etcdAlone = health.single(path("/readyz/etcd"));
        assertThat(etcdAlone.getStatusCode().value()).isEqualTo(500);
        assertThat(etcdAlone.getBody()).startsWith("internal server error: ");
    }
}
