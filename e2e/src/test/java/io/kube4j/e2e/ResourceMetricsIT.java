package io.kube4j.e2e;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.HorizontalPodAutoscaler;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resource usage end to end, every component its own process on hollow (fake runtime) nodes whose
 * containers report the synthetic load of their pod's {@code kube4j.io/synthetic-cpu} and
 * {@code kube4j.io/synthetic-memory} annotations: the kubelets' Summary API, the apiserver's
 * metrics.k8s.io, the real {@code kubectl top} (nodes, pods, --containers, -A, -l), and a
 * HorizontalPodAutoscaler that scales a Deployment out under load and back in once the load stops.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResourceMetricsIT {
    static Cluster cluster;
    static ApiClient api;
    static Path kubectlHome;

    @BeforeAll
    static void start() throws IOException {
        cluster = new Cluster("hollow-1", "hollow-2").startControlPlane(List.of(
                // kube-controller-manager's default is 15 s; shorter keeps the test bounded
                "--kube4j.controller-manager.horizontal-pod-autoscaler-sync-period=3s"));
        cluster.startHollowKubelet("hollow-1");
        cluster.startHollowKubelet("hollow-2");
        api = cluster.api;
        kubectlHome = Files.createTempDirectory("kubectl-top");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.list(io.kube4j.api.Node.class, null).items.size() == 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Deployment deployment(String name, int replicas, String cpuRequest, Map<String, String> load) {
        Deployment d = new Deployment();
        d.metadata.name = name;
        d.metadata.namespace = "default";
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(Map.of("app", name));
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", name);
        t.metadata.annotations.putAll(load);
        for (String c : List.of("main", "sidecar")) {
            Container container = new Container();
            container.name = c;
            container.image = "busybox:1.36";
            container.resources = new ResourceRequirements();
            container.resources.requests.put("cpu", Quantity.parse(cpuRequest));
            t.spec.containers.add(container);
        }
        d.spec.template = t;
        return d;
    }

    static List<Pod> running(String app) {
        return api.list(Pod.class, "default", ListOptions.labels("app=" + app)).items.stream()
                .filter(p -> "Running".equals(p.status.phase) && p.metadata.deletionTimestamp == null).toList();
    }

    @Test
    @Order(1)
    void kubeletsServeTheSummaryApiAndTheApiserverServesMetrics() {
        api.create(deployment("top", 2, "100m", Map.of("kube4j.io/synthetic-cpu", "250m", "kube4j.io/synthetic-memory", "64Mi")));
        await().atMost(Duration.ofSeconds(60)).until(() -> running("top").size() == 2);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String list = api.getText("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dtop");
            assertThat(list).contains("\"kind\":\"PodMetricsList\"").contains("\"cpu\":\"250m\"").contains("\"memory\":\"64Mi\"");
        });
        String nodes = api.getText("/apis/metrics.k8s.io/v1beta1/nodes");
        assertThat(nodes).contains("\"kind\":\"NodeMetricsList\"").contains("hollow-1").contains("hollow-2");
    }

    @Test
    @Order(2)
    void kubectlTopPrintsNodesPodsAndContainers() {
        Result nodes = kubectl("top", "nodes");
        assertThat(nodes.exit).as(nodes.toString()).isZero();
        System.out.println("$ kubectl top nodes\n" + nodes.out);
        List<String> header = columns(nodes.out.lines().findFirst().orElseThrow());
        assertThat(header).containsExactly("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)");
        assertThat(nodes.out).contains("hollow-1").contains("hollow-2");

        Result pods = kubectl("top", "pods", "-l", "app=top");
        assertThat(pods.exit).as(pods.toString()).isZero();
        System.out.println("$ kubectl top pods -l app=top\n" + pods.out);
        List<String> lines = pods.out.lines().toList();
        assertThat(columns(lines.getFirst())).containsExactly("NAME", "CPU(cores)", "MEMORY(bytes)");
        assertThat(lines).hasSize(3);
        // two containers of 250m and 64Mi each
        assertThat(columns(lines.get(1))).endsWith("500m", "128Mi");

        Result containers = kubectl("top", "pods", "--containers", "-l", "app=top");
        assertThat(containers.exit).as(containers.toString()).isZero();
        System.out.println("$ kubectl top pods --containers -l app=top\n" + containers.out);
        List<String> clines = containers.out.lines().toList();
        assertThat(columns(clines.getFirst())).containsExactly("POD", "NAME", "CPU(cores)", "MEMORY(bytes)");
        assertThat(clines).hasSize(5);
        assertThat(clines.subList(1, 5)).allSatisfy(l -> assertThat(columns(l)).endsWith("250m", "64Mi"));
        assertThat(clines.subList(1, 5)).anySatisfy(l -> assertThat(columns(l).get(1)).isEqualTo("sidecar"));

        Result all = kubectl("top", "pods", "-A");
        assertThat(all.exit).as(all.toString()).isZero();
        assertThat(columns(all.out.lines().findFirst().orElseThrow())).containsExactly("NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)");
        assertThat(all.out).contains("default");

        Result missing = kubectl("top", "pod", "no-such-pod");
        assertThat(missing.exit).isNotZero();
        assertThat(missing.err).contains("podmetrics.metrics.k8s.io \"default/no-such-pod\" not found");
    }

    @Test
    @Order(3)
    void anHpaScalesOutUnderSyntheticLoadAndBackInWhenItStops() {
        // each pod: two containers of 100m requested, each using 200m: 200% of requests against a 50% target
        api.create(deployment("busy", 1, "100m", Map.of("kube4j.io/synthetic-cpu", "200m")));
        await().atMost(Duration.ofSeconds(60)).until(() -> running("busy").size() == 1);
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler();
        hpa.metadata.name = "busy";
        hpa.metadata.namespace = "default";
        hpa.spec.scaleTargetRef = new HorizontalPodAutoscaler.CrossVersionObjectReference();
        hpa.spec.scaleTargetRef.apiVersion = "apps/v1";
        hpa.spec.scaleTargetRef.kind = "Deployment";
        hpa.spec.scaleTargetRef.name = "busy";
        hpa.spec.minReplicas = 1;
        hpa.spec.maxReplicas = 5;
        HorizontalPodAutoscaler.MetricSpec cpu = new HorizontalPodAutoscaler.MetricSpec();
        cpu.type = "Resource";
        cpu.resource = new HorizontalPodAutoscaler.ResourceMetricSource();
        cpu.resource.name = "cpu";
        cpu.resource.target = new HorizontalPodAutoscaler.MetricTarget();
        cpu.resource.target.type = "Utilization";
        cpu.resource.target.averageUtilization = 50;
        hpa.spec.metrics.add(cpu);
        // a short scale-down window keeps the test bounded (the default is 300 s)
        hpa.spec.behavior = new HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior();
        hpa.spec.behavior.scaleDown = new HorizontalPodAutoscaler.HPAScalingRules();
        hpa.spec.behavior.scaleDown.stabilizationWindowSeconds = 10;
        api.create(hpa);

        Instant created = Instant.now();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(api.get(Deployment.class, "default", "busy").spec.replicas).isEqualTo(5));
        Duration scaleOut = Duration.between(created, Instant.now());
        HorizontalPodAutoscaler out = api.get(HorizontalPodAutoscaler.class, "default", "busy");
        assertThat(out.status.conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("ScalingActive");
            assertThat(c.reason).isEqualTo("ValidMetricFound");
        });
        assertThat(out.status.lastScaleTime).isNotNull();
        System.out.println("scaled out to 5 in " + scaleOut.toMillis() + " ms; status " + io.kube4j.json.Json.write(out.status));
        await().atMost(Duration.ofSeconds(60)).until(() -> running("busy").size() == 5);

        // the load stops: every pod's containers now use nothing
        for (Pod p : running("busy")) {
            api.patch(Pod.class, "default", p.metadata.name, "application/merge-patch+json",
                    "{\"metadata\":{\"annotations\":{\"kube4j.io/synthetic-cpu\":\"0\"}}}");
        }
        Instant stopped = Instant.now();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(api.get(Deployment.class, "default", "busy").spec.replicas).isEqualTo(1));
        Duration scaleIn = Duration.between(stopped, Instant.now());
        System.out.println("scaled back in to 1 in " + scaleIn.toMillis() + " ms after the load stopped");
        // not before the 10 s scale-down stabilization window has passed
        assertThat(scaleIn).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        HorizontalPodAutoscaler in = api.get(HorizontalPodAutoscaler.class, "default", "busy");
        assertThat(in.status.desiredReplicas).isEqualTo(1);
    }

    @Test
    @Order(4)
    void kubectlAutoscaleCreatesAnHpa() {
        api.create(deployment("auto", 1, "100m", Map.of()));
        Result r = kubectl("autoscale", "deployment", "auto", "--cpu-percent=50", "--min=1", "--max=5");
        System.out.println("kubectl autoscale: " + r);
        // kubectl 1.32 posts autoscaling/v1, served as a view of the stored autoscaling/v2 object
        assertThat(r.exit).as(r.err).isZero();
        HorizontalPodAutoscaler hpa = api.get(HorizontalPodAutoscaler.class, "default", "auto");
        assertThat(hpa.spec.maxReplicas).isEqualTo(5);
        assertThat(hpa.spec.scaleTargetRef.name).isEqualTo("auto");
    }

    // ---- kubectl ---------------------------------------------------------------------------------

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static List<String> columns(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    static Result kubectl(String... args) {
        Path bin = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
        Assumptions.assumeTrue(Files.isExecutable(bin) || "true".equalsIgnoreCase(System.getenv("CI")), "no kubectl at " + bin);
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--kubeconfig=" + cluster.adminKubeconfig(),
                "--cache-dir=" + kubectlHome.resolve("cache"), "--request-timeout=30s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", kubectlHome.toString());
        try {
            Path out = Files.createTempFile(kubectlHome, "out", ".txt");
            Path err = Files.createTempFile(kubectlHome, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
