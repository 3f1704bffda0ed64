package io.kube4j.kubelet.probe;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Container;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Probe;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeRunnerTest {
    private final FakeRuntime runtime = new FakeRuntime(Clock.systemUTC(), Duration.ZERO, "127.0.0.1");
    private final ProbeRunner runner = new ProbeRunner(runtime);
    private final Container container = new Container();
    private HttpServer server;

    /**
     * The first gRPC call of a JVM loads and initialises Netty (and, with BouncyCastle on the class path
     * since common reads kubeconfigs, probes its TLS providers): seconds on a loaded 2-core machine, longer
     * than the 1 s probe timeouts the tests below assert with. One call with a generous timeout first.
     */
    @BeforeAll
    static void warmUpGrpc() throws Exception {
        try (io.kube4j.kubelet.testing.GrpcHealthServer health = new io.kube4j.kubelet.testing.GrpcHealthServer(0)) {
            Probe.GRPCAction g = new Probe.GRPCAction();
            g.port = health.port();
            io.kube4j.kubelet.probe.GrpcHealthCheck.check("127.0.0.1", g, Duration.ofSeconds(30));
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", e -> {
            e.sendResponseHeaders(200, -1);
            e.close();
        });
        server.createContext("/redirect", e -> {
            e.getResponseHeaders().add("Location", "/elsewhere");
            e.sendResponseHeaders(302, -1);
            e.close();
        });
        server.createContext("/broken", e -> {
            e.sendResponseHeaders(500, -1);
            e.close();
        });
        server.start();
        Container.ContainerPort http = new Container.ContainerPort();
        http.name = "http";
        http.containerPort = server.getAddress().getPort();
        container.name = "app";
        container.ports.add(http);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private ProbeResult get(String path, IntOrString port) {
        Probe.HTTPGetAction http = new Probe.HTTPGetAction();
        http.path = path;
        http.port = port;
        return runner.run(new ProbeAction(null, http, null, null, null), container, "c1", "127.0.0.1", Duration.ofSeconds(1));
    }

    @Test
    void httpGetSucceedsOn2xxAnd3xxAndFailsOn5xx() {
        int port = server.getAddress().getPort();
        assertThat(get("/ok", IntOrString.of(port)).success()).isTrue();
        assertThat(get("/redirect", IntOrString.of(port)).success()).isTrue();
        ProbeResult broken = get("/broken", IntOrString.of(port));
        assertThat(broken.success()).isFalse();
        assertThat(broken.message()).isEqualTo("HTTP probe failed with statuscode: 500");
    }

    @Test
    void namedPortResolvesAgainstTheContainersPorts() {
        assertThat(get("/ok", IntOrString.of("http")).success()).isTrue();
        assertThat(get("/ok", IntOrString.of("nope")).message()).contains("no container port named nope");
    }

    @Test
    void tcpSocketSucceedsWhenSomethingListens() throws IOException {
        Probe.TCPSocketAction open = new Probe.TCPSocketAction();
        open.port = IntOrString.of(server.getAddress().getPort());
        assertThat(runner.run(new ProbeAction(null, null, open, null, null), container, "c1", "127.0.0.1", Duration.ofSeconds(1)).success()).isTrue();

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Probe.TCPSocketAction closed = new Probe.TCPSocketAction();
        closed.port = IntOrString.of(closedPort);
        ProbeResult r = runner.run(new ProbeAction(null, null, closed, null, null), container, "c1", "127.0.0.1", Duration.ofSeconds(1));
        assertThat(r.success()).isFalse();
        // Go's net.OpError, as pkg/probe/tcp passes it on
        assertThat(r.message()).isEqualTo("dial tcp 127.0.0.1:" + closedPort + ": connect: connection refused");

        // pkg/probe/http: client.Do's *url.Error around the same dial error
        ProbeResult refused = get("/healthz", IntOrString.of(closedPort));
        assertThat(refused.message()).isEqualTo("Get \"http://127.0.0.1:" + closedPort + "/healthz\": dial tcp 127.0.0.1:" + closedPort + ": connect: connection refused");
    }

    @Test
    void execSucceedsOnExitZeroOnly() {
        Probe.ExecAction exec = new Probe.ExecAction();
        exec.command.addAll(List.of("cat", "/tmp/healthy"));
        String sandbox = runtime.runPodSandbox(new io.kube4j.kubelet.runtime.SandboxConfig(new io.kube4j.kubelet.runtime.PodRef("u", "ns", "p"), 0, "p"));
        String id = runtime.createContainer(runtime.listPodSandboxes().stream().filter(s -> s.id().equals(sandbox)).findFirst().orElseThrow(),
                new io.kube4j.kubelet.runtime.ContainerConfig(new io.kube4j.kubelet.runtime.PodRef("u", "ns", "p"), "app", 0, "img",
                        List.of(), List.of(), null, java.util.Map.of(), List.of(), null, null));
        runtime.onExec((c, cmd) -> new ExecResult(1, "cat: can't open '/tmp/healthy'"));
        ProbeResult r = runner.run(new ProbeAction(exec, null, null, null, null), container, id, "127.0.0.1", Duration.ofSeconds(1));
        assertThat(r.success()).isFalse();
        // pkg/probe/exec: the failure's message is the command's output, verbatim
        assertThat(r.message()).isEqualTo("cat: can't open '/tmp/healthy'");

        runtime.onExec((c, cmd) -> new ExecResult(0, ""));
        assertThat(runner.run(new ProbeAction(exec, null, null, null, null), container, id, "127.0.0.1", Duration.ofSeconds(1)).success()).isTrue();
        // the fake needs the container to exist for exec; a missing one is a failure, not an exception
        assertThat(runner.run(new ProbeAction(exec, null, null, null, null), container, "missing", "127.0.0.1", Duration.ofSeconds(1)).success()).isFalse();
    }

    @Test
    void probeWithoutHandlerFails() {
        assertThat(runner.run(new ProbeAction(null, null, null, null, null), container, "c1", "127.0.0.1", Duration.ofSeconds(1)).message()).isEqualTo("probe has no handler");
    }

    // ---- gRPC (grpc.health.v1) ----------------------------------------------------------------

    private ProbeResult grpc(ProbeRunner r, int port, String service) {
        Probe.GRPCAction g = new Probe.GRPCAction();
        g.port = port;
        g.service = service;
        return r.run(new ProbeAction(null, null, null, g, null), container, "c1", "127.0.0.1", Duration.ofSeconds(1));
    }

    @Test
    void grpcProbeSucceedsWhenTheHealthServiceSaysServing() throws Exception {
        try (io.kube4j.kubelet.testing.GrpcHealthServer health = new io.kube4j.kubelet.testing.GrpcHealthServer(0)) {
            ProbeResult first = grpc(runner, health.port(), null);
            assertThat(first.success()).as(first.message()).isTrue();
            health.status("etcd", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            assertThat(grpc(runner, health.port(), "etcd").success()).isTrue();
        }
    }

    @Test
    void grpcProbeFailsWithKubernetesMessageWhenNotServing() throws Exception {
        try (io.kube4j.kubelet.testing.GrpcHealthServer health = new io.kube4j.kubelet.testing.GrpcHealthServer(0)) {
            health.status("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
            ProbeResult r = grpc(runner, health.port(), "");
            assertThat(r.success()).isFalse();
            assertThat(r.message()).isEqualTo("service unhealthy (responded with \"NOT_SERVING\")");
            // an unknown service is NOT_FOUND from grpc-java's health service: a failure too
            assertThat(grpc(runner, health.port(), "nope").success()).isFalse();
        }
    }

    @Test
    void grpcProbeFailsWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProbeResult r = grpc(runner, port, "");
        assertThat(r.success()).isFalse();
        assertThat(r.message()).startsWith("timeout: failed to connect service \"127.0.0.1:" + port + "\" within 1s");
    }

    @Test
    void networkProbesOfMadeUpPodAddressesAreSimulatedNotSent() {
        FakeRuntime hollow = new FakeRuntime(Clock.systemUTC(), Duration.ZERO, null);
        ProbeRunner r = new ProbeRunner(hollow);
        Probe.GRPCAction g = new Probe.GRPCAction();
        g.port = 2379;
        Probe.TCPSocketAction tcp = new Probe.TCPSocketAction();
        tcp.port = IntOrString.of(80);
        long start = System.nanoTime();
        assertThat(r.run(new ProbeAction(null, null, null, g, null), container, "c1", "10.244.0.7", Duration.ofSeconds(1)).success()).isTrue();
        assertThat(r.run(new ProbeAction(null, null, tcp, null, null), container, "c1", "10.244.0.7", Duration.ofSeconds(1)).success()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void sleepHookSleepsAtMostItsTimeout() {
        long start = System.nanoTime();
        assertThat(runner.run(new ProbeAction(null, null, null, null, 5L), container, "c1", "127.0.0.1", Duration.ofMillis(200)).success()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190), Duration.ofSeconds(2));
    }
}
