package io.kube4j.kubelet.node;

import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Taint;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.testing.MutableClock;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeStatusReporterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RecordingApiClient api = new RecordingApiClient();
    private final FakeRuntime runtime = new FakeRuntime(clock, Duration.ZERO, null);
    private final NodeDescription description = new NodeDescription("node-1", "192.0.2.10", "node-1", 10250,
            Map.of("kubernetes.io/hostname", "node-1", "tier", "edge"), List.of(new Taint("dedicated", "edge", "NoSchedule")),
            Map.of("cpu", Quantity.parse("4"), "memory", Quantity.parse("8Gi"), "pods", Quantity.parse("110")));
    private final NodeStatusReporter reporter = new NodeStatusReporter(api, description, runtime, clock, Duration.ofSeconds(40));

    @Test
    void registersTheNodeWithLabelsTaintsCapacityAddressesAndPort() {
        reporter.register();

        Node node = api.stored(Node.class, null, "node-1");
        assertThat(node.metadata.labels).containsEntry("tier", "edge").containsEntry("kubernetes.io/hostname", "node-1");
        assertThat(node.spec.taints).extracting(Taint::toString).containsExactly("dedicated=edge:NoSchedule");
        assertThat(node.status.capacity.get("cpu")).isEqualTo(Quantity.parse("4"));
        assertThat(node.status.allocatable.get("pods")).isEqualTo(Quantity.parse("110"));
        assertThat(node.status.address("InternalIP")).isEqualTo("192.0.2.10");
        assertThat(node.status.address("Hostname")).isEqualTo("node-1");
        assertThat(node.status.daemonEndpoints.kubeletEndpoint.port).isEqualTo(10250);
        assertThat(node.status.nodeInfo.containerRuntimeVersion).isEqualTo("fake://0.1.0");
        // the server's version, as kubectl get nodes shows it next to kubectl version's Server Version
        assertThat(node.status.nodeInfo.kubeletVersion).isEqualTo("v1.32.4");
        assertThat(node.status.nodeInfo.kubeProxyVersion).isEqualTo("v1.32.4");
        Node.NodeCondition ready = node.status.condition("Ready");
        assertThat(ready.status).isEqualTo("True");
        assertThat(ready.reason).isEqualTo("KubeletReady");
        assertThat(reporter.nodeUid()).isEqualTo(node.metadata.uid);
    }

    @Test
    void reRegisteringKeepsTaintsAndLabelsOthersAdded() {
        reporter.register();
        Node node = api.stored(Node.class, null, "node-1");
        node.metadata.labels.put("added-by", "admin");
        node.spec.taints.add(new Taint("node.kubernetes.io/unreachable", null, "NoExecute"));
        api.put(node);

        reporter.register();

        Node after = api.stored(Node.class, null, "node-1");
        assertThat(after.metadata.labels).containsEntry("added-by", "admin").containsEntry("tier", "edge");
        assertThat(after.spec.taints).hasSize(2);
    }

    @Test
    void reRegisteringRestoresOnlyTheDefaultLabelsNeverTaintsOrNodeLabels() {
        reporter.register();
        Node node = api.stored(Node.class, null, "node-1");
        // an admin removed the registration taint and a --node-labels label, and changed the hostname label
        node.spec.taints.clear();
        node.metadata.labels.remove("tier");
        node.metadata.labels.put("kubernetes.io/hostname", "renamed");
        api.put(node);

        reporter.register();

        Node after = api.stored(Node.class, null, "node-1");
        assertThat(after.spec.taints).isEmpty();
        assertThat(after.metadata.labels).doesNotContainKey("tier").containsEntry("kubernetes.io/hostname", "node-1");
    }

    @Test
    void unchangedStatusIsWrittenOnlyOnceTheReportIntervalPassed() {
        reporter.register();
        api.clear();

        clock.advance(Duration.ofSeconds(10));
        assertThat(reporter.sync()).isFalse();
        clock.advance(Duration.ofSeconds(20));
        assertThat(reporter.sync()).isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(reporter.sync()).isTrue();

        Node node = api.stored(Node.class, null, "node-1");
        assertThat(node.status.condition("Ready").lastHeartbeatTime).isEqualTo("2026-01-01T00:00:40Z");
        assertThat(node.status.condition("Ready").lastTransitionTime).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(api.actions("patchStatus", "Node")).hasSize(1);
        assertThat(api.actions("updateStatus", "Node")).isEmpty();
        // only the heartbeats moved: PatchNodeStatus' patch carries them and the element order, nothing else
        String patch = (String) api.actions("patchStatus", "Node").get(0).body();
        assertThat(patch).isEqualTo("{\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"MemoryPressure\"},{\"type\":\"DiskPressure\"},"
                + "{\"type\":\"PIDPressure\"},{\"type\":\"Ready\"}],\"conditions\":["
                + "{\"lastHeartbeatTime\":\"2026-01-01T00:00:40Z\",\"type\":\"MemoryPressure\"},{\"lastHeartbeatTime\":\"2026-01-01T00:00:40Z\",\"type\":\"DiskPressure\"},"
                + "{\"lastHeartbeatTime\":\"2026-01-01T00:00:40Z\",\"type\":\"PIDPressure\"},{\"lastHeartbeatTime\":\"2026-01-01T00:00:40Z\",\"type\":\"Ready\"}]}}");
    }

    @Test
    void runtimeGoingDownMakesTheNodeNotReadyAtOnce() {
        reporter.register();
        clock.advance(Duration.ofSeconds(10));

        runtime.setDown(true);

        assertThat(reporter.sync()).isTrue();
        Node.NodeCondition ready = api.stored(Node.class, null, "node-1").status.condition("Ready");
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo("KubeletNotReady");
        assertThat(ready.message).contains("container runtime is down").contains("fake runtime is down");
        assertThat(ready.lastTransitionTime).isEqualTo("2026-01-01T00:00:10Z");
    }

    /** PatchNodeStatus leaves what others own in the status: their conditions and fields; no resourceVersion, so no 409. */
    @Test
    void theStatusPatchKeepsOthersConditionsAndFieldsAndCannotConflict() {
        reporter.register();
        Node node = api.stored(Node.class, null, "node-1");
        Node.NodeCondition network = new Node.NodeCondition();
        network.type = "NetworkUnavailable";
        network.status = "False";
        network.reason = "RouteCreated";
        node.status.conditions.add(network);
        node.spec.taints.add(new Taint("node.kubernetes.io/not-ready", null, "NoSchedule"));
        api.put(node);
        clock.advance(Duration.ofSeconds(10));
        runtime.setDown(true);

        assertThat(reporter.sync()).isTrue();

        Node after = api.stored(Node.class, null, "node-1");
        assertThat(after.status.condition("NetworkUnavailable").reason).isEqualTo("RouteCreated");
        assertThat(after.status.condition("Ready").status).isEqualTo("False");
        assertThat(after.spec.taints).hasSize(2);
        String patch = (String) api.actions("patchStatus", "Node").getLast().body();
        assertThat(patch).doesNotContain("resourceVersion").doesNotContain("\"$patch\":\"delete\"");
        assertThat(io.kube4j.json.Json.tree(patch).path("status").path("$setElementOrder/conditions").toString()).contains("NetworkUnavailable");
    }

    @Test
    void anotherWritersConditionIsNoChangeOfTheKubelets() {
        reporter.register();
        Node node = api.stored(Node.class, null, "node-1");
        Node.NodeCondition network = new Node.NodeCondition();
        network.type = "NetworkUnavailable";
        network.status = "False";
        node.status.conditions.add(network);
        api.put(node);
        api.clear();

        clock.advance(Duration.ofSeconds(10));
        assertThat(reporter.sync()).isFalse();
        assertThat(api.actions("patchStatus", "Node")).isEmpty();
    }

    @Test
    void changedAddressesAreReplacedWhole() {
        Node.NodeStatus before = new Node.NodeStatus();
        before.addresses.add(new Node.NodeAddress("InternalIP", "192.0.2.10"));
        before.addresses.add(new Node.NodeAddress("Hostname", "node-1"));
        Node.NodeStatus after = new Node.NodeStatus();
        after.addresses.add(new Node.NodeAddress("InternalIP", "192.0.2.11"));
        after.addresses.add(new Node.NodeAddress("Hostname", "node-1"));
        assertThat(NodeStatusReporter.statusPatch(before, after).path("addresses").toString()).isEqualTo(
                "[{\"$patch\":\"replace\"},{\"type\":\"InternalIP\",\"address\":\"192.0.2.11\"},{\"type\":\"Hostname\",\"address\":\"node-1\"}]");
    }

    @Test
    void deletedNodeIsRegisteredAgain() {
        reporter.register();
        api.delete(Node.class, null, "node-1", null);

        reporter.sync();

        assertThat(api.stored(Node.class, null, "node-1")).isNotNull();
    }

    @Test
    void leaseIsCreatedOwnedByTheNodeThenRenewed() {
        Node node = reporter.register();
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(api, "node-1");

        Lease first = heartbeat.renew(node.metadata.uid);
        Lease second = heartbeat.renew(node.metadata.uid);

        assertThat(first.metadata.namespace).isEqualTo("kube-node-lease");
        assertThat(first.spec.holderIdentity).isEqualTo("node-1");
        assertThat(first.spec.leaseDurationSeconds).isEqualTo(40);
        assertThat(first.metadata.ownerReferences).singleElement().satisfies(o -> {
            assertThat(o.kind).isEqualTo("Node");
            assertThat(o.uid).isEqualTo(node.metadata.uid);
        });
        assertThat(api.actions("create", "Lease")).hasSize(1);
        assertThat(api.actions("update", "Lease")).hasSize(1);
        assertThat(Long.parseLong(second.metadata.resourceVersion)).isGreaterThan(Long.parseLong(first.metadata.resourceVersion));
    }

    @Test
    void leaseChangedBySomeoneElseIsReadAgainAndRenewed() {
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(api, "node-1");
        Lease lease = heartbeat.renew(null);
        lease.spec.holderIdentity = "intruder";
        api.put(lease);

        Lease renewed = heartbeat.renew(null);

        assertThat(renewed.spec.holderIdentity).isEqualTo("node-1");
    }

    /**
     * kubelet_network.go updatePodCIDR, from tryUpdateNodeStatus: once the Node has spec.podCIDR the runtime is told
     * (CRI UpdateRuntimeConfig), the podCIDRs comma-joined; not again while it is unchanged; again when it changes.
     */
    @Test
    void tellsTheRuntimeThePodCidrWhenSetAndWhenItChanges() {
        reporter.register();
        assertThat(runtime.calls()).noneMatch(c -> c.startsWith("updatePodCidr"));

        Node node = api.stored(Node.class, null, "node-1");
        node.spec.podCIDR = "10.244.1.0/24";
        node.spec.podCIDRs.add("10.244.1.0/24");
        node.spec.podCIDRs.add("fd00:10:244:1::/64");
        api.put(node);
        reporter.sync();
        reporter.sync();
        assertThat(runtime.calls()).filteredOn(c -> c.startsWith("updatePodCidr")).containsExactly("updatePodCidr 10.244.1.0/24,fd00:10:244:1::/64");

        node = api.stored(Node.class, null, "node-1");
        node.spec.podCIDR = "10.244.7.0/24";
        node.spec.podCIDRs.clear();
        node.spec.podCIDRs.add("10.244.7.0/24");
        api.put(node);
        reporter.sync();
        assertThat(runtime.calls()).filteredOn(c -> c.startsWith("updatePodCidr"))
                .containsExactly("updatePodCidr 10.244.1.0/24,fd00:10:244:1::/64", "updatePodCidr 10.244.7.0/24");
    }

    /** A runtime that refuses the CIDR is asked again at the next sync (updatePodCIDR keeps the old one on error). */
    @Test
    void aRefusedPodCidrIsRetried() {
        reporter.register();
        Node node = api.stored(Node.class, null, "node-1");
        node.spec.podCIDR = "10.244.1.0/24";
        api.put(node);
        runtime.setDown(true);
        reporter.updatePodCidr(node);
        runtime.setDown(false);
        reporter.sync();
        assertThat(runtime.calls()).filteredOn(c -> c.startsWith("updatePodCidr")).containsExactly("updatePodCidr 10.244.1.0/24");
    }
}
