package io.kube4j.kubelet.stats;

import io.kube4j.api.Pod;
import io.kube4j.json.Json;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SummaryProviderTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeRuntime runtime = new FakeRuntime(clock, FakeRuntime.Timings.INSTANT, null);
    private final List<Pod> pods = new ArrayList<>();

    @Test
    void hollowContainersReportTheirPodsSyntheticLoadAndTheNodeSumsThem() {
        Pod web = pod("default", "web", "uid-1", Map.of(SyntheticLoad.CPU_ANNOTATION, "250m", SyntheticLoad.MEMORY_ANNOTATION, "64Mi"));
        start(web, "app");
        start(web, "sidecar");
        Pod idle = pod("default", "idle", "uid-2", Map.of());
        start(idle, "app");
        SummaryProvider provider = provider(new SyntheticLoad(clock, "5m", "1Mi"));

        clock.advance(Duration.ofSeconds(10));
        Summary first = provider.summary();
        Summary.PodStats webStats = first.pods().get(1);
        assertThat(webStats.podRef().name()).isEqualTo("web");
        assertThat(webStats.containers()).extracting(Summary.ContainerStats::name).containsExactly("app", "sidecar");
        Summary.ContainerStats app = webStats.containers().getFirst();
        // 250m for the 10 s since the container started
        assertThat(app.cpu().usageCoreNanoSeconds()).isEqualTo(2_500_000_000L);
        assertThat(app.cpu().usageNanoCores()).isEqualTo(250_000_000L);
        assertThat(app.memory().workingSetBytes()).isEqualTo(64L << 20);
        assertThat(webStats.cpu().usageNanoCores()).isEqualTo(500_000_000L);
        assertThat(webStats.memory().workingSetBytes()).isEqualTo(128L << 20);
        // the pod without annotations gets the kubelet's default load
        assertThat(first.pods().getFirst().cpu().usageNanoCores()).isEqualTo(5_000_000L);
        assertThat(first.node().cpu().usageNanoCores()).isEqualTo(505_000_000L);
        assertThat(first.node().memory().workingSetBytes()).isEqualTo((128L << 20) + (1L << 20));
        assertThat(first.node().nodeName()).isEqualTo("node-a");
    }

    @Test
    void aChangedAnnotationChangesTheRateFromTheNextSample() {
        Pod web = pod("default", "web", "uid-1", Map.of(SyntheticLoad.CPU_ANNOTATION, "1"));
        start(web, "app");
        SummaryProvider provider = provider(new SyntheticLoad(clock, "0", "0"));
        clock.advance(Duration.ofSeconds(10));
        assertThat(provider.summary().pods().getFirst().cpu().usageNanoCores()).isEqualTo(1_000_000_000L);

        web.metadata.annotations = Map.of(SyntheticLoad.CPU_ANNOTATION, "100m");
        clock.advance(Duration.ofSeconds(10));
        Summary.ContainerStats app = provider.summary().pods().getFirst().containers().getFirst();
        assertThat(app.cpu().usageNanoCores()).isEqualTo(100_000_000L);
        assertThat(app.cpu().usageCoreNanoSeconds()).isEqualTo(11_000_000_000L);
    }

    @Test
    void theRateOfMeasuredContainersComesFromTwoSamples() {
        Pod web = pod("default", "web", "uid-1", Map.of());
        start(web, "app");
        long[] cpu = {0};
        UsageSource measured = (pod, c) -> new ContainerUsage(clock.instant(), cpu[0], 1000);
        SummaryProvider provider = provider(measured);
        clock.advance(Duration.ofSeconds(4));
        cpu[0] = 2_000_000_000L;
        // first sample: the average since the container started
        assertThat(provider.summary().pods().getFirst().cpu().usageNanoCores()).isEqualTo(500_000_000L);
        clock.advance(Duration.ofSeconds(2));
        cpu[0] = 2_200_000_000L;
        assertThat(provider.summary().pods().getFirst().cpu().usageNanoCores()).isEqualTo(100_000_000L);
    }

    @Test
    void exitedContainersAndPodsWithoutRunningContainersAreLeftOut() {
        Pod web = pod("default", "web", "uid-1", Map.of());
        start(web, "app");
        runtime.exit("uid-1", "app", 0);
        Summary s = provider(new SyntheticLoad(clock, "10m", "0")).summary();
        assertThat(s.pods()).isEmpty();
        assertThat(s.node().cpu().usageCoreNanoSeconds()).isZero();
    }

    @Test
    void theSummaryJsonHasTheKubeletFieldNames() {
        Pod web = pod("ns1", "web", "uid-1", Map.of(SyntheticLoad.CPU_ANNOTATION, "250m"));
        start(web, "app");
        clock.advance(Duration.ofSeconds(1));
        JsonNode json = Json.mapper().readTree(Json.writeBytes(provider(new SyntheticLoad(clock, "0", "0")).summary()));
        assertThat(json.path("node").path("nodeName").asString()).isEqualTo("node-a");
        JsonNode pod = json.path("pods").get(0);
        assertThat(pod.path("podRef").path("namespace").asString()).isEqualTo("ns1");
        assertThat(pod.path("podRef").path("uid").asString()).isEqualTo("uid-1");
        JsonNode c = pod.path("containers").get(0);
        assertThat(c.path("cpu").path("usageNanoCores").asLong()).isEqualTo(250_000_000L);
        assertThat(c.path("cpu").path("time").asString()).isEqualTo("2026-01-01T00:00:01Z");
        assertThat(c.path("memory").has("workingSetBytes")).isTrue();
    }

    @Test
    void resourceMetricsUseKubernetesNamesLabelsAndTimestamps() {
        Pod web = pod("ns1", "web", "uid-1", Map.of(SyntheticLoad.CPU_ANNOTATION, "500m", SyntheticLoad.MEMORY_ANNOTATION, "1Ki"));
        start(web, "app");
        clock.advance(Duration.ofSeconds(3));
        String text = ResourceMetrics.render(provider(new SyntheticLoad(clock, "0", "0")).summary(), false);
        long millis = Instant.parse("2026-01-01T00:00:03Z").toEpochMilli();
        assertThat(text).contains("# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n"
                + "# TYPE container_cpu_usage_seconds_total counter\n"
                + "container_cpu_usage_seconds_total{container=\"app\",namespace=\"ns1\",pod=\"web\"} 1.5 " + millis + "\n");
        assertThat(text).contains("container_memory_working_set_bytes{container=\"app\",namespace=\"ns1\",pod=\"web\"} 1024 " + millis + "\n");
        assertThat(text).contains("pod_cpu_usage_seconds_total{namespace=\"ns1\",pod=\"web\"} 1.5 " + millis + "\n");
        assertThat(text).contains("node_memory_working_set_bytes 1024 " + millis + "\n");
        assertThat(text).contains("container_start_time_seconds{container=\"app\",namespace=\"ns1\",pod=\"web\"} 1767225600\n");
        assertThat(text).endsWith("resource_scrape_error 0\n");
    }

    @Test
    void machineUsageReadsProcStatAndMeminfo() throws Exception {
        java.nio.file.Path proc = java.nio.file.Files.createTempDirectory("proc");
        java.nio.file.Files.writeString(proc.resolve("stat"), "cpu  100 5 50 9999 77 3 2 1 0 0\ncpu0 1 2 3\n");
        java.nio.file.Files.writeString(proc.resolve("meminfo"), "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n");
        ContainerUsage u = new MachineUsage(proc, clock).get();
        // user+nice+system+irq+softirq+steal = 161 jiffies of 10 ms
        assertThat(u.usageCoreNanoSeconds()).isEqualTo(1_610_000_000L);
        assertThat(u.workingSetBytes()).isEqualTo(600 * 1024L);
    }

    @Test
    void theNodeCpuIsARateOverTheScrapeWindowNotTheHostsCounterOverTheKubeletsAge() {
        // the host's /proc/stat counter: 31,900 busy seconds since boot, then 1.5 cores busy for 10 s
        long[] busy = {31_900_000_000_000L};
        java.util.function.Supplier<ContainerUsage> machine = () -> new ContainerUsage(clock.instant(), busy[0], 512);
        clock.advance(Duration.ofSeconds(900));
        SummaryProvider p = new SummaryProvider("node-a", clock.instant(), () -> pods, runtime, (pod, c) -> null, machine, clock);
        clock.advance(Duration.ofSeconds(10));
        busy[0] += 15_000_000_000L;
        Summary.NodeStats node = p.summary().node();
        // usageNanoCores = delta(usageCoreNanoSeconds) / delta(t) (cAdvisor, the kubelet's summary)
        assertThat(node.cpu().usageNanoCores()).isEqualTo(1_500_000_000L);
        assertThat(node.cpu().usageCoreNanoSeconds()).isEqualTo(31_915_000_000_000L);
        assertThat(node.memory().workingSetBytes()).isEqualTo(512L);
        clock.advance(Duration.ofSeconds(10));
        busy[0] += 2_000_000_000L;
        assertThat(p.summary().node().cpu().usageNanoCores()).isEqualTo(200_000_000L);
    }

    private SummaryProvider provider(UsageSource usage) {
        return new SummaryProvider("node-a", clock.instant(), () -> pods, runtime, usage, () -> null, clock);
    }

    private Pod pod(String ns, String name, String uid, Map<String, String> annotations) {
        Pod p = new Pod();
        p.metadata.namespace = ns;
        p.metadata.name = name;
        p.metadata.uid = uid;
        p.metadata.annotations = new java.util.HashMap<>(annotations);
        pods.add(p);
        return p;
    }

    private void start(Pod pod, String container) {
        PodRef ref = new PodRef(pod.metadata.uid, pod.metadata.namespace, pod.metadata.name);
        if (runtime.listPodSandboxes(ref.uid()).isEmpty()) {
            runtime.runPodSandbox(new SandboxConfig(ref, 0, pod.metadata.name));
        }
        Sandbox sandbox = runtime.listPodSandboxes(ref.uid()).getFirst();
        // no command: the hollow program runs forever
        String id = runtime.createContainer(sandbox, new ContainerConfig(ref, container, 0, "busybox", List.of(), List.of(), null,
                Map.of(), List.of(), null, null));
        runtime.startContainer(id);
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
