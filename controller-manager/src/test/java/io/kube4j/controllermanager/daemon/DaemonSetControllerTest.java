package io.kube4j.controllermanager.daemon;

import io.kube4j.api.Affinity;
import io.kube4j.api.ControllerRevision;
import io.kube4j.api.DaemonSet;
import io.kube4j.api.IntOrString;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Node;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.controllermanager.history.ControllerHistory;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.InFlight;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.created;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.controllermanager.testing.Fixtures.template;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** DaemonSet reconciles over preloaded caches, compared with the actions Kubernetes' controller would take. */
class DaemonSetControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "agent");
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    static final String KEY = NS + "/agent";

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final DaemonSetController controller = new DaemonSetController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    static DaemonSet daemonSet(String image) {
        DaemonSet ds = new DaemonSet();
        ds.metadata.namespace = NS;
        ds.metadata.name = "agent";
        ds.metadata.uid = "uid-agent";
        ds.metadata.resourceVersion = "7";
        ds.metadata.generation = 1L;
        ds.spec.selector = LabelSelector.of(LABELS);
        ds.spec.template = template(LABELS, image);
        return ds;
    }

    static Node node(String name, Map<String, String> labels, Taint... taints) {
        Node n = new Node();
        n.metadata.name = name;
        n.metadata.uid = "uid-" + name;
        n.metadata.resourceVersion = "3";
        n.metadata.labels.putAll(labels);
        n.spec.taints.addAll(List.of(taints));
        return n;
    }

    static String hash(DaemonSet ds) {
        return ControllerHistory.computeHash(ds.spec.template, ds.status.collisionCount);
    }

    /** The ControllerRevision the controller keeps for the DaemonSet's current template. */
    static ControllerRevision revision(DaemonSet ds, long number) {
        ControllerRevision r = new ControllerRevision();
        r.metadata.namespace = NS;
        r.metadata.name = ds.metadata.name + "-" + hash(ds);
        r.metadata.uid = "uid-" + r.metadata.name;
        r.metadata.resourceVersion = "2";
        r.metadata.labels.putAll(ds.spec.template.metadata.labels);
        r.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, hash(ds));
        r.metadata.ownerReferences.add(OwnerReference.controllerOf(ds));
        r.data = ControllerHistory.templatePatch(ds);
        r.revision = number;
        return r;
    }

    /** A daemon pod of {@code ds} at {@code hash} on {@code node}, Ready since {@code readySince}. */
    static Pod daemonPod(String name, DaemonSet ds, String hash, String node, Instant readySince) {
        Pod p = ready(pod(name, LABELS, ds), node, readySince);
        p.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, hash);
        return p;
    }

    void given(DaemonSet ds, List<Node> nodes, Pod... pods) {
        preload(informers.informer(DaemonSet.class), ds);
        nodes.forEach(n -> preload(informers.informer(Node.class), n));
        preload(informers.informer(Pod.class), pods);
    }

    static DaemonSet.DaemonSetStatus lastStatus(RecordingClient client) {
        List<Action> writes = client.actions("updateStatus", "DaemonSet");
        return ((DaemonSet) writes.getLast().object()).status;
    }

    static Taint taint(String key, String value, String effect) {
        return new Taint(key, value, effect);
    }

    static String nodeAffinityTarget(Pod p) {
        Affinity.NodeSelectorTerm term = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.getFirst();
        Affinity.NodeSelectorRequirement r = term.matchFields.getFirst();
        return r.key + " " + r.operator + " " + r.values;
    }

    @Test
    void createsOnePodPerEligibleNodeNotOnATaintedOnePinnedByNodeAffinityWithTheDaemonTolerations() {
        DaemonSet ds = daemonSet("agent:1");
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of()), node("n3", Map.of(), taint("dedicated", "infra", "NoSchedule"))));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        String hash = hash(ds);
        assertThat(client.summaries()).containsExactly(
                "create ControllerRevision default/agent-" + hash,
                "create Pod default/agent-00001",
                "create Pod default/agent-00002",
                "updateStatus DaemonSet default/agent");
        List<Pod> created = client.actions("create", "Pod").stream().map(a -> (Pod) a.object()).toList();
        assertThat(created).extracting(DaemonSetControllerTest::nodeAffinityTarget)
                .containsExactly("metadata.name In [n1]", "metadata.name In [n2]");
        assertThat(created).allSatisfy(p -> {
            // the default scheduler binds it: no nodeName of our own (as Kubernetes since 1.12)
            assertThat(p.spec.nodeName).isNull();
            assertThat(p.metadata.generateName).isEqualTo("agent-");
            assertThat(p.metadata.labels).containsEntry("app", "agent").containsEntry("controller-revision-hash", hash);
            assertThat(p.metadata.controllerRef().kind).isEqualTo("DaemonSet");
            assertThat(p.spec.tolerations).extracting(t -> t.key + ":" + t.operator + ":" + t.effect + ":" + t.tolerationSeconds).containsExactly(
                    "node.kubernetes.io/not-ready:Exists:NoExecute:null",
                    "node.kubernetes.io/unreachable:Exists:NoExecute:null",
                    "node.kubernetes.io/disk-pressure:Exists:NoSchedule:null",
                    "node.kubernetes.io/memory-pressure:Exists:NoSchedule:null",
                    "node.kubernetes.io/pid-pressure:Exists:NoSchedule:null",
                    "node.kubernetes.io/unschedulable:Exists:NoSchedule:null");
        });
        assertThat(client.eventReasons()).containsExactly("SuccessfulCreate", "SuccessfulCreate");
        assertThat(controller.pendingCreations(KEY)).isEqualTo(2);
        DaemonSet.DaemonSetStatus s = lastStatus(client);
        assertThat(s.desiredNumberScheduled).isEqualTo(2);
        assertThat(s.currentNumberScheduled).isZero();
        assertThat(s.numberUnavailable).isEqualTo(2);
        assertThat(s.observedGeneration).isEqualTo(1L);
    }

    @Test
    void theFirstRevisionStoresTheTemplateAsAReplacePatch() {
        DaemonSet ds = daemonSet("agent:1");
        given(ds, List.of());

        controller.reconcile(KEY);

        ControllerRevision r = (ControllerRevision) client.actions("create", "ControllerRevision").getFirst().object();
        assertThat(r.revision).isEqualTo(1);
        assertThat(r.metadata.labels).containsEntry("controller-revision-hash", hash(ds)).containsEntry("app", "agent");
        assertThat(r.metadata.controllerRef().uid).isEqualTo("uid-agent");
        assertThat(Json.write(r.data)).isEqualTo(
                "{\"spec\":{\"template\":{\"$patch\":\"replace\",\"metadata\":{\"labels\":{\"app\":\"agent\"}},"
                        + "\"spec\":{\"containers\":[{\"image\":\"agent:1\",\"name\":\"app\"}]}}}}");
    }

    @Test
    void hostNetworkPodsAlsoTolerateNetworkUnavailableAndAnExplicitTolerationIsReplaced() {
        DaemonSet ds = daemonSet("agent:1");
        ds.spec.template.spec.hostNetwork = true;
        Toleration own = new Toleration();
        own.key = "node.kubernetes.io/not-ready";
        own.operator = "Exists";
        own.effect = "NoExecute";
        own.tolerationSeconds = 60L;
        ds.spec.template.spec.tolerations.add(own);
        given(ds, List.of(node("n1", Map.of())));

        controller.reconcile(KEY);

        Pod p = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(p.spec.tolerations).extracting(t -> t.key + ":" + t.tolerationSeconds).containsExactly(
                "node.kubernetes.io/not-ready:null",
                "node.kubernetes.io/unreachable:null",
                "node.kubernetes.io/disk-pressure:null",
                "node.kubernetes.io/memory-pressure:null",
                "node.kubernetes.io/pid-pressure:null",
                "node.kubernetes.io/unschedulable:null",
                "node.kubernetes.io/network-unavailable:null");
    }

    @Test
    void nodeSelectorRequiredNodeAffinityAndTolerationsChooseTheNodes() {
        DaemonSet ds = daemonSet("agent:1");
        ds.spec.template.spec.nodeSelector.put("disk", "ssd");
        Affinity.NodeSelectorRequirement zone = new Affinity.NodeSelectorRequirement();
        zone.key = "zone";
        zone.operator = "NotIn";
        zone.values.add("b");
        Affinity.NodeSelectorTerm term = new Affinity.NodeSelectorTerm();
        term.matchExpressions.add(zone);
        ds.spec.template.spec.affinity = new Affinity();
        ds.spec.template.spec.affinity.nodeAffinity = new Affinity.NodeAffinity();
        ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = new Affinity.NodeSelector();
        ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.add(term);
        Toleration infra = new Toleration();
        infra.key = "dedicated";
        infra.operator = "Equal";
        infra.value = "infra";
        infra.effect = "NoSchedule";
        ds.spec.template.spec.tolerations.add(infra);
        given(ds, List.of(
                node("ssd-a", Map.of("disk", "ssd", "zone", "a")),
                node("ssd-b", Map.of("disk", "ssd", "zone", "b")),
                node("hdd-a", Map.of("disk", "hdd", "zone", "a")),
                node("ssd-infra", Map.of("disk", "ssd"), taint("dedicated", "infra", "NoSchedule")),
                node("ssd-gpu", Map.of("disk", "ssd"), taint("gpu", "true", "NoExecute"))));

        controller.reconcile(KEY);

        assertThat(client.actions("create", "Pod")).extracting(a -> nodeAffinityTarget((Pod) a.object()))
                .containsExactly("metadata.name In [ssd-a]", "metadata.name In [ssd-infra]");
        // the template's own required affinity is replaced by the node pin, as Kubernetes does
        Pod p = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).hasSize(1);
        assertThat(lastStatus(client).desiredNumberScheduled).isEqualTo(2);
    }

    @Test
    void doesNothingWhenEveryEligibleNodeRunsAnUpToDateReadyPod() {
        DaemonSet ds = daemonSet("agent:1");
        String hash = hash(ds);
        ds.status.desiredNumberScheduled = 2;
        ds.status.currentNumberScheduled = 2;
        ds.status.numberReady = 2;
        ds.status.numberAvailable = 2;
        ds.status.updatedNumberScheduled = 2;
        ds.status.numberUnavailable = 0;
        ds.status.observedGeneration = 1L;
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of())),
                daemonPod("agent-a", ds, hash, "n1", NOW.minusSeconds(60)),
                daemonPod("agent-b", ds, hash, "n2", NOW.minusSeconds(60)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void statusCountsDesiredCurrentReadyAvailableUpdatedAndMisscheduledNodes() {
        DaemonSet ds = daemonSet("agent:2");
        ds.spec.minReadySeconds = 30;
        ds.spec.updateStrategy = new DaemonSet.DaemonSetUpdateStrategy();
        ds.spec.updateStrategy.type = "OnDelete";
        ds.metadata.generation = 3L;
        String hash = hash(ds);
        Pod misplaced = running(pod("d", LABELS, ds), "tainted");
        misplaced.metadata.labels.put("controller-revision-hash", hash);
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of()), node("n3", Map.of()), node("n4", Map.of()),
                        node("tainted", Map.of(), taint("dedicated", "infra", "NoSchedule"))),
                daemonPod("a", ds, hash, "n1", NOW.minusSeconds(60)),        // ready, available, updated
                daemonPod("b", ds, hash, "n2", NOW.minusSeconds(10)),        // ready, not yet available (minReadySeconds 30)
                daemonPod("c", ds, "old", "n3", NOW.minusSeconds(60)),       // ready, available, old revision
                misplaced);                                                  // may stay (NoSchedule only) but should not run there
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));

        Result result = controller.reconcile(KEY);

        // n4 gets a pod; nothing is deleted on the tainted node (its pod tolerates no NoExecute taint there)
        assertThat(client.actions("create", "Pod")).extracting(a -> nodeAffinityTarget((Pod) a.object())).containsExactly("metadata.name In [n4]");
        assertThat(client.actions("delete", "Pod")).isEmpty();
        DaemonSet.DaemonSetStatus s = lastStatus(client);
        assertThat(s.desiredNumberScheduled).isEqualTo(4);
        assertThat(s.currentNumberScheduled).isEqualTo(3);
        assertThat(s.numberMisscheduled).isEqualTo(1);
        assertThat(s.numberReady).isEqualTo(3);
        assertThat(s.numberAvailable).isEqualTo(2);
        assertThat(s.numberUnavailable).isEqualTo(2);
        assertThat(s.updatedNumberScheduled).isEqualTo(2);
        assertThat(s.observedGeneration).isEqualTo(3L);
        // a ready pod becomes available with time: look again after minReadySeconds
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void podsOnNodesThatStopBeingEligibleAreDeleted() {
        DaemonSet ds = daemonSet("agent:1");
        ds.spec.template.spec.nodeSelector.put("role", "edge");
        String hash = hash(ds);
        given(ds, List.of(node("n1", Map.of("role", "edge")), node("n2", Map.of()), node("n3", Map.of("role", "edge"), taint("evict", "", "NoExecute"))),
                daemonPod("agent-a", ds, hash, "n1", NOW.minusSeconds(60)),
                daemonPod("agent-b", ds, hash, "n2", NOW.minusSeconds(60)),
                daemonPod("agent-c", ds, hash, "n3", NOW.minusSeconds(60)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));

        controller.reconcile(KEY);

        // n2 lost its label, n3 has a NoExecute taint the pod does not tolerate
        // deleted all at once, in no particular order (as Kubernetes)
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("agent-b", "agent-c");
        assertThat(client.eventReasons()).containsExactly("SuccessfulDelete", "SuccessfulDelete");
        assertThat(lastStatus(client).numberMisscheduled).isEqualTo(2);
    }

    @Test
    void surplusPodsOnANodeGoOldestKeptAndFailedPodsAreReplacedWithBackoff() {
        DaemonSet ds = daemonSet("agent:1");
        String hash = hash(ds);
        Pod failed = daemonPod("agent-f", ds, hash, "n2", NOW.minusSeconds(60));
        failed.status.phase = "Failed";
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of())),
                created(daemonPod("agent-old", ds, hash, "n1", NOW.minusSeconds(60)), "2026-01-01T00:00:00Z"),
                created(daemonPod("agent-new", ds, hash, "n1", NOW.minusSeconds(60)), "2026-01-01T00:10:00Z"),
                failed);
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));

        controller.reconcile(KEY);

        // deleted all at once, in no particular order (as Kubernetes)
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("agent-new", "agent-f");
        assertThat(client.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("FailedDaemonPod");
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.message).isEqualTo("Found failed daemon pod default/agent-f on node n2, will try to kill it");
        });

        // the same failure seen again within the back-off (1 s): not deleted again, looked at after the back-off
        client.clear();
        controller.podDeleted(informers.informer(Pod.class).store().get(NS, "agent-new"));
        controller.podDeleted(failed);
        Result again = controller.reconcile(KEY);
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("agent-new");
        assertThat(again.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(again.after()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void whileCreationsAreOutstandingOnlyStatusIsWritten() {
        DaemonSet ds = daemonSet("agent:1");
        given(ds, List.of(node("n1", Map.of())));
        controller.reconcile(KEY);
        ControllerRevision created = (ControllerRevision) client.actions("create", "ControllerRevision").getFirst().object();
        preload(informers.informer(ControllerRevision.class), created);
        client.clear();

        controller.reconcile(KEY);

        assertThat(client.actions("create", "Pod")).isEmpty();
        // observedGeneration stays: this generation was not acted on
        assertThat(lastStatus(client).observedGeneration).isNull();
        assertThat(lastStatus(client).desiredNumberScheduled).isEqualTo(1);
    }

    @Test
    void rollingUpdateDeletesOldAvailablePodsWithinMaxUnavailableRoundedUp() {
        DaemonSet ds = daemonSet("agent:2");
        ds.spec.updateStrategy = new DaemonSet.DaemonSetUpdateStrategy();
        ds.spec.updateStrategy.type = "RollingUpdate";
        ds.spec.updateStrategy.rollingUpdate = new DaemonSet.RollingUpdateDaemonSet();
        ds.spec.updateStrategy.rollingUpdate.maxUnavailable = IntOrString.of("50%");
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of()), node("n3", Map.of())),
                daemonPod("a", ds, "old", "n1", NOW.minusSeconds(60)),
                daemonPod("b", ds, "old", "n2", NOW.minusSeconds(60)),
                daemonPod("c", ds, "old", "n3", NOW.minusSeconds(60)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 2));

        controller.reconcile(KEY);

        // 50% of 3 rounds up to 2 (util.UnavailableCount)
        // deleted all at once, in no particular order (as Kubernetes)
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("a", "b");
        assertThat(client.actions("create", "Pod")).isEmpty();
    }

    @Test
    void rollingUpdateByDefaultReplacesOnePodAtATimeAndUnavailableOldPodsAtOnce() {
        DaemonSet ds = daemonSet("agent:2");
        String hash = hash(ds);
        Pod notReady = running(pod("c", LABELS, ds), "n3");
        notReady.metadata.labels.put("controller-revision-hash", "old");
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of()), node("n3", Map.of()), node("n4", Map.of())),
                daemonPod("a", ds, "old", "n1", NOW.minusSeconds(60)),
                daemonPod("b", ds, "old", "n2", NOW.minusSeconds(60)),
                notReady,
                daemonPod("d", ds, hash, "n4", NOW.minusSeconds(60)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 2));

        controller.reconcile(KEY);

        // maxUnavailable defaults to 1: the unavailable old pod uses it up, so no available one goes yet
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("c");
    }

    static DaemonSet surging(String image) {
        DaemonSet ds = daemonSet(image);
        ds.spec.updateStrategy = new DaemonSet.DaemonSetUpdateStrategy();
        ds.spec.updateStrategy.type = "RollingUpdate";
        ds.spec.updateStrategy.rollingUpdate = new DaemonSet.RollingUpdateDaemonSet();
        ds.spec.updateStrategy.rollingUpdate.maxSurge = IntOrString.of(1);
        ds.spec.updateStrategy.rollingUpdate.maxUnavailable = IntOrString.of(0);
        return ds;
    }

    @Test
    void withSurgeTheOldPodGoesOnceTheNewPodNextToItIsAvailable() {
        DaemonSet ds = surging("agent:2");
        String hash = hash(ds);
        Pod startingNew = running(created(pod("b-new", LABELS, ds), "2026-01-01T00:59:00Z"), "n2");
        startingNew.metadata.labels.put("controller-revision-hash", hash);
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of())),
                daemonPod("a-old", ds, "old", "n1", NOW.minusSeconds(600)),
                created(daemonPod("a-new", ds, hash, "n1", NOW.minusSeconds(5)), "2026-01-01T00:59:00Z"),
                daemonPod("b-old", ds, "old", "n2", NOW.minusSeconds(600)),
                startingNew);
        preload(informers.informer(ControllerRevision.class), revision(ds, 2));

        controller.reconcile(KEY);

        // n1: the new pod is available, the old one goes; n2: the new pod is not ready yet, both stay
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("a-old");
        assertThat(client.actions("create", "Pod")).isEmpty();
    }

    @Test
    void withSurgeANewPodStartsNextToAnOldOneOnAtMostMaxSurgeNodes() {
        DaemonSet ds = surging("agent:2");
        String hash = hash(ds);
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of()), node("n3", Map.of())),
                daemonPod("a-new", ds, hash, "n1", NOW.minusSeconds(600)),
                daemonPod("b-old", ds, "old", "n2", NOW.minusSeconds(600)),
                daemonPod("c-old", ds, "old", "n3", NOW.minusSeconds(600)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 2));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).isEmpty();
        assertThat(client.actions("create", "Pod")).extracting(a -> nodeAffinityTarget((Pod) a.object())).containsExactly("metadata.name In [n2]");
    }

    @Test
    void onDeleteLeavesOldPodsButNewNodesGetTheNewTemplate() {
        DaemonSet ds = daemonSet("agent:2");
        ds.spec.updateStrategy = new DaemonSet.DaemonSetUpdateStrategy();
        ds.spec.updateStrategy.type = "OnDelete";
        given(ds, List.of(node("n1", Map.of()), node("n2", Map.of())),
                daemonPod("a", ds, "old", "n1", NOW.minusSeconds(60)));
        preload(informers.informer(ControllerRevision.class), revision(ds, 2));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).isEmpty();
        Pod created = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(created.spec.containers.getFirst().image).isEqualTo("agent:2");
        assertThat(created.metadata.labels).containsEntry("controller-revision-hash", hash(ds));
        assertThat(lastStatus(client).updatedNumberScheduled).isZero();
    }

    @Test
    void aNewTemplateGetsTheNextRevisionNumberAndOldRevisionsBeyondTheLimitGo() {
        DaemonSet ds = daemonSet("agent:3");
        ds.spec.revisionHistoryLimit = 1;
        DaemonSet v1 = daemonSet("agent:1");
        DaemonSet v2 = daemonSet("agent:2");
        ControllerRevision r1 = revision(v1, 1);
        ControllerRevision r2 = revision(v2, 2);
        given(ds, List.of());
        preload(informers.informer(ControllerRevision.class), r1, r2);

        controller.reconcile(KEY);

        ControllerRevision created = (ControllerRevision) client.actions("create", "ControllerRevision").getFirst().object();
        assertThat(created.revision).isEqualTo(3);
        assertThat(created.metadata.name).isEqualTo("agent-" + hash(ds));
        assertThat(client.actions("delete", "ControllerRevision")).extracting(Action::name).containsExactly(r1.metadata.name);
    }

    @Test
    void aDaemonSetSelectingEverythingIsRefusedWithAnEvent() {
        DaemonSet ds = daemonSet("agent:1");
        ds.spec.selector = new LabelSelector();
        given(ds, List.of(node("n1", Map.of())));

        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.reason).isEqualTo("SelectingAll");
            assertThat(e.message).isEqualTo("This daemon set is selecting all pods. A non-empty selector is required.");
        });
    }

    @Test
    void anUnscheduledPodForANodeThatIsGoneIsDeleted() {
        DaemonSet ds = daemonSet("agent:1");
        String hash = hash(ds);
        Pod orphanedPin = pod("agent-x", LABELS, ds);
        orphanedPin.metadata.labels.put("controller-revision-hash", hash);
        orphanedPin.spec.affinity = DaemonPods.replaceNodeNameNodeAffinity(null, "gone");
        given(ds, List.of(node("n1", Map.of())), daemonPod("agent-a", ds, hash, "n1", NOW.minusSeconds(60)), orphanedPin);
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("agent-x");
    }

    @Test
    void aNodeLabelChangeQueuesOnlyDaemonSetsWhoseVerdictChanges() {
        DaemonSet ds = daemonSet("agent:1");
        ds.spec.template.spec.nodeSelector.put("role", "edge");
        preload(informers.informer(DaemonSet.class), ds);
        Node before = node("n1", Map.of());
        Node heartbeat = node("n1", Map.of());
        heartbeat.metadata.resourceVersion = "4";
        Node labelled = node("n1", Map.of("role", "edge"));

        controller.nodeUpdated(before, heartbeat);
        assertThat(controller.queue().isQueued(KEY)).isFalse();
        controller.nodeUpdated(before, labelled);
        assertThat(controller.queue().isQueued(KEY)).isTrue();
    }

    // ---- slow start and requests in flight (Kubernetes' syncNodes) -----------------------------

    static List<Node> nodes(int n) {
        List<Node> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(node(String.format("n%03d", i), Map.of()));
        }
        return out;
    }

    @Test
    void aHundredNodesGetTheirPodsInOneSyncWithManyCreatesInFlight() {
        DaemonSet ds = daemonSet("agent:1");
        given(ds, nodes(100));
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 5);
        client.failWhen(creates, 500);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        List<Pod> created = client.actions("create", "Pod").stream().map(a -> (Pod) a.object()).toList();
        assertThat(created).extracting(DaemonSetControllerTest::nodeAffinityTarget)
                .containsExactlyInAnyOrderElementsOf(nodes(100).stream().map(n -> "metadata.name In [" + n.metadata.name + "]").toList());
        assertThat(creates.max()).as("creates of one batch in flight at once").isGreaterThan(1);
        assertThat(controller.pendingCreations(KEY)).isEqualTo(100);
    }

    @Test
    void aCreateFailingInTheFifthBatchEndsTheCreatingAndTheSkippedNodesAreNoLongerExpected() {
        DaemonSet ds = daemonSet("agent:1");
        given(ds, nodes(100));
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));
        // batches 1, 2, 4, 8, 16: create #20 is in the fifth (creates 16..31)
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 1, 20);
        client.failWhen(creates, 403);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(creates.attempts()).as("the sixth batch never starts").isEqualTo(31);
        assertThat(client.actions("create", "Pod")).hasSize(30);
        assertThat(client.eventReasons().stream().filter("FailedCreate"::equals)).hasSize(1);
        // 100 expected, 1 failed, 69 skipped: only the 30 created are still awaited
        assertThat(controller.pendingCreations(KEY)).isEqualTo(30);
    }

    @Test
    void withOneRequestInFlightTheCreatesGoOneAfterAnother() {
        DaemonSetController serial = new DaemonSetController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC), 1);
        DaemonSet ds = daemonSet("agent:1");
        given(ds, nodes(20));
        preload(informers.informer(ControllerRevision.class), revision(ds, 1));
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 2);
        client.failWhen(creates, 500);

        serial.reconcile(KEY);

        assertThat(client.actions("create", "Pod")).hasSize(20);
        assertThat(creates.max()).isEqualTo(1);
    }
}
