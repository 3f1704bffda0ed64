package io.kube4j.controllermanager;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Container;
import io.kube4j.api.Event;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ReplicaSet controller against a real apiserver on a real etcd when a pod create fails although the pod is
 * made: the controller-manager talks to the apiserver through a proxy that answers the second pod POST with the 504
 * kube4j's apiserver gives when etcd did not confirm a write in time, and hands that POST to the apiserver only
 * seconds later (etcd applying it late). As in Kubernetes' manageReplicas, the failed create is no longer expected,
 * so the controller makes a replacement; when the late pod appears it deletes the surplus and the ReplicaSet ends at
 * its replicas, with one pod more created over time: the "3,001 pods created for 3,000 replicas" of the density
 * benchmark on an overloaded machine (BENCHMARKS.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaSetLateCreateIT {
    static final String NS = "late";
    static final Duration LATE = Duration.ofSeconds(5);

    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    HttpServer proxy;
    HttpClient upstream;
    ConfigurableApplicationContext manager;
    final AtomicInteger podPosts = new AtomicInteger();
    // the name the apiserver gave the pod whose create was answered 504, once applied
    final AtomicReference<String> lateName = new AtomicReference<>();

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        proxy.createContext("/", this::proxy);
        proxy.start();
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=http://127.0.0.1:" + proxy.getAddress().getPort(),
                "--kube4j.controller-manager.leader-elect=false",
                "--kube4j.controller-manager.controllers=replicaset");
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (proxy != null) {
            proxy.stop(0);
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    /** Forwards every request, except the second pod create in {@link #NS}: answered 504 now, applied {@link #LATE} later. */
    private void proxy(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String pathAndQuery = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiServer.url() + pathAndQuery))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Content-Type", "Accept", "User-Agent")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            if (method.equals("POST") && pathAndQuery.equals("/api/v1/namespaces/" + NS + "/pods") && podPosts.incrementAndGet() == 2) {
                Thread.startVirtualThread(() -> {
                    try {
                        Thread.sleep(LATE);
                        HttpResponse<String> r = upstream.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        lateName.set(io.kube4j.json.Json.read(r.body().getBytes(StandardCharsets.UTF_8), Pod.class).metadata.name);
                    } catch (Exception e) {
                        throw new IllegalStateException("the late create failed", e);
                    }
                });
                byte[] timeout = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"etcd did not answer in time;"
                        + " the write may or may not have been applied: read the object before retrying\",\"reason\":\"Timeout\",\"code\":504}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(504, timeout.length);
                exchange.getResponseBody().write(timeout);
                return;
            }
            HttpResponse<byte[]> r;
            try {
                r = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            r.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            exchange.getResponseBody().write(r.body());
        }
    }

    static ReplicaSet replicaSet(String name, int replicas) {
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.name = name;
        rs.metadata.namespace = NS;
        rs.spec.replicas = replicas;
        rs.spec.selector = LabelSelector.of(Map.of("app", name));
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", name);
        Container c = new Container();
        c.name = "main";
        c.image = "web:1";
        t.spec.containers.add(c);
        t.spec.terminationGracePeriodSeconds = 1L;
        rs.spec.template = t;
        return rs;
    }

    List<Pod> activePods() {
        return client.list(Pod.class, NS).items.stream().filter(p -> p.metadata.deletionTimestamp == null).toList();
    }

    @Test
    void aCreateAnswered504ButAppliedLateIsReplacedAndTheSurplusDeleted() throws Exception {
        Namespace ns = new Namespace();
        ns.metadata.name = NS;
        client.create(ns);
        // every pod ever made in the namespace, as the density benchmark counts them (straight from the apiserver)
        Set<String> created = ConcurrentHashMap.newKeySet();
        Informer<Pod> watch = new Informer<>(client, Pod.class, NS, ListOptions.ALL).addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                created.add(pod.metadata.uid);
            }
        }).start();
        try {
            assertThat(watch.waitForSync(Duration.ofSeconds(30))).isTrue();

            client.create(replicaSet("web", 3));

            // the late pod is made, then the surplus is deleted: three pods stay, four were created
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(lateName.get()).as("the create answered 504 was applied").isNotNull();
                assertThat(created).hasSize(4);
                assertThat(activePods()).hasSize(3);
            });
            // and it stays so: no more creates or deletes
            Thread.sleep(3000);
            assertThat(created).hasSize(4);
            List<Pod> active = activePods();
            assertThat(active).hasSize(3);
            assertThat(active).allSatisfy(p -> assertThat(p.metadata.controllerRef().name).isEqualTo("web"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(client.get(ReplicaSet.class, NS, "web").status.replicas).isEqualTo(3));

            // events are recorded in the background
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<String> events = client.list(Event.class, NS).items.stream().map(e -> e.reason + ": " + e.message).toList();
                assertThat(events).as("events").anySatisfy(e -> assertThat(e).startsWith("FailedCreate: Error creating: etcd did not answer in time"));
                assertThat(events).as("events").filteredOn(e -> e.startsWith("SuccessfulCreate")).hasSize(3);
                assertThat(events).as("events").filteredOn(e -> e.startsWith("SuccessfulDelete")).hasSize(1);
            });
        } finally {
            watch.stop();
        }
    }
}
