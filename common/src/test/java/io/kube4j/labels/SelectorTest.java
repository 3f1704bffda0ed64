package io.kube4j.labels;

import io.kube4j.api.LabelSelector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelectorTest {

    @Test
    void parsesEqualityAndSetBasedRequirements() {
        Selector s = Selector.parse("a=b,c in (x,y),!d,e,f!=g,h notin (z)");
        assertThat(s.matches(Map.of("a", "b", "c", "y", "e", "1"))).isTrue();
        assertThat(s.matches(Map.of("a", "b", "c", "q", "e", "1"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "c", "x", "e", "1", "d", "1"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "c", "x"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "c", "x", "e", "", "f", "g"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "c", "x", "e", "", "h", "z"))).isFalse();
    }

    @Test
    void emptySelectsEverythingAndNullLabelSelectorNothing() {
        assertThat(Selector.parse("").matches(Map.of())).isTrue();
        assertThat(Selector.from(new LabelSelector()).matches(Map.of("x", "y"))).isTrue();
        assertThat(Selector.from(null).matches(Map.of("x", "y"))).isFalse();
    }

    @Test
    void buildsFromMatchLabelsAndExpressions() {
        LabelSelector ls = LabelSelector.of(Map.of("app", "web"));
        ls.matchExpressions.add(new LabelSelector.Requirement("tier", "In", List.of("fe", "be")));
        Selector s = Selector.from(ls);
        assertThat(s.matches(Map.of("app", "web", "tier", "fe"))).isTrue();
        assertThat(s.matches(Map.of("app", "web"))).isFalse();
        assertThat(s.toString()).isEqualTo("app=web,tier in (be,fe)");
        assertThat(Selector.parse(s.toString()).matches(Map.of("app", "web", "tier", "be"))).isTrue();
    }

    @Test
    void rejectsInvalidSyntaxNamingTheProblem() {
        assertThatThrownBy(() -> Selector.parse("a=b,,c")).hasMessageContaining("empty requirement");
        assertThatThrownBy(() -> Selector.parse("a b=c")).hasMessageContaining("invalid label key");
        assertThatThrownBy(() -> Selector.parse("a in ()")).hasMessageContaining("can't be empty");
    }

    @Test
    void gtAndLtNeedIntegersAndKeysHaveKubernetesLengthLimits() {
        assertThatThrownBy(() -> Selector.parse("a>")).hasMessage(
                "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer");
        assertThatThrownBy(() -> Selector.parse("a>1x")).hasMessage(
                "unable to parse requirement: values[0]: Invalid value: \"1x\": for 'Gt', 'Lt' operators, the value must be an integer");
        assertThat(Selector.parse("a>1").matches(Map.of("a", "2"))).isTrue();
        String key = "a".repeat(300);
        assertThatThrownBy(() -> Selector.parse(key)).hasMessage(
                "unable to parse requirement: key: Invalid value: \"" + key + "\": name part must be no more than 63 characters");
        assertThat(Selector.parse("example.com/" + "a".repeat(63)).requirements()).hasSize(1);
    }

    @Test
    void fieldSelectorMatchesEqualityAndInequality() {
        FieldSelector f = FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed");
        assertThat(f.matches(Map.of("spec.nodeName", "n1", "status.phase", "Running"))).isTrue();
        assertThat(f.matches(Map.of("spec.nodeName", "n1", "status.phase", "Failed"))).isFalse();
        assertThat(FieldSelector.parse("spec.nodeName=").matches(Map.of())).isTrue();
        assertThatThrownBy(() -> FieldSelector.parse("nonsense")).hasMessageContaining("can't understand");
    }
}
