package io.kube4j.kubelet.it;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The kubelet with the process runtime against a real apiserver and etcd. */
class KubeletProcessRuntimeIT {
    private static final String NODE = "it-process-node";
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;
    private static int kubeletPort;

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
                "--kube4j.kubelet.root-dir=target/kubelet-it",
                "--kube4j.kubelet.labels.zone=it");
        kubeletPort = ((WebServerApplicationContext) kubelet).getWebServer().getPort();
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

    private static Pod pod(String name, String restartPolicy, String script) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.restartPolicy = restartPolicy;
        p.spec.terminationGracePeriodSeconds = 5L;
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        p.spec.containers.add(c);
        return p;
    }

    private static Pod get(String name) {
        return api.get(Pod.class, "default", name);
    }

    private static String kubeletGet(String path) throws Exception {
        HttpResponse<String> r = io.kube4j.kubelet.testing.KubeletTls.client().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + kubeletPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void registersItsNodeReadyWithAddressPortAndLease() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Node node = api.get(Node.class, null, NODE);
            assertThat(node.status.condition("Ready").status).isEqualTo("True");
            assertThat(node.status.address("InternalIP")).isEqualTo("127.0.0.1");
            assertThat(node.status.daemonEndpoints.kubeletEndpoint.port).isEqualTo(kubeletPort);
            assertThat(node.metadata.labels).containsEntry("zone", "it").containsEntry("kubernetes.io/hostname", NODE);
            assertThat(node.status.nodeInfo.containerRuntimeVersion).startsWith("process://");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get(Lease.class, "kube-node-lease", NODE).spec.holderIdentity).isEqualTo(NODE));
    }

    @Test
    void podRunsItsLogIsServedAndDeletingItStopsTheProcess() throws Exception {
        String marker = "sleep " + (3000 + (int) (Math.random() * 600));
        api.create(pod("hello", "Always", "echo hello-from-pod; exec " + marker));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod p = get("hello");
            assertThat(p.status.phase).isEqualTo("Running");
            assertThat(p.status.podIP).isEqualTo("127.0.0.1");
            assertThat(p.status.condition("Ready").status).isEqualTo("True");
            assertThat(p.status.containerStatuses.get(0).state.running).isNotNull();
        });
        assertThat(processes(marker)).hasSize(1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(kubeletGet("/containerLogs/default/hello/app")).isEqualTo("200 hello-from-pod\n"));
        assertThat(kubeletGet("/containerLogs/default/hello/app?timestamps=true")).matches("200 \\d{4}-\\d\\d-\\d\\dT\\S+Z hello-from-pod\\n");
        assertThat(kubeletGet("/containerLogs/default/nope/app")).startsWith("404");
        // through the apiserver, which proxies pods/{name}/log to this node's InternalIP and port
        assertThat(api.getText("/api/v1/namespaces/default/pods/hello/log")).isEqualTo("hello-from-pod\n");

        api.delete(Pod.class, "default", "hello");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", "hello").isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> processes(marker).isEmpty());
    }

    @Test
    void exposesPrometheusMetricsAndHealth() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = kubeletGet("/actuator/prometheus");
            assertThat(metrics).startsWith("200 ")
                    .contains("kubelet_running_pods")
                    .contains("kubelet_running_containers")
                    .contains("kubelet_runtime_operations_seconds_count{operation=\"list_podsandbox\",outcome=\"success\"}");
        });
        assertThat(kubeletGet("/actuator/health")).startsWith("200 ").contains("UP");
    }

    @Test
    void crashingContainerGoesIntoCrashLoopBackOff() {
        api.create(pod("crasher", "Always", "echo crash-" + UUID.randomUUID() + "; exit 1"));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("crasher").status.containerStatuses.get(0);
            assertThat(s.restartCount).isGreaterThanOrEqualTo(1);
            assertThat(s.state.waiting).isNotNull();
            assertThat(s.state.waiting.reason).isEqualTo("CrashLoopBackOff");
            assertThat(s.lastState.terminated.exitCode).isEqualTo(1);
            assertThat(s.lastState.terminated.reason).isEqualTo("Error");
        });
        assertThat(get("crasher").status.phase).isEqualTo("Running");
        api.delete(Pod.class, "default", "crasher");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", "crasher").isEmpty());
    }

    @Test
    void completedPodSucceeds() {
        api.create(pod("job", "Never", "echo done"));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod p = get("job");
            assertThat(p.status.phase).isEqualTo("Succeeded");
            assertThat(p.status.containerStatuses.get(0).state.terminated.reason).isEqualTo("Completed");
        });
        assertThat(api.getText("/api/v1/namespaces/default/pods/job/log")).isEqualTo("done\n");
    }

    private static List<ProcessHandle> processes(String commandLine) {
        // the command part is the resolved executable (/usr/bin/sleep), so match the end
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").endsWith(commandLine.substring(commandLine.indexOf(' ')))).toList();
    }
}
