package io.kube4j.scheduler.queue;

import io.kube4j.api.Pod;
import io.kube4j.scheduler.framework.NominatingInfo;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' nominator semantics (pkg/scheduler/backend/queue/nominator.go). */
class NominatorTest {
    private final Map<String, Pod> informer = new HashMap<>();
    private final Nominator nominator = new Nominator(informer::get);

    private Pod known(Pod p) {
        informer.put(p.key(), p);
        return p;
    }

    @Test
    void aPodIsNominatedFromItsStatusOrByOverride() {
        Pod a = known(pod("a").nominatedNodeName("n1").build());
        nominator.podAdded(a);
        assertThat(nominator.nominatedNodeFor("default/a")).isEqualTo("n1");
        assertThat(nominator.nominatedPodsForNode("n1")).extracting(p -> p.key()).containsExactly("default/a");

        Pod b = known(pod("b").build());
        nominator.podAdded(b);
        assertThat(nominator.nominatedNodeFor("default/b")).isNull();
        nominator.addNominatedPod(io.kube4j.scheduler.framework.PodInfo.of(b), NominatingInfo.override("n2"));
        assertThat(nominator.nominatedPodsForNode("n2")).extracting(p -> p.key()).containsExactly("default/b");
        // an empty override clears it
        nominator.addNominatedPod(io.kube4j.scheduler.framework.PodInfo.of(b), NominatingInfo.override(""));
        assertThat(nominator.nominatedPodsForNode("n2")).isEmpty();
    }

    @Test
    void theSchedulersOwnNominationSurvivesAnUpdateWrittenBeforeIt() {
        Pod old = known(pod("p").build());
        nominator.addNominatedPod(io.kube4j.scheduler.framework.PodInfo.of(old), NominatingInfo.override("n1"));
        // a label change written before the status patch: neither version carries the nomination
        Pod relabelled = known(pod("p").label("x", "y").build());
        nominator.podUpdated(old, relabelled);
        assertThat(nominator.nominatedNodeFor("default/p")).isEqualTo("n1");
        assertThat(nominator.nominatedPodsForNode("n1").getFirst().labels()).containsEntry("x", "y");
        // the status patch arrives, then someone clears it: the nomination goes
        Pod patched = known(pod("p").label("x", "y").nominatedNodeName("n1").build());
        nominator.podUpdated(relabelled, patched);
        Pod cleared = known(pod("p").label("x", "y").build());
        nominator.podUpdated(patched, cleared);
        assertThat(nominator.nominatedNodeFor("default/p")).isNull();
    }

    @Test
    void aPodTheInformerHasBoundOrLostIsNotNominated() {
        Pod bound = known(pod("bound").nodeName("n9").nominatedNodeName("n1").build());
        nominator.podAdded(bound);
        nominator.addNominatedPod(io.kube4j.scheduler.framework.PodInfo.of(pod("gone").build()), NominatingInfo.override("n1"));
        assertThat(nominator.nominatedPodsForNode("n1")).isEmpty();
    }

    @Test
    void theQueueKeepsTheNominatorCurrent() {
        SchedulingQueue queue = new SchedulingQueue(System::nanoTime, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(60), java.util.List.of(), (p, s) -> { }, nominator);
        Pod p = known(pod("p").nominatedNodeName("n1").build());
        queue.add(p);
        assertThat(queue.nominator().nominatedNodeFor("default/p")).isEqualTo("n1");
        Pod moved = known(pod("p").nominatedNodeName("n2").build());
        queue.update(p, moved);
        assertThat(nominator.nominatedPodsForNode("n1")).isEmpty();
        assertThat(nominator.nominatedNodeFor("default/p")).isEqualTo("n2");
        queue.delete("default/p");
        assertThat(nominator.nominatedNodeFor("default/p")).isNull();
    }
}
