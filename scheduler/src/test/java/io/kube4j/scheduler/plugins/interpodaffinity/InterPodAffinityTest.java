package io.kube4j.scheduler.plugins.interpodaffinity;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class InterPodAffinityTest {
    private static final String HOST = "kubernetes.io/hostname";
    private static final String ZONE = "zone";
    private static final Map<String, String> DB = Map.of("app", "db");
    private static final Map<String, String> WEB = Map.of("app", "web");

    private final InterPodAffinity plugin = new InterPodAffinity();

    /** a1, a2 in zone a; b1 in zone b; a db pod on a1 (in namespace default) and a web pod with anti-affinity to cache on b1. */
    private static List<NodeInfo> cluster(PodBuilder... extraOnB1) {
        var b1 = node("b1").label(ZONE, "b").with(pod("web-0").label("app", "web").podAntiAffinity(ZONE, Map.of("app", "cache")));
        for (PodBuilder p : extraOnB1) {
            b1.with(p);
        }
        return List.of(
                node("a1").label(ZONE, "a").with(pod("db-0").label("app", "db")).info(),
                node("a2").label(ZONE, "a").info(),
                b1.info(),
                node("nozone").info());
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                argumentSet("no affinity fits everywhere", pod("p"), Map.of("a1", true, "a2", true, "b1", true, "nozone", true), null),
                argumentSet("affinity to db by host: only the db node",
                        pod("p").podAffinity(HOST, DB), Map.of("a1", true, "a2", false, "b1", false, "nozone", false), "node(s) didn't match pod affinity rules"),
                argumentSet("affinity to db by zone: the whole zone",
                        pod("p").podAffinity(ZONE, DB), Map.of("a1", true, "a2", true, "b1", false, "nozone", false), "node(s) didn't match pod affinity rules"),
                argumentSet("affinity to pods in another namespace does not match",
                        pod("p").namespace("other").podAffinity(ZONE, DB), Map.of("a1", false, "a2", false, "b1", false, "nozone", false), "node(s) didn't match pod affinity rules"),
                argumentSet("anti-affinity to db by zone: not zone a",
                        pod("p").podAntiAffinity(ZONE, DB), Map.of("a1", false, "a2", false, "b1", true, "nozone", true), "node(s) didn't match pod anti-affinity rules"),
                argumentSet("anti-affinity to db by host: not its node",
                        pod("p").podAntiAffinity(HOST, DB), Map.of("a1", false, "a2", true, "b1", true, "nozone", true), "node(s) didn't match pod anti-affinity rules"),
                argumentSet("existing pod's anti-affinity keeps a matching pod out of its zone",
                        pod("p").label("app", "cache"), Map.of("a1", true, "a2", true, "b1", false, "nozone", true), "node(s) didn't satisfy existing pods anti-affinity rules"),
                argumentSet("first pod of a self-affine group may go anywhere with the key",
                        pod("p").label("app", "solo").podAffinity(ZONE, Map.of("app", "solo")), Map.of("a1", true, "a2", true, "b1", true, "nozone", false), "node(s) didn't match pod affinity rules"),
                argumentSet("affinity to pods that exist nowhere, not self-matching",
                        pod("p").podAffinity(ZONE, Map.of("app", "ghost")), Map.of("a1", false, "a2", false, "b1", false, "nozone", false), "node(s) didn't match pod affinity rules"));
    }

    @ParameterizedTest
    @MethodSource("filterCases")
    void filtersByRequiredAffinityAndAntiAffinity(PodBuilder pod, Map<String, Boolean> expected, String reason) {
        List<NodeInfo> nodes = cluster();
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = pod.info();
        assertThat(plugin.preFilter(state, p, snapshot).isSuccess()).isTrue();
        for (NodeInfo n : nodes) {
            Status s = plugin.filter(state, p, n);
            assertThat(s.isSuccess()).as(n.name()).isEqualTo(expected.get(n.name()));
            if (!s.isSuccess()) {
                assertThat(s.reasons()).as(n.name()).containsExactly(reason);
            }
        }
    }

    @Test
    void antiAffinityCountsAssumedPodsOfTheSameCycleBurst() {
        // the pod assumed a moment ago on a2 must already repel the next replica
        List<NodeInfo> nodes = cluster();
        nodes.get(1).addPod(pod("web-1").nodeName("a2").label("app", "web").info());
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = pod("web-2").label("app", "web").podAntiAffinity(HOST, WEB).info();
        plugin.preFilter(state, p, snapshot);
        assertThat(plugin.filter(state, p, nodes.get(1)).isSuccess()).isFalse();
        assertThat(plugin.filter(state, p, nodes.get(0)).isSuccess()).isTrue();
    }

    @Test
    void preferredAffinityAndAntiAffinityScoreTheirDomains() {
        List<NodeInfo> nodes = cluster();
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = pod("p").preferredPodAffinity(10, ZONE, DB).preferredPodAntiAffinity(5, HOST, WEB).info();
        plugin.preScore(state, p, nodes);
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, p, n)).toArray();
        // a1, a2: +10 (zone a has db); b1: -5 (web on it); nozone: 0
        assertThat(scores).containsExactly(10, 10, -5, 0);
        plugin.normalizeScores(state, p, scores);
        assertThat(scores).containsExactly(100, 100, 0, 33);
    }

    @Test
    void existingPodsPreferencesCountSymmetrically() {
        List<NodeInfo> nodes = List.of(
                node("a1").label(ZONE, "a").with(pod("likes-cache").preferredPodAffinity(7, ZONE, Map.of("app", "cache"))).info(),
                node("b1").label(ZONE, "b").info());
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = pod("cache").label("app", "cache").info();
        plugin.preScore(state, p, nodes);
        assertThat(plugin.score(state, p, nodes.get(0))).isEqualTo(7);
        assertThat(plugin.score(state, p, nodes.get(1))).isZero();
    }
}
