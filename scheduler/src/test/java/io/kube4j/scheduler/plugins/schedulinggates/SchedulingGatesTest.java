package io.kube4j.scheduler.plugins.schedulinggates;

import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class SchedulingGatesTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("no gates: enqueued", pod("p"), Status.Code.SUCCESS, List.of()),
                argumentSet("one gate: gated, with its name", pod("p").gate("example.com/quota"),
                        Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of("waiting for scheduling gates: [example.com/quota]")),
                argumentSet("two gates: both named, in order, as Go's %v of a []string", pod("p").gate("foo").gate("bar"),
                        Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of("waiting for scheduling gates: [foo bar]")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rejectsPodsWithSchedulingGates(PodBuilder pod, Status.Code expected, List<String> reasons) {
        Status s = new SchedulingGates().preEnqueue(pod.build());

        assertThat(s.code()).isEqualTo(expected);
        assertThat(s.reasons()).containsExactlyElementsOf(reasons);
        if (!s.isSuccess()) {
            assertThat(s.plugin()).isEqualTo("SchedulingGates");
        }
    }
}
