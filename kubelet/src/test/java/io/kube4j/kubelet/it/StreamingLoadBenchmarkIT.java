package io.kube4j.kubelet.it;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bounded load test, outside the default verify (60 s of load): 50 concurrent exec sessions (WebSocket,
 * {@code v5.channel.k8s.io}, each echoing a line every 500 ms through {@code cat}) and 20 {@code follow=true}
 * log streams through the apiserver for 60 s, then everything closed; the kubelet's platform threads, the
 * kubelet's and apiserver's open sockets and the processes under this JVM are counted before and after and
 * must come back to where they were (a small allowance for pooled connections). Run with
 * {@code -Dit.test=StreamingLoadBenchmarkIT -Dkube4j.benchmark=true}.
 */
@EnabledIfSystemProperty(named = "kube4j.benchmark", matches = "true")
class StreamingLoadBenchmarkIT {
    private static final String NODE = "it-load-node";
    private static final int EXECS = 50;
    private static final int FOLLOWERS = 20;
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=process",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms",
                "--kube4j.kubelet.root-dir=target/kubelet-load-it");
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private static void runPod(String name, String script) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.terminationGracePeriodSeconds = 1L;
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        c.command.addAll(List.of("sh", "-c", script));
        p.spec.containers.add(c);
        api.create(p);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get(Pod.class, "default", name).status.containerStatuses.get(0).state.running).isNotNull());
    }

    /**
     * Counts: [platform threads of this JVM, sockets of this JVM, sockets of the apiserver, child processes].
     * The JVM's own pools are left out of the threads: the virtual-thread scheduler's carriers
     * (ForkJoinPool workers, which it adds while virtual threads block on pipes and trims on its own
     * schedule) and idle process reapers; they are printed apart.
     */
    private static long[] census() {
        long threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("ForkJoinPool-") && !t.getName().startsWith("process reaper")).count();
        long sockets = sockets(ProcessHandle.current().pid());
        long apiSockets = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("apiserver.jar"))
                .mapToLong(p -> sockets(p.pid())).sum();
        long processes = ProcessHandle.current().descendants()
                .filter(p -> !p.info().commandLine().orElse("").contains("apiserver.jar")).count();
        return new long[]{threads, sockets, apiSockets, processes};
    }

    private static java.util.Map<String, Long> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().collect(java.util.stream.Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9]+", "N"), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    // "state peer-port-kind" counts of the apiserver's TCP sockets, from ss
    private static String apiserverSocketStates() {
        try {
            long pid = ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("").contains("apiserver.jar"))
                    .findFirst().map(ProcessHandle::pid).orElse(-1L);
            Process ss = new ProcessBuilder("ss", "-tanp").start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return out.lines().filter(l -> l.contains("pid=" + pid + ","))
                    .map(l -> l.trim().split("\\s+")[0])
                    .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.TreeMap::new, java.util.stream.Collectors.counting())).toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long sockets(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void fiftyExecsAndTwentyFollowersForAMinuteLeakNothing() throws Exception {
        runPod("load-exec", "exec sleep 3600");
        runPod("load-logs", "while true; do echo tick; sleep 0.2; done");
        System.gc();
        Thread.sleep(2000);
        long[] before = census();

        // the test's own client on virtual threads, so its idle pool is not counted as the kubelet's threads
        HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        AtomicLong echoed = new AtomicLong();
        AtomicLong logLines = new AtomicLong();
        List<WebSocket> sockets = new ArrayList<>();
        String ws = apiserver.url().replace("http://", "ws://") + "/api/v1/namespaces/default/pods/load-exec/exec?command=cat&stdin=true&stdout=true&container=app";
        for (int i = 0; i < EXECS; i++) {
            sockets.add(http.newWebSocketBuilder().subprotocols("v5.channel.k8s.io").buildAsync(URI.create(ws), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    if (data.remaining() > 0 && data.get(0) == 1) {
                        echoed.addAndGet(data.remaining() - 1);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).join());
        }
        List<InputStream> follows = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < FOLLOWERS; i++) {
            InputStream in = http.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default/pods/load-logs/log?follow=true&tailLines=1")).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).body();
            follows.add(in);
            readers.add(Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    while (r.readLine() != null) {
                        logLines.incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            }));
        }
        long[] during = census();
        long end = System.nanoTime() + LOAD.toNanos();
        byte[] line = "0hello load\n".getBytes(StandardCharsets.UTF_8);
        line[0] = 0;
        long sent = 0;
        while (System.nanoTime() < end) {
            for (WebSocket s : sockets) {
                s.sendBinary(ByteBuffer.wrap(line), true).join();
                sent += line.length - 1;
            }
            Thread.sleep(500);
        }
        for (WebSocket s : sockets) {
            s.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
        for (InputStream in : follows) {
            in.close();
        }
        for (Thread t : readers) {
            t.join(10_000);
        }
        System.out.printf("load: %d execs echoed %d of %d bytes, %d followers read %d lines%n", EXECS, echoed.get(), sent, FOLLOWERS, logLines.get());
        System.out.printf("census [threads, kubelet-jvm sockets, apiserver sockets, processes]: before %s, during %s%n",
                java.util.Arrays.toString(before), java.util.Arrays.toString(during));
        assertThat(echoed.get()).isGreaterThan(sent * 9 / 10);
        assertThat(logLines.get()).isGreaterThan(FOLLOWERS * 100L);
        // idle pooled threads (the JDK's process reapers, Tomcat's workers) end after a 60 s keep-alive
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
            long[] after = census();
            System.out.println("census after: " + java.util.Arrays.toString(after) + " threads by name: " + threadNames());
            System.out.println("apiserver sockets: " + apiserverSocketStates());
            assertThat(after[3]).as("processes").isLessThanOrEqualTo(before[3]);
            assertThat(after[0]).as("platform threads").isLessThanOrEqualTo(before[0] + 5);
            assertThat(after[1]).as("sockets of this JVM (kubelet)").isLessThanOrEqualTo(before[1] + 5);
            assertThat(after[2]).as("sockets of the apiserver").isLessThanOrEqualTo(before[2] + 5);
        });
        assertThat(during[3]).as("the exec processes ran").isGreaterThanOrEqualTo(before[3] + EXECS);
    }
}
