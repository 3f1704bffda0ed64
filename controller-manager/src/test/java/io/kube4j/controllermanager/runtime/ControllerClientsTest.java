package io.kube4j.controllermanager.runtime;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Each controller's client waits for tokens of its own bucket (a tiny local server answers). */
class ControllerClientsTest {
    HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static long millisOf(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aControllerThatUsedItsBurstWaitsWhileAnotherDoesNot() {
        ApiClient base = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort());
        ControllerClients clients = new ControllerClients(base, new EventRecorder(base, "test", "host"), 1, 1);
        ControllerClient busy = clients.forController("replicaset");
        ControllerClient other = clients.forController("endpoints");

        long start = System.nanoTime();
        busy.find(Pod.class, "default", "p");
        long otherFirst = millisOf(() -> other.find(Pod.class, "default", "p"));
        busy.find(Pod.class, "default", "p");
        long busyTwo = (System.nanoTime() - start) / 1_000_000;

        assertThat(otherFirst).as("its own bucket is full").isLessThan(500);
        assertThat(busyTwo).as("one token a second after a burst of one").isGreaterThanOrEqualTo(950);
    }

    @Test
    void aQpsOfZeroMeansNoLimit() {
        ApiClient base = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort());
        ControllerClient unlimited = new ControllerClients(base, new EventRecorder(base, "test", "host"), 0, 1).forController("replicaset");

        long millis = millisOf(() -> {
            for (int i = 0; i < 5; i++) {
                unlimited.find(Pod.class, "default", "p");
            }
        });

        assertThat(millis).isLessThan(800);
    }

    @Test
    void eachControllersEventsCarryKubernetesSourceComponent() {
        // what `kubectl describe` shows as "From": each controller's NewRecorder(EventSource{Component: ...})
        assertThat(ControllerClients.eventSource("deployment")).isEqualTo("deployment-controller");
        assertThat(ControllerClients.eventSource("replicaset")).isEqualTo("replicaset-controller");
        assertThat(ControllerClients.eventSource("replicationcontroller")).isEqualTo("replication-controller");
        assertThat(ControllerClients.eventSource("endpoints")).isEqualTo("endpoint-controller");
        assertThat(ControllerClients.eventSource("nodelifecycle")).isEqualTo("node-controller");
        assertThat(ControllerClients.eventSource("disruption")).isEqualTo("controllermanager");
        assertThat(ControllerClients.eventSource("garbagecollector")).isEqualTo("garbage-collector-controller");
    }
}
