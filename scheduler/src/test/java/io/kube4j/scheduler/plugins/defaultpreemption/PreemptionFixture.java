package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.api.LabelSelector;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.PodNominator;
import io.kube4j.scheduler.framework.PreFilterExtensions;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.NodeBuilder;
import io.kube4j.scheduler.testing.PodBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.kube4j.scheduler.testing.PodBuilder.pod;

/**
 * The vocabulary of Kubernetes' {@code default_preemption_test.go}: its priorities, request sizes, node
 * capacities (32 pods unless said otherwise, as {@code st.MakeNode().Capacity}), fake plugins, and a
 * framework of just the plugins a case registers.
 */
final class PreemptionFixture {
    static final int NEG = -100, LOW = 0, MID = 100, HIGH = 1000, VERY_HIGH = 10000;

    private PreemptionFixture() {
    }

    /** A pod in the default namespace with {@code uid-<name>} as UID. */
    static PodBuilder p(String name, int priority) {
        return pod(name).priority(priority);
    }

    static PodBuilder small(PodBuilder b) {
        return b.cpu("100m").memory("100");
    }

    static PodBuilder medium(PodBuilder b) {
        return b.cpu("200m").memory("200");
    }

    static PodBuilder large(PodBuilder b) {
        return b.cpu("300m").memory("300");
    }

    static PodBuilder veryLarge(PodBuilder b) {
        return b.cpu("500m").memory("500");
    }

    /** Kubernetes' epochTime{n}: n seconds after the epoch (Kubernetes uses nanoseconds; RFC 3339 times in kube4j carry seconds). */
    static String epoch(int n) {
        return String.format("1970-01-01T00:00:%02dZ", n);
    }

    /** A node with {@code veryLargeRes} (500m cpu, 500 bytes) and 32 pods. */
    static NodeBuilder veryLargeNode(String name) {
        return NodeBuilder.node(name).cpu("500m").memory("500").pods(32);
    }

    /** {@code onePodRes}: room for one pod and nothing else. */
    static NodeBuilder onePodNode(String name) {
        return NodeBuilder.node(name).cpu("0").memory("0").pods(1);
    }

    /** {@code nodeRes}: 200m cpu, 400 bytes, 32 pods. */
    static NodeBuilder smallNode(String name) {
        return NodeBuilder.node(name).cpu("200m").memory("400").pods(32);
    }

    /** Nodes named as Kubernetes' dry-run table does: {@code node-a/zone1} is node {@code node-a} with labels hostname and zone. */
    static NodeBuilder labelledNode(String spec) {
        String[] parts = spec.split("/");
        String[] keys = {"hostname", "zone", "region"};
        NodeBuilder b = veryLargeNode(parts[0]);
        for (int i = 0; i < parts.length; i++) {
            b.label(keys[i], parts[i]);
        }
        return b;
    }

    /** A PDB in the default namespace selecting {@code labels}. */
    static PodDisruptionBudget pdb(Map<String, String> labels, int disruptionsAllowed, String... disruptedPods) {
        PodDisruptionBudget pdb = new PodDisruptionBudget();
        pdb.metadata.namespace = "default";
        pdb.metadata.name = "pdb-" + labels.hashCode();
        pdb.spec.selector = LabelSelector.of(labels);
        pdb.status.disruptionsAllowed = disruptionsAllowed;
        for (String d : disruptedPods) {
            pdb.status.disruptedPods.put(d, "2026-01-01T00:00:00Z");
        }
        return pdb;
    }

    /** The snapshot of {@code nodes} with {@code pods} on the nodes their {@code spec.nodeName} names. */
    static Snapshot snapshot(List<Node> nodes, List<Pod> pods) {
        Map<String, List<PodInfo>> byNode = new LinkedHashMap<>();
        for (Pod p : pods) {
            byNode.computeIfAbsent(p.spec.nodeName, k -> new ArrayList<>()).add(PodInfo.of(p));
        }
        List<NodeInfo> infos = new ArrayList<>();
        for (Node n : nodes) {
            infos.add(NodeInfo.of(n, byNode.getOrDefault(n.metadata.name, List.of()).toArray(PodInfo[]::new)));
        }
        return Snapshot.of(infos);
    }

    /** A framework of exactly {@code plugins} (PreFilter and Filter as each implements), in order. */
    static Framework framework(PodNominator nominator, Plugin... plugins) {
        List<PreFilterPlugin> preFilters = new ArrayList<>();
        List<FilterPlugin> filters = new ArrayList<>();
        for (Plugin p : plugins) {
            if (p instanceof PreFilterPlugin pf) {
                preFilters.add(pf);
            }
            if (p instanceof FilterPlugin f) {
                filters.add(f);
            }
        }
        return new Framework(List.of(), preFilters, filters, List.of(), List.of(), nominator);
    }

    /** Kubernetes' {@code FakeFilterPlugin}: counts its calls and answers {@code code} (success when null) everywhere. */
    static final class FakeFilter implements FilterPlugin {
        private final Status.Code code;
        int numFilterCalled;

        FakeFilter(Status.Code code) {
            this.code = code;
        }

        @Override
        public String name() {
            return "FakeFilter";
        }

        @Override
        public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
            numFilterCalled++;
            return code == null || code == Status.Code.SUCCESS ? Status.SUCCESS : new Status(code, null, List.of());
        }
    }

    /** Kubernetes' {@code FalseFilter}: rejects every node. */
    static final class FalseFilter implements FilterPlugin {
        @Override
        public String name() {
            return "FalseFilter";
        }

        @Override
        public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
            return Status.unschedulable("injecting failure for pod " + pod.pod().metadata.name);
        }
    }

    /** Kubernetes' {@code TestPlugin}: its AddPod and RemovePod fail on nodes labelled {@code error=true}. */
    static final class ErrorOnLabelledNodes implements PreFilterPlugin, FilterPlugin, PreFilterExtensions {
        @Override
        public String name() {
            return "test-plugin";
        }

        @Override
        public Status preFilter(CycleState state, PodInfo pod, Snapshot snapshot) {
            return Status.SUCCESS;
        }

        @Override
        public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
            return Status.SUCCESS;
        }

        @Override
        public PreFilterExtensions preFilterExtensions() {
            return this;
        }

        @Override
        public Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
            return "true".equals(node.labels().get("error")) ? Status.error("failed to add pod: " + podToSchedule.pod().metadata.name) : Status.SUCCESS;
        }

        @Override
        public Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
            return "true".equals(node.labels().get("error")) ? Status.error("failed to remove pod: " + podToSchedule.pod().metadata.name) : Status.SUCCESS;
        }
    }
}
