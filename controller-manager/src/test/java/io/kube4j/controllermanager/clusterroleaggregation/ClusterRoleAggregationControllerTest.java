package io.kube4j.controllermanager.clusterroleaggregation;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Role;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' clusterroleaggregation_controller_test.go cases, reconcile by reconcile. */
class ClusterRoleAggregationControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient recording = new RecordingClient();
    final ClusterRoleAggregationController controller = new ClusterRoleAggregationController(informers, recording);

    static Role.PolicyRule rule(String verb, String resource) {
        Role.PolicyRule r = new Role.PolicyRule();
        r.verbs.add(verb);
        r.apiGroups.add("");
        r.resources.add(resource);
        return r;
    }

    static ClusterRole role(String name, Map<String, String> labels, Role.PolicyRule... rules) {
        ClusterRole r = new ClusterRole();
        r.metadata.name = name;
        r.metadata.resourceVersion = "1";
        r.metadata.labels.putAll(labels);
        r.rules = new ArrayList<>(List.of(rules));
        return r;
    }

    static ClusterRole aggregated(String name, Role.PolicyRule... rules) {
        ClusterRole r = role(name, Map.of(), rules);
        r.aggregationRule = new ClusterRole.AggregationRule();
        r.aggregationRule.clusterRoleSelectors.add(LabelSelector.of(Map.of("aggregate-to-" + name, "true")));
        return r;
    }

    @Test
    void anAggregatedRoleGetsTheRulesOfTheMatchingRolesByNameEachOnce() {
        preload(informers.informer(ClusterRole.class),
                aggregated("view"),
                role("zz-extra", Map.of("aggregate-to-view", "true"), rule("get", "widgets"), rule("get", "pods")),
                role("aa-base", Map.of("aggregate-to-view", "true"), rule("get", "pods"), rule("list", "pods")),
                role("unrelated", Map.of("other", "true"), rule("delete", "nodes")));

        Result result = controller.reconcile("view");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(recording.summaries()).containsExactly("update ClusterRole view");
        ClusterRole written = (ClusterRole) recording.actions().getFirst().object();
        assertThat(written.rules).extracting(r -> r.verbs.getFirst() + " " + r.resources.getFirst())
                .containsExactly("get pods", "list pods", "get widgets");
    }

    @Test
    void rulesAlreadyAggregatedAreNotWrittenAgain() {
        preload(informers.informer(ClusterRole.class),
                aggregated("view", rule("get", "pods")),
                role("aa-base", Map.of("aggregate-to-view", "true"), rule("get", "pods")));

        controller.reconcile("view");

        assertThat(recording.summaries()).isEmpty();
    }

    @Test
    void rulesOfARoleThatNoLongerMatchesAreRemoved() {
        preload(informers.informer(ClusterRole.class), aggregated("view", rule("get", "pods"), rule("get", "secrets")),
                role("aa-base", Map.of("aggregate-to-view", "true"), rule("get", "pods")));

        controller.reconcile("view");

        ClusterRole written = (ClusterRole) recording.actions().getFirst().object();
        assertThat(written.rules).extracting(r -> r.resources.getFirst()).containsExactly("pods");
    }

    @Test
    void aRoleWithoutAggregationRuleOrAMissingRoleIsLeftAlone() {
        preload(informers.informer(ClusterRole.class), role("plain", Map.of("aggregate-to-view", "true"), rule("get", "pods")));

        controller.reconcile("plain");
        controller.reconcile("gone");

        assertThat(recording.summaries()).isEmpty();
    }

    @Test
    void anAggregatedRoleMatchingItselfIgnoresItsOwnRules() {
        ClusterRole self = aggregated("view", rule("get", "secrets"));
        self.metadata.labels.put("aggregate-to-view", "true");
        preload(informers.informer(ClusterRole.class), self, role("aa-base", Map.of("aggregate-to-view", "true"), rule("get", "pods")));

        controller.reconcile("view");

        ClusterRole written = (ClusterRole) recording.actions().getFirst().object();
        assertThat(written.rules).extracting(r -> r.resources.getFirst()).containsExactly("pods");
    }
}
