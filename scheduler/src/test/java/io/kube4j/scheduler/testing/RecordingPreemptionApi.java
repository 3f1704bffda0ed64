package io.kube4j.scheduler.testing;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiException;
import io.kube4j.scheduler.plugins.defaultpreemption.PreemptionApi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records preemption's apiserver calls as {@code preempt <victim> on <node> for <preemptor>} and {@code clear <pod>}. */
public final class RecordingPreemptionApi implements PreemptionApi {
    private final List<String> actions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, ApiException> failures = new HashMap<>();

    /** The next call about {@code victimKey} throws {@code e}. */
    public RecordingPreemptionApi failOn(String victimKey, ApiException e) {
        failures.put(victimKey, e);
        return this;
    }

    @Override
    public void preemptPod(Pod preemptor, Pod victim, String nodeName) {
        ApiException e = failures.remove(victim.key());
        if (e != null) {
            throw e;
        }
        actions.add("preempt " + victim.key() + " on " + nodeName + " for " + preemptor.key());
    }

    @Override
    public void clearNominatedNodeName(Pod pod) {
        actions.add("clear " + pod.key());
    }

    /** The recorded calls, sorted (victims are preempted in parallel). */
    public List<String> actions() {
        synchronized (actions) {
            return actions.stream().sorted().toList();
        }
    }
}
