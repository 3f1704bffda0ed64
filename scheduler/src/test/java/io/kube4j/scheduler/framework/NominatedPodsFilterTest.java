package io.kube4j.scheduler.framework;

import io.kube4j.scheduler.plugins.PluginRegistry;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.queue.Nominator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' RunFilterPluginsWithNominatedPods: nominated pods of equal or higher priority count as running. */
class NominatedPodsFilterTest {
    private final Nominator nominator = new Nominator();
    private final Framework framework = PluginRegistry.defaultFramework(Map.of(), List.of(), nominator);

    private Status filter(PodInfo pod, NodeInfo node) {
        Snapshot snapshot = Snapshot.of(List.of(node));
        CycleState state = new CycleState(snapshot);
        assertThat(framework.runPreFilters(state, pod, snapshot).isSuccess()).isTrue();
        return framework.runFiltersWithNominatedPods(state, pod, node);
    }

    @Test
    void roomReservedForAnEqualOrHigherPriorityPodIsNotTaken() {
        NodeInfo n1 = node("n1").cpu("2").info();
        nominator.addNominatedPod(pod("nominated").cpu("2").priority(100).info(), NominatingInfo.override("n1"));
        assertThat(filter(pod("lower").cpu("1").priority(10).info(), n1).reasons()).containsExactly("Insufficient cpu");
        assertThat(filter(pod("equal").cpu("1").priority(100).info(), n1).reasons()).containsExactly("Insufficient cpu");
        // a more important pod may take room freed for a less important one
        assertThat(filter(pod("higher").cpu("1").priority(1000).info(), n1).isSuccess()).isTrue();
        // the nominated pod does not compete with itself
        assertThat(filter(pod("nominated").cpu("2").priority(100).info(), n1).isSuccess()).isTrue();
        // other nodes are unaffected
        assertThat(filter(pod("lower").cpu("1").priority(10).info(), node("n2").cpu("2").info()).isSuccess()).isTrue();
        // the node itself was not changed by the check
        assertThat(n1.pods()).isEmpty();
    }

    @Test
    void aPodMustAlsoFitWithoutTheNominatedPods() {
        // the nominated pod satisfies the affinity, but it may still go elsewhere: the pod must not rely on it
        NodeInfo n1 = node("n1").label("zone", "a").info();
        nominator.addNominatedPod(pod("db").label("app", "db").priority(100).info(), NominatingInfo.override("n1"));
        NodeInfo other = node("n2").label("zone", "b").with(pod("db-elsewhere").label("app", "db")).info();
        Snapshot snapshot = Snapshot.of(List.of(n1, other));
        PodInfo web = pod("web").priority(10).podAffinity("zone", Map.of("app", "db")).info();
        CycleState state = new CycleState(snapshot);
        assertThat(framework.runPreFilters(state, web, snapshot).isSuccess()).isTrue();
        assertThat(framework.runFiltersWithNominatedPods(state, web, n1).reasons()).containsExactly("node(s) didn't match pod affinity rules");
    }

    @Test
    void preFilterDataFollowsSimulatedRemovalsOnACopyOnly() {
        // an existing pod's anti-affinity keeps the pod off n1; removing it on a copy of the state and node lets it in
        InterPodAffinity plugin = new InterPodAffinity();
        PodInfo victim = pod("victim").nodeName("n1").priority(0).podAntiAffinity("kubernetes.io/hostname", Map.of("app", "web")).info();
        NodeInfo n1 = NodeInfo.of(node("n1").build(), victim);
        Snapshot snapshot = Snapshot.of(List.of(n1));
        PodInfo web = pod("web").label("app", "web").info();
        CycleState state = new CycleState(snapshot);
        plugin.preFilter(state, web, snapshot);
        assertThat(plugin.filter(state, web, n1).isSuccess()).isFalse();

        CycleState copy = state.copy();
        NodeInfo nodeCopy = n1.copy();
        nodeCopy.removePod(victim.key());
        assertThat(plugin.preFilterExtensions().removePod(copy, web, victim, nodeCopy).isSuccess()).isTrue();
        assertThat(plugin.filter(copy, web, nodeCopy).isSuccess()).isTrue();
        assertThat(plugin.filter(state, web, n1).isSuccess()).as("the original state is untouched").isFalse();

        nodeCopy.addPod(victim);
        plugin.preFilterExtensions().addPod(copy, web, victim, nodeCopy);
        assertThat(plugin.filter(copy, web, nodeCopy).isSuccess()).isFalse();
    }
}
