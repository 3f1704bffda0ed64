package io.kube4j.kubelet.pod;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodStatus;
import io.kube4j.json.Json;
import io.kube4j.kubelet.testing.RecordingApiClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kubelet's status writes: Kubernetes' statusutil.PatchPodStatus patch bytes (pkg/util/pod/pod_test.go
 * TestPatchPodStatus cases), isPodStatusByKubeletEqual (status_manager.go), and what reaches a recording client.
 */
class StatusManagerTest {

    /** pod_test.go getPodStatus: Running, Ready and PodScheduled True, two ready containers, a message. */
    static PodStatus podStatus() {
        PodStatus s = new PodStatus();
        s.phase = "Running";
        s.conditions.add(new PodCondition("Ready", "True", null, null, null));
        s.conditions.add(new PodCondition("PodScheduled", "True", null, null, null));
        for (String name : new String[]{"container1", "container2"}) {
            ContainerStatus c = new ContainerStatus();
            c.name = name;
            c.ready = true;
            s.containerStatuses.add(c);
        }
        s.message = "Message";
        return s;
    }

    static String patchBytes(PodStatus from, PodStatus to) {
        return Json.write(StatusManager.patch("myuid", Json.toTree(from), Json.toTree(to)));
    }

    @Test
    void noChangeIsOnlyTheUid() {
        assertThat(patchBytes(podStatus(), podStatus())).isEqualTo("{\"metadata\":{\"uid\":\"myuid\"}}");
    }

    @Test
    void aMessageChangeIsPatchedWithTheUidAsPrecondition() {
        PodStatus changed = podStatus();
        changed.message = "random message";
        assertThat(patchBytes(podStatus(), changed)).isEqualTo("{\"metadata\":{\"uid\":\"myuid\"},\"status\":{\"message\":\"random message\"}}");
    }

    @Test
    void aConditionChangeCarriesSetElementOrderAndOnlyTheChangedFields() {
        PodStatus changed = podStatus();
        changed.conditions.get(0).status = "False";
        assertThat(patchBytes(podStatus(), changed)).isEqualTo(
                "{\"metadata\":{\"uid\":\"myuid\"},\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"Ready\"},{\"type\":\"PodScheduled\"}],"
                        + "\"conditions\":[{\"status\":\"False\",\"type\":\"Ready\"}]}}");
    }

    @Test
    void aConditionGoneIsDeletedButOnlyIfTheKubeletOwnsIt() {
        PodStatus before = podStatus();
        before.conditions.add(new PodCondition("Initialized", "True", null, null, null));
        before.conditions.add(new PodCondition("example.com/gate", "True", null, null, null));
        PodStatus after = podStatus();
        assertThat(patchBytes(before, after)).isEqualTo(
                "{\"metadata\":{\"uid\":\"myuid\"},\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"Ready\"},{\"type\":\"PodScheduled\"}],"
                        + "\"conditions\":[{\"$patch\":\"delete\",\"type\":\"Initialized\"}]}}");
    }

    @Test
    void containerStatusesAreAtomicAndReplacedWhole() {
        PodStatus changed = podStatus();
        changed.containerStatuses.get(1).restartCount = 1;
        String patch = patchBytes(podStatus(), changed);
        assertThat(Json.tree(patch).path("status").path("containerStatuses")).hasSize(2);
        assertThat(Json.tree(patch).path("status").path("containerStatuses").get(1).path("restartCount").asInt()).isEqualTo(1);
        assertThat(Json.tree(patch).path("status").has("$setElementOrder/containerStatuses")).isFalse();
    }

    @Test
    void onlyTimestampsOfTheKubeletsConditionsChangedIsEqual() {
        PodStatus before = podStatus();
        before.conditions.get(0).lastTransitionTime = "2026-11-30T10:00:00Z";
        PodStatus after = podStatus();
        after.conditions.get(0).lastTransitionTime = "2026-11-30T10:05:00Z";
        after.conditions.get(0).lastProbeTime = "2026-11-30T10:05:00Z";
        assertThat(StatusManager.isPodStatusByKubeletEqual(Json.toTree(before), Json.toTree(after))).isTrue();

        after.conditions.get(0).reason = "ContainersNotReady";
        assertThat(StatusManager.isPodStatusByKubeletEqual(Json.toTree(before), Json.toTree(after))).isFalse();
        PodStatus phase = podStatus();
        phase.phase = "Succeeded";
        assertThat(StatusManager.isPodStatusByKubeletEqual(Json.toTree(podStatus()), Json.toTree(phase))).isFalse();
        // a condition of another writer is not the kubelet's to compare
        PodStatus gated = podStatus();
        gated.conditions.add(new PodCondition("example.com/gate", "False", null, null, null));
        assertThat(StatusManager.isPodStatusByKubeletEqual(Json.toTree(podStatus()), Json.toTree(gated))).isTrue();
    }

    static Pod pod(String uid) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = uid;
        p.status = new PodStatus();
        return p;
    }

    @Test
    void aStatusIsWrittenOnceAndNotAgainWhileOnlyTimesMove() {
        RecordingApiClient client = new RecordingApiClient();
        Pod pod = client.put(pod("uid-1"));
        StatusManager m = new StatusManager(client);

        assertThat(m.set(pod, podStatus())).isTrue();
        assertThat(m.syncBatch()).isEqualTo(1);
        PodStatus again = podStatus();
        again.conditions.get(0).lastProbeTime = "2026-11-30T10:05:00Z";
        assertThat(m.set(pod, again)).isFalse();
        assertThat(m.set(pod, podStatus())).isFalse();
        assertThat(m.syncBatch()).isZero();
        PodStatus changed = podStatus();
        changed.conditions.get(0).status = "False";
        assertThat(m.set(pod, changed)).isTrue();
        assertThat(m.syncBatch()).isEqualTo(1);

        assertThat(client.actions("patchStatus", "Pod")).hasSize(2);
        assertThat(client.actions("updateStatus", "Pod")).isEmpty();
        assertThat(m.writes()).isEqualTo(2);
        String second = (String) client.actions("patchStatus", "Pod").get(1).body();
        assertThat(second).isEqualTo("{\"metadata\":{\"uid\":\"uid-1\"},\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"Ready\"},{\"type\":\"PodScheduled\"}],"
                + "\"conditions\":[{\"status\":\"False\",\"type\":\"Ready\"}]}}");
        assertThat(second).doesNotContain("resourceVersion");
        // the merged result on the "server" keeps what the patch left out
        Pod stored = client.stored(Pod.class, "default", "web");
        assertThat(stored.status.conditions).extracting(c -> c.type + "=" + c.status).containsExactly("Ready=False", "PodScheduled=True");
        assertThat(stored.status.containerStatuses).hasSize(2);
    }

    @Test
    void aRecreatedPodOfTheSameNameIsNotPatched() {
        RecordingApiClient client = new RecordingApiClient();
        client.put(pod("uid-new"));
        StatusManager m = new StatusManager(client);

        assertThat(m.set(pod("uid-old"), podStatus())).isTrue();
        assertThat(m.syncBatch()).isZero();
        // not tried again: the pod of that uid is gone for good
        assertThat(m.syncBatch()).isZero();

        assertThat(client.actions("patchStatus", "Pod")).hasSize(1);
        assertThat((String) client.actions("patchStatus", "Pod").get(0).body()).contains("\"metadata\":{\"uid\":\"uid-old\"}");
        assertThat(client.stored(Pod.class, "default", "web").status.phase).isNull();
        assertThat(m.writes()).isZero();
    }

    @Test
    void setOnlyCachesAndTheWriterWritesTheLatestOfSeveralChangesOnce() {
        RecordingApiClient client = new RecordingApiClient();
        Pod pod = client.put(pod("uid-1"));
        StatusManager m = new StatusManager(client);

        PodStatus pending = podStatus();
        pending.phase = "Pending";
        assertThat(m.set(pod, pending)).isTrue();
        assertThat(m.set(pod, podStatus())).isTrue();
        // nothing reached the apiserver yet: set never waits for a PATCH (Kubernetes' SetPodStatus)
        assertThat(client.actions("patchStatus", "Pod")).isEmpty();
        assertThat(m.status("uid-1").phase).isEqualTo("Running");
        assertThat(m.written("uid-1")).isNull();

        assertThat(m.syncBatch()).isEqualTo(1);
        assertThat(client.actions("patchStatus", "Pod")).hasSize(1);
        assertThat(client.stored(Pod.class, "default", "web").status.phase).isEqualTo("Running");
        assertThat(m.written("uid-1").phase).isEqualTo("Running");
    }

    @Test
    void aFailedWriteIsRetriedByTheNextBatch() {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(1);
        RecordingApiClient client = new RecordingApiClient() {
            @Override
            public <T extends io.kube4j.api.KubeObject> T patchStatus(Class<T> type, String namespace, String name, String contentType, String body) {
                if (failures.getAndDecrement() > 0) {
                    throw new io.kube4j.client.ApiException(503, io.kube4j.api.Status.failure(503, "ServiceUnavailable", "etcd did not answer"),
                            "503 ServiceUnavailable", null);
                }
                return super.patchStatus(type, namespace, name, contentType, body);
            }
        };
        Pod pod = client.put(pod("uid-1"));
        StatusManager m = new StatusManager(client);

        m.set(pod, podStatus());
        assertThat(m.syncBatch()).isZero();
        assertThat(client.stored(Pod.class, "default", "web").status.phase).isNull();
        assertThat(m.syncBatch()).isEqualTo(1);
        assertThat(client.stored(Pod.class, "default", "web").status.phase).isEqualTo("Running");
        assertThat(m.writes()).isEqualTo(1);
    }

    @Test
    void theStartedWriterWritesWithoutBeingAskedAndFlushWritesAtOnce() {
        RecordingApiClient client = new RecordingApiClient();
        Pod pod = client.put(pod("uid-1"));
        StatusManager m = new StatusManager(client).start("node-1");
        try {
            m.set(pod, podStatus());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> "Running".equals(client.stored(Pod.class, "default", "web").status.phase));
        } finally {
            m.stop();
        }
        StatusManager stopped = new StatusManager(client);
        PodStatus done = podStatus();
        done.phase = "Succeeded";
        stopped.set(client.stored(Pod.class, "default", "web"), done);
        assertThat(stopped.flush("uid-1")).isTrue();
        assertThat(client.stored(Pod.class, "default", "web").status.phase).isEqualTo("Succeeded");
        assertThat(stopped.flush("uid-1")).isFalse();
    }
}
