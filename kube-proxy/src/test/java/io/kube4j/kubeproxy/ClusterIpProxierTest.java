package io.kube4j.kubeproxy;

import io.kube4j.kubeproxy.iptables.CommandRunner;
import io.kube4j.kubeproxy.userspace.ClusterIpProxier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterIpProxierTest {
    // any 127/8 address is local on Linux, so the test needs no NET_ADMIN: the ip commands are only recorded
    static final String CLUSTER_IP = "127.0.0.77";

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String get(String ip, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // a connection accepted while the listener closes is closed without an answer: no body at all
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? response : response.substring(body + 4);
        }
    }

    @Test
    void addsTheClusterIpToLoopbackListensOnItAndRemovesBothWhenTheServiceGoes() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        CommandRunner recorder = (command, stdin) -> {
            commands.add(command);
            return new CommandRunner.Result(0, "");
        };
        int port = freePort();
        try (Backend backend = new Backend("b1");
             ClusterIpProxier proxier = new ClusterIpProxier(new ProxyMetrics(new SimpleMeterRegistry()), Duration.ofSeconds(1), recorder)) {
            ProxiedPort web = new ProxiedPort("default", "web", "", "TCP", CLUSTER_IP, port, 0, false, Duration.ZERO,
                    List.of(new Endpoint("127.0.0.1", backend.port())));

            proxier.sync(List.of(web));

            assertThat(commands).containsExactly(List.of("ip", "addr", "add", CLUSTER_IP + "/32", "dev", "lo"));
            assertThat(proxier.listening()).containsExactly(CLUSTER_IP + ":" + port);
            assertThat(get(CLUSTER_IP, port)).isEqualTo("b1");

            proxier.sync(List.of());

            assertThat(commands).last().isEqualTo(List.of("ip", "addr", "del", CLUSTER_IP + "/32", "dev", "lo"));
            assertThat(proxier.listening()).isEmpty();
            // the listener is gone, so the port no longer leads to the backend; on a busy machine another process
            // may since have been given the same port number, so "refused, or not b1" is what is certain
            String after;
            try {
                after = get(CLUSTER_IP, port);
            } catch (java.io.IOException e) {
                after = null;
            }
            assertThat(after).isNotEqualTo("b1");
        }
    }

    @Test
    void aClusterIpThatCannotBeAddedIsNotListenedOnAndHeadlessAndUdpPortsAreSkipped() throws Exception {
        CommandRunner refusing = (command, stdin) -> new CommandRunner.Result(2, "RTNETLINK answers: Operation not permitted");
        try (ClusterIpProxier proxier = new ClusterIpProxier(new ProxyMetrics(new SimpleMeterRegistry()), Duration.ofSeconds(1), refusing)) {
            proxier.sync(List.of(
                    new ProxiedPort("default", "denied", "", "TCP", CLUSTER_IP, freePort(), 0, false, Duration.ZERO, List.of()),
                    new ProxiedPort("default", "headless", "", "TCP", "None", 80, 0, false, Duration.ZERO, List.of()),
                    new ProxiedPort("default", "dns", "", "UDP", "127.0.0.78", 53, 0, false, Duration.ZERO, List.of())));
            assertThat(proxier.listening()).isEmpty();
        }
    }
}
