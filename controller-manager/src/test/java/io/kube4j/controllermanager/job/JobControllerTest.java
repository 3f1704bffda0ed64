package io.kube4j.controllermanager.job;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Event;
import io.kube4j.api.Job;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.InFlight;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconcile tests of the Job controller with preloaded caches and a recording client; expected
 * reasons and messages are Kubernetes 1.32's.
 */
class JobControllerTest {
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    static final Map<String, String> LABELS = Map.of("app", "batch");
    static final String KEY = NS + "/pi";

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final JobController controller = new JobController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    /** A Job with an explicit selector (manualSelector), as an apiserver without selector generation stores it. */
    static Job job(Integer completions, Integer parallelism) {
        Job j = new Job();
        j.metadata.namespace = NS;
        j.metadata.name = "pi";
        j.metadata.uid = "uid-pi";
        j.metadata.resourceVersion = "10";
        j.metadata.generation = 1L;
        j.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        j.spec.completions = completions;
        j.spec.parallelism = parallelism;
        j.spec.manualSelector = true;
        j.spec.selector = LabelSelector.of(LABELS);
        j.spec.template = new PodTemplateSpec();
        j.spec.template.metadata.labels.putAll(LABELS);
        Container c = new Container();
        c.name = "main";
        c.image = "perl:5";
        j.spec.template.spec.containers.add(c);
        j.spec.template.spec.restartPolicy = "Never";
        return j;
    }

    static Job started(Job j) {
        j.status.startTime = "2026-01-01T00:30:00Z";
        return j;
    }

    /** A pod of {@code job} with the tracking finalizer, in {@code phase}. */
    static Pod pod(String name, Job job, String phase) {
        Pod p = new Pod();
        p.metadata.namespace = NS;
        p.metadata.name = name;
        p.metadata.uid = "uid-" + name;
        p.metadata.resourceVersion = "5";
        p.metadata.creationTimestamp = "2026-01-01T00:40:00Z";
        p.metadata.labels.putAll(LABELS);
        p.metadata.ownerReferences.add(OwnerReference.controllerOf(job));
        p.metadata.finalizers.add(JobPods.TRACKING_FINALIZER);
        p.spec.nodeName = "node-1";
        p.status.phase = phase;
        return p;
    }

    static Pod exited(Pod p, int exitCode) {
        ContainerStatus cs = new ContainerStatus();
        cs.name = "main";
        cs.state = new ContainerStatus.ContainerState();
        cs.state.terminated = new ContainerStatus.Terminated();
        cs.state.terminated.exitCode = exitCode;
        cs.state.terminated.finishedAt = "2026-01-01T00:59:00Z";
        p.status.containerStatuses.add(cs);
        return p;
    }

    static Pod indexed(Pod p, int index) {
        p.metadata.annotations.put(JobPods.COMPLETION_INDEX, Integer.toString(index));
        p.metadata.labels.put(JobPods.COMPLETION_INDEX, Integer.toString(index));
        return p;
    }

    static Pod ready(Pod p) {
        p.status.conditions.add(new PodCondition("Ready", "True", null, null, "2026-01-01T00:50:00Z"));
        return p;
    }

    void given(Job job, Pod... pods) {
        preload(informers.informer(Job.class), job);
        preload(informers.informer(Pod.class), pods);
        client.live(job);
    }

    List<Pod> created() {
        return client.actions("create", "Pod").stream().map(a -> (Pod) a.object()).toList();
    }

    List<Job> statusWrites() {
        return client.actions("updateStatus", "Job").stream().map(a -> (Job) a.object()).toList();
    }

    Job lastStatus() {
        return statusWrites().getLast();
    }

    static Job.JobCondition condition(Job j, String type) {
        return JobConditions.find(j, type);
    }

    List<String> finalizerPatches() {
        return client.actions("patch", "Pod").stream().filter(a -> a.patch().contains("$deleteFromPrimitiveList/finalizers"))
                .map(Action::name).sorted().toList();
    }

    // ---- creation, parallelism, completions --------------------------------------------------

    @Test
    void createsParallelismPodsWithTheTrackingFinalizerAndAControllerReference() {
        given(job(5, 2));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(created()).hasSize(2).allSatisfy(p -> {
            assertThat(p.metadata.generateName).isEqualTo("pi-");
            assertThat(p.metadata.labels).containsAllEntriesOf(LABELS);
            assertThat(p.metadata.finalizers).containsExactly("batch.kubernetes.io/job-tracking");
            OwnerReference ref = p.metadata.controllerRef();
            assertThat(ref.kind).isEqualTo("Job");
            assertThat(ref.apiVersion).isEqualTo("batch/v1");
            assertThat(ref.uid).isEqualTo("uid-pi");
            assertThat(ref.blockOwnerDeletion).isTrue();
        });
        assertThat(client.eventReasons()).containsExactly("SuccessfulCreate", "SuccessfulCreate");
        Job status = lastStatus();
        assertThat(status.status.active).isEqualTo(2);
        assertThat(status.status.ready).isZero();
        assertThat(status.status.terminating).isZero();
        assertThat(status.status.startTime).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(controller.pendingCreations(KEY)).isEqualTo(2);
    }

    @Test
    void withoutAManualSelectorThePodsGetTheGeneratedJobLabels() {
        Job j = job(1, 1);
        j.spec.manualSelector = null;
        j.spec.selector = null;
        given(j);

        controller.reconcile(KEY);

        assertThat(created()).singleElement().satisfies(p -> assertThat(p.metadata.labels)
                .containsEntry("batch.kubernetes.io/controller-uid", "uid-pi")
                .containsEntry("batch.kubernetes.io/job-name", "pi")
                .containsEntry("controller-uid", "uid-pi")
                .containsEntry("job-name", "pi"));
    }

    @Test
    void neverRunsMorePodsThanTheCompletionsStillMissing() {
        Job j = started(job(5, 3));
        j.status.succeeded = 4;
        given(j);

        controller.reconcile(KEY);

        assertThat(created()).hasSize(1);
    }

    @Test
    void deletesSurplusPodsWhenParallelismShrinks() {
        Job j = started(job(5, 1));
        given(j, ready(pod("a", j, "Running")), pod("b", j, "Pending"));

        controller.reconcile(KEY);

        // the tracking finalizer goes first: a pod the Job deletes on purpose is no failure
        assertThat(client.summaries()).containsSubsequence("patch Pod default/b", "delete Pod default/b");
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("b");
        assertThat(lastStatus().status.active).isEqualTo(1);
        assertThat(lastStatus().status.terminating).isEqualTo(1);
    }

    @Test
    void doesNothingWhenPodsAndStatusAreCurrent() {
        Job j = started(job(5, 2));
        j.status.active = 2;
        j.status.ready = 2;
        j.status.terminating = 0;
        given(j, ready(pod("a", j, "Running")), ready(pod("b", j, "Running")));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void neverCreatesTwiceWhileThePodWatchLags() {
        given(job(3, 3));

        controller.reconcile(KEY);
        controller.reconcile(KEY);

        assertThat(created()).hasSize(3);
        for (Pod p : created()) {
            Pod seen = Json.copy(p);
            seen.metadata.uid = "uid-" + seen.metadata.name;
            controller.podAdded(seen);
        }
        assertThat(controller.pendingCreations(KEY)).isZero();
    }

    @Test
    void aFailedCreateStopsTheSlowStartAndIsRetried() {
        given(job(8, 8));
        client.failWhen(a -> a.verb().equals("create"), 403);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        // the first batch of one failed: nothing more was tried
        assertThat(client.eventReasons()).containsExactly("FailedCreate");
        assertThat(client.events().getFirst().message).startsWith("Error creating: ");
        assertThat(controller.pendingCreations(KEY)).isZero();
    }

    @Test
    void jobsManagedByAnotherControllerAreLeftAlone() {
        Job j = job(1, 1);
        j.spec.managedBy = "kueue.x-k8s.io/multikueue";
        given(j);

        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void anUnknownCompletionModeIsReportedAndSkipped() {
        Job j = job(1, 1);
        j.spec.completionMode = "Sometimes";
        given(j);

        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.reason).isEqualTo("UnknownCompletionMode");
            assertThat(e.message).isEqualTo("Skipped Job sync because completion mode is unknown");
        });
    }

    // ---- counting through the tracking finalizer ---------------------------------------------

    @Test
    void aSucceededPodIsRecordedAsUncountedThenItsFinalizerGoesThenItIsCounted() {
        Job j = started(job(5, 1));
        given(j, exited(pod("a", j, "Succeeded"), 0));

        controller.reconcile(KEY);

        List<Job> writes = statusWrites();
        // first write: the pod is uncounted; then the finalizer goes; then it is counted
        assertThat(writes.getFirst().status.uncountedTerminatedPods.succeeded).containsExactly("uid-a");
        assertThat(writes.getFirst().status.succeeded).isNull();
        int firstWrite = client.summaries().indexOf("updateStatus Job default/pi");
        int patch = client.summaries().indexOf("patch Pod default/a");
        assertThat(patch).isGreaterThan(firstWrite);
        assertThat(client.actions("patch", "Pod").getFirst().patch())
                .isEqualTo("{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"batch.kubernetes.io/job-tracking\"]}}");
        Job last = lastStatus();
        assertThat(last.status.succeeded).isEqualTo(1);
        assertThat(last.status.uncountedTerminatedPods.succeeded).isEmpty();
        // and a replacement runs
        assertThat(created()).hasSize(1);
        assertThat(controller.expectedFinalizerRemovals(KEY)).containsExactly("uid-a");
    }

    @Test
    void aPodWhoseFinalizerRemovalIsPendingIsNotCountedTwice() {
        Job j = started(job(5, 1));
        j.status.succeeded = 1;
        j.status.active = 1;
        j.status.ready = 0;
        j.status.terminating = 0;
        Pod done = exited(pod("a", j, "Succeeded"), 0);
        given(j, done, pod("b", j, "Running"));
        controller.reconcile(KEY);
        assertThat(finalizerPatches()).containsExactly("a");
        client.clear();

        // the cache still shows the finalizer (the watch lags): a second sync must not count it again
        controller.reconcile(KEY);

        assertThat(finalizerPatches()).isEmpty();
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void completesWithSuccessCriteriaMetThenCompleteWhenTheLastCompletionSucceeds() {
        Job j = started(job(2, 2));
        j.status.succeeded = 1;
        given(j, exited(pod("b", j, "Succeeded"), 0));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(created()).isEmpty();
        Job last = lastStatus();
        assertThat(last.status.succeeded).isEqualTo(2);
        assertThat(last.status.conditions).extracting(c -> c.type).containsExactly("SuccessCriteriaMet", "Complete");
        assertThat(last.status.conditions).allSatisfy(c -> {
            assertThat(c.status).isEqualTo("True");
            assertThat(c.reason).isEqualTo("CompletionsReached");
            assertThat(c.message).isEqualTo("Reached expected number of succeeded pods");
        });
        assertThat(last.status.completionTime).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo("Normal");
            assertThat(e.reason).isEqualTo("Completed");
            assertThat(e.message).isEqualTo("Job completed");
        });
    }

    @Test
    void withoutCompletionsTheJobCompletesWhenOnePodSucceededAndNoneRuns() {
        Job j = started(job(null, 2));
        given(j, exited(pod("a", j, "Succeeded"), 0));

        controller.reconcile(KEY);

        assertThat(created()).isEmpty();
        assertThat(condition(lastStatus(), "Complete")).isNotNull();
    }

    @Test
    void aFinishedJobIsNotSyncedAgain() {
        Job j = started(job(1, 1));
        j.status.conditions.add(JobConditions.toApi("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", NOW));
        given(j);

        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    // ---- failure: backoffLimit, activeDeadlineSeconds -----------------------------------------

    @Test
    void failedPodsBeyondTheBackoffLimitFailTheJob() {
        Job j = started(job(5, 1));
        j.spec.backoffLimit = 1;
        j.status.failed = 1;
        given(j, exited(pod("b", j, "Failed"), 1));

        controller.reconcile(KEY);

        Job last = lastStatus();
        assertThat(last.status.failed).isEqualTo(2);
        assertThat(last.status.conditions).extracting(c -> c.type).containsExactly("FailureTarget", "Failed");
        assertThat(last.status.conditions).allSatisfy(c -> {
            assertThat(c.reason).isEqualTo("BackoffLimitExceeded");
            assertThat(c.message).isEqualTo("Job has reached the specified backoff limit");
        });
        assertThat(last.status.completionTime).isNull();
        assertThat(created()).isEmpty();
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.reason).isEqualTo("BackoffLimitExceeded");
            assertThat(e.message).isEqualTo("Job has reached the specified backoff limit");
        });
    }

    @Test
    void theDefaultBackoffLimitIsSix() {
        Job j = started(job(10, 1));
        j.status.failed = 6;
        given(j, exited(pod("f", j, "Failed"), 2));

        controller.reconcile(KEY);

        assertThat(condition(lastStatus(), "Failed").reason).isEqualTo("BackoffLimitExceeded");
    }

    @Test
    void aFailedJobStopsItsActivePodsAndOnlyThenTurnsFailed() {
        Job j = started(job(5, 2));
        j.spec.backoffLimit = 0;
        given(j, exited(pod("x", j, "Failed"), 1), ready(pod("r", j, "Running")));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("r");
        Job last = lastStatus();
        // FailureTarget now; Failed waits until no pod is terminating
        assertThat(last.status.conditions).extracting(c -> c.type).containsExactly("FailureTarget");
        assertThat(last.status.terminating).isEqualTo(1);
        assertThat(last.status.active).isNull();
        // the running pod counts as failed once the Job failed, and its finalizer goes too
        assertThat(finalizerPatches()).containsExactly("r", "x");
        assertThat(last.status.failed).isEqualTo(2);

        // next sync: the pod is gone; the interim condition becomes Failed
        client.clear();
        Job next = Json.copy(last);
        preload(informers.informer(Job.class), next);
        io.kube4j.informer.TestStores.remove(informers.informer(Pod.class), pod("r", j, "Running"));
        io.kube4j.informer.TestStores.remove(informers.informer(Pod.class), pod("x", j, "Failed"));
        controller.reconcile(KEY);

        assertThat(lastStatus().status.conditions).extracting(c -> c.type).containsExactly("FailureTarget", "Failed");
        assertThat(condition(lastStatus(), "Failed").reason).isEqualTo("BackoffLimitExceeded");
    }

    @Test
    void restartsOfOnFailurePodsCountTowardsTheBackoffLimit() {
        Job j = started(job(1, 1));
        j.spec.backoffLimit = 2;
        j.spec.template.spec.restartPolicy = "OnFailure";
        Pod p = pod("a", j, "Running");
        ContainerStatus cs = new ContainerStatus();
        cs.name = "main";
        cs.restartCount = 2;
        p.status.containerStatuses.add(cs);
        given(j, p);

        controller.reconcile(KEY);

        assertThat(condition(lastStatus(), "FailureTarget").reason).isEqualTo("BackoffLimitExceeded");
    }

    @Test
    void aJobActiveLongerThanItsDeadlineFails() {
        Job j = job(1, 1);
        j.spec.activeDeadlineSeconds = 60L;
        j.status.startTime = "2026-01-01T00:58:00Z";
        given(j, pod("a", j, "Running"));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("a");
        Job.JobCondition target = condition(lastStatus(), "FailureTarget");
        assertThat(target.reason).isEqualTo("DeadlineExceeded");
        assertThat(target.message).isEqualTo("Job was active longer than specified deadline");
    }

    @Test
    void beforeItsDeadlineTheJobIsLookedAtAgainWhenTheDeadlinePasses() {
        Job j = job(1, 1);
        j.spec.activeDeadlineSeconds = 600L;
        j.status.startTime = "2026-01-01T00:58:00Z";
        j.status.active = 1;
        j.status.ready = 0;
        j.status.terminating = 0;
        given(j, pod("a", j, "Running"));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isEqualTo(Duration.ofSeconds(480));
    }

    @Test
    void replacementsOfFailedPodsWaitForTheFailureBackoff() {
        Job j = started(job(3, 1));
        Pod failed = exited(pod("a", j, "Failed"), 1);
        given(j, failed);

        Result result = controller.reconcile(KEY);

        // one failure at 00:59:00, 10 s backoff: already over at 01:00:00
        assertThat(created()).hasSize(1);
        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
    }

    @Test
    void aFreshFailureDelaysTheReplacementByTenSeconds() {
        Job j = started(job(3, 1));
        Pod failed = pod("a", j, "Failed");
        failed.status.conditions.add(new PodCondition("Ready", "False", null, null, Times.format(NOW.minusSeconds(4))));
        given(j, failed);

        Result result = controller.reconcile(KEY);

        assertThat(created()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isEqualTo(Duration.ofSeconds(6));
        assertThat(lastStatus().status.failed).isEqualTo(1);
    }

    // ---- podFailurePolicy ------------------------------------------------------------------

    static Job.PodFailurePolicyRule onExitCodes(String action, String operator, Integer... codes) {
        Job.PodFailurePolicyRule r = new Job.PodFailurePolicyRule();
        r.action = action;
        r.onExitCodes = new Job.PodFailurePolicyOnExitCodesRequirement();
        r.onExitCodes.operator = operator;
        r.onExitCodes.values.addAll(List.of(codes));
        return r;
    }

    static Job.PodFailurePolicyRule onCondition(String action, String type) {
        Job.PodFailurePolicyRule r = new Job.PodFailurePolicyRule();
        r.action = action;
        Job.PodFailurePolicyOnPodConditionsPattern p = new Job.PodFailurePolicyOnPodConditionsPattern();
        p.type = type;
        r.onPodConditions.add(p);
        return r;
    }

    static Job withPolicy(Job j, Job.PodFailurePolicyRule... rules) {
        j.spec.podFailurePolicy = new Job.PodFailurePolicy();
        j.spec.podFailurePolicy.rules.addAll(List.of(rules));
        return j;
    }

    @Test
    void aFailJobRuleOnAnExitCodeFailsTheJobAtOnce() {
        Job j = withPolicy(started(job(5, 2)), onExitCodes("FailJob", "In", 42));
        given(j, exited(pod("a", j, "Failed"), 42), pod("b", j, "Running"));

        controller.reconcile(KEY);

        Job.JobCondition target = condition(lastStatus(), "FailureTarget");
        assertThat(target.reason).isEqualTo("PodFailurePolicy");
        assertThat(target.message).isEqualTo("Container main for pod default/a failed with exit code 42 matching FailJob rule at index 0");
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("b");
        assertThat(created()).isEmpty();
    }

    @Test
    void aFailJobRuleOnAPodConditionNamesTheCondition() {
        Job j = withPolicy(started(job(5, 1)), onCondition("FailJob", "ConfigIssue"));
        Pod p = pod("a", j, "Failed");
        p.status.conditions.add(new PodCondition("ConfigIssue", "True", null, null, Times.format(NOW)));
        given(j, p);

        controller.reconcile(KEY);

        assertThat(condition(lastStatus(), "FailureTarget").message).isEqualTo("Pod default/a has condition ConfigIssue matching FailJob rule at index 0");
    }

    @Test
    void anIgnoreRuleKeepsTheFailureOutOfTheCount() {
        Job j = withPolicy(started(job(5, 1)), onCondition("Ignore", "DisruptionTarget"));
        j.spec.backoffLimit = 0;
        Pod p = pod("a", j, "Failed");
        p.status.conditions.add(new PodCondition("DisruptionTarget", "True", null, null, Times.format(NOW)));
        given(j, p);

        controller.reconcile(KEY);

        Job last = lastStatus();
        assertThat(last.status.failed).isNull();
        assertThat(last.status.conditions).noneMatch(c -> c.type.equals("FailureTarget") || c.type.equals("Failed"));
        // its finalizer still goes, so the pod can be removed
        assertThat(finalizerPatches()).containsExactly("a");
    }

    @Test
    void aCountRuleCountsTheFailureAndTheFirstMatchingRuleWins() {
        Job j = withPolicy(started(job(5, 1)), onExitCodes("Count", "NotIn", 42), onExitCodes("FailJob", "In", 1));
        j.spec.backoffLimit = 3;
        given(j, exited(pod("a", j, "Failed"), 1));

        controller.reconcile(KEY);

        Job last = lastStatus();
        assertThat(last.status.failed).isEqualTo(1);
        assertThat(last.status.conditions).noneMatch(c -> c.type.equals("FailureTarget"));
    }

    @Test
    void withAPodFailurePolicyATerminatingPodIsNeitherFailedNorReplacedYet() {
        Job j = withPolicy(started(job(5, 1)), onExitCodes("FailJob", "In", 42));
        Pod p = pod("a", j, "Running");
        p.metadata.deletionTimestamp = Times.format(NOW.minusSeconds(1));
        given(j, p);

        controller.reconcile(KEY);

        assertThat(created()).isEmpty();
        assertThat(lastStatus().status.terminating).isEqualTo(1);
        assertThat(lastStatus().status.failed).isNull();
    }

    @Test
    void aFailIndexRuleFailsTheIndexAndTheJobWhenNoIndexIsLeft() {
        Job j = withPolicy(started(job(1, 1)), onExitCodes("FailIndex", "In", 3));
        j.spec.completionMode = "Indexed";
        j.spec.backoffLimitPerIndex = 2;
        given(j, indexed(exited(pod("a", j, "Failed"), 3), 0));

        controller.reconcile(KEY);

        Job last = lastStatus();
        assertThat(last.status.failedIndexes).isEqualTo("0");
        Job.JobCondition target = condition(last, "FailureTarget");
        assertThat(target.reason).isEqualTo("FailedIndexes");
        assertThat(target.message).isEqualTo("Job has failed indexes");
        assertThat(condition(last, "Failed").reason).isEqualTo("FailedIndexes");
    }

    @Test
    void moreFailedIndexesThanAllowedFailTheJob() {
        Job j = started(job(4, 2));
        j.spec.completionMode = "Indexed";
        j.spec.backoffLimitPerIndex = 0;
        j.spec.maxFailedIndexes = 1;
        given(j, indexed(exited(pod("a", j, "Failed"), 1), 0), indexed(exited(pod("b", j, "Failed"), 1), 1));

        controller.reconcile(KEY);

        Job.JobCondition target = condition(lastStatus(), "FailureTarget");
        assertThat(target.reason).isEqualTo("MaxFailedIndexesExceeded");
        assertThat(target.message).isEqualTo("Job has exceeded the specified maximal number of failed indexes");
    }

    // ---- Indexed completion mode -------------------------------------------------------------

    @Test
    void anIndexedJobCreatesOnePodPerPendingIndexWithItsIndex() {
        Job j = job(4, 2);
        j.spec.completionMode = "Indexed";
        given(j);

        controller.reconcile(KEY);

        assertThat(created()).hasSize(2);
        assertThat(created()).extracting(p -> p.metadata.annotations.get("batch.kubernetes.io/job-completion-index"))
                .containsExactlyInAnyOrder("0", "1");
        assertThat(created()).allSatisfy(p -> {
            String ix = p.metadata.annotations.get("batch.kubernetes.io/job-completion-index");
            assertThat(p.metadata.labels).containsEntry("batch.kubernetes.io/job-completion-index", ix);
            assertThat(p.metadata.generateName).isEqualTo("pi-" + ix + "-");
            assertThat(p.spec.hostname).isEqualTo("pi-" + ix);
            Container.EnvVar env = p.spec.containers.getFirst().env.stream().filter(e -> e.name.equals("JOB_COMPLETION_INDEX")).findFirst().orElseThrow();
            assertThat(env.source().fieldRef.fieldPath).isEqualTo("metadata.labels['batch.kubernetes.io/job-completion-index']");
        });
    }

    @Test
    void anIndexedJobRecordsCompletedIndexesAndSkipsThem() {
        Job j = started(job(4, 2));
        j.spec.completionMode = "Indexed";
        j.status.completedIndexes = "0";
        j.status.succeeded = 1;
        given(j, indexed(exited(pod("b", j, "Succeeded"), 0), 2), indexed(pod("c", j, "Running"), 1));

        controller.reconcile(KEY);

        Job last = lastStatus();
        // index 1 still runs
        assertThat(last.status.completedIndexes).isEqualTo("0,2");
        assertThat(last.status.succeeded).isEqualTo(2);
        // index 3 is the only one pending
        assertThat(created()).singleElement().satisfies(p ->
                assertThat(p.metadata.annotations).containsEntry("batch.kubernetes.io/job-completion-index", "3"));
    }

    @Test
    void twoPodsOfOneIndexLeaveOne() {
        Job j = started(job(2, 2));
        j.spec.completionMode = "Indexed";
        given(j, indexed(pod("a", j, "Pending"), 0), ready(indexed(pod("b", j, "Running"), 0)));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("a");
    }

    @Test
    void aSuccessPolicyCompletesAnIndexedJobEarlyAndStopsTheRest() {
        Job j = started(job(5, 5));
        j.spec.completionMode = "Indexed";
        j.spec.successPolicy = new Job.SuccessPolicy();
        Job.SuccessPolicyRule rule = new Job.SuccessPolicyRule();
        rule.succeededIndexes = "0";
        j.spec.successPolicy.rules.add(rule);
        given(j, indexed(exited(pod("leader", j, "Succeeded"), 0), 0), indexed(pod("w1", j, "Running"), 1));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("w1");
        Job.JobCondition met = condition(lastStatus(), "SuccessCriteriaMet");
        assertThat(met.reason).isEqualTo("SuccessPolicy");
        assertThat(met.message).isEqualTo("Matched rules at index 0");
        // Complete waits for the terminating worker
        assertThat(condition(lastStatus(), "Complete")).isNull();
    }

    // ---- suspend ------------------------------------------------------------------------------

    @Test
    void suspendingDeletesTheActivePodsAndSetsSuspended() {
        Job j = started(job(5, 2));
        j.spec.suspend = true;
        given(j, ready(pod("a", j, "Running")), pod("b", j, "Pending"));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("a", "b");
        Job last = lastStatus();
        Job.JobCondition suspended = condition(last, "Suspended");
        assertThat(suspended.status).isEqualTo("True");
        assertThat(suspended.reason).isEqualTo("JobSuspended");
        assertThat(suspended.message).isEqualTo("Job suspended");
        assertThat(last.status.active).isNull();
        assertThat(last.status.terminating).isEqualTo(2);
        assertThat(client.events()).filteredOn(e -> e.reason.equals("Suspended")).singleElement()
                .satisfies(e -> assertThat(e.message).isEqualTo("Job suspended"));
    }

    @Test
    void aJobCreatedSuspendedHasNoStartTimeAndNoPods() {
        Job j = job(5, 2);
        j.spec.suspend = true;
        given(j);

        controller.reconcile(KEY);

        assertThat(created()).isEmpty();
        assertThat(lastStatus().status.startTime).isNull();
        assertThat(condition(lastStatus(), "Suspended").status).isEqualTo("True");
    }

    @Test
    void resumingSetsSuspendedFalseAndRestartsTheDeadlineClock() {
        Job j = started(job(5, 2));
        j.status.conditions.add(JobConditions.toApi("Suspended", "True", "JobSuspended", "Job suspended", NOW.minusSeconds(600)));
        given(j);

        controller.reconcile(KEY);

        Job last = lastStatus();
        Job.JobCondition suspended = condition(last, "Suspended");
        assertThat(suspended.status).isEqualTo("False");
        assertThat(suspended.reason).isEqualTo("JobResumed");
        assertThat(suspended.message).isEqualTo("Job resumed");
        assertThat(last.status.startTime).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(created()).hasSize(2);
        assertThat(client.eventReasons()).contains("Resumed");
    }

    // ---- adoption and orphans ----------------------------------------------------------------

    @Test
    void adoptsAMatchingOrphanWithTheTrackingFinalizer() {
        Job j = started(job(1, 1));
        Pod orphan = pod("o", j, "Running");
        orphan.metadata.ownerReferences.clear();
        orphan.metadata.finalizers.clear();
        given(j, orphan);

        controller.reconcile(KEY);

        Action adopt = client.actions("patch", "Pod").getFirst();
        assertThat(adopt.name()).isEqualTo("o");
        var meta = Json.tree(adopt.patch()).path("metadata");
        assertThat(meta.path("ownerReferences").get(0).path("uid").asString()).isEqualTo("uid-pi");
        assertThat(meta.path("finalizers").get(0).asString()).isEqualTo("batch.kubernetes.io/job-tracking");
        assertThat(created()).isEmpty();
    }

    @Test
    void thePodOfADeletedJobLosesItsTrackingFinalizer() {
        Job gone = job(1, 1);
        Pod orphaned = exited(pod("a", gone, "Succeeded"), 0);
        preload(informers.informer(Pod.class), orphaned);

        controller.podDeleted(orphaned, false);
        controller.reconcile(JobController.ORPHAN_POD + NS + "/a");

        assertThat(finalizerPatches()).containsExactly("a");
    }

    @Test
    void thePodOfAnUnfinishedJobKeepsItsFinalizerOnTheOrphanPath() {
        Job j = started(job(1, 1));
        given(j, pod("a", j, "Running"));

        controller.reconcile(JobController.ORPHAN_POD + NS + "/a");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void theFailureMessageEventIsAWarningWithTheConditionsReason() {
        Job j = withPolicy(started(job(1, 1)), onExitCodes("FailJob", "In", 42));
        given(j, exited(pod("a", j, "Failed"), 42));

        controller.reconcile(KEY);

        Event e = client.events().stream().filter(ev -> ev.type.equals("Warning")).findFirst().orElseThrow();
        assertThat(e.reason).isEqualTo("PodFailurePolicy");
        assertThat(condition(lastStatus(), "Failed").message).isEqualTo(e.message);
    }

    // ---- slow start and requests in flight (Kubernetes' manageJob, deleteJobPods) ---------------

    @Test
    void aHundredPodJobCreatesThemInOneSyncWithManyCreatesInFlight() {
        given(started(job(100, 100)));
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 5);
        client.failWhen(creates, 500);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isNotEqualTo(Result.Kind.RETRY);
        assertThat(created()).hasSize(100);
        assertThat(creates.max()).as("creates of one batch in flight at once").isGreaterThan(1);
        assertThat(client.eventReasons().stream().filter("SuccessfulCreate"::equals)).hasSize(100);
        assertThat(controller.pendingCreations(KEY)).isEqualTo(100);
        assertThat(lastStatus().status.active).isEqualTo(100);
    }

    @Test
    void aCreateFailingInTheThirdBatchEndsTheSyncWithThatBatchAndStopsExpectingTheRest() {
        given(started(job(100, 100)));
        // batches 1, 2, 4: create #5 is in the third (creates 4..7)
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 1, 5);
        client.failWhen(creates, 403);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(creates.attempts()).as("the fourth batch never starts").isEqualTo(7);
        assertThat(created()).hasSize(6);
        assertThat(client.eventReasons().stream().filter("FailedCreate"::equals)).hasSize(1);
        // the failed one and the 93 skipped ones will never be observed
        assertThat(controller.pendingCreations(KEY)).isEqualTo(6);
        assertThat(lastStatus().status.active).isEqualTo(6);
    }

    @Test
    void anIndexedJobCreatesEveryPendingIndexOnceAcrossTheBatches() {
        Job j = started(job(20, 20));
        j.spec.completionMode = "Indexed";
        given(j);

        controller.reconcile(KEY);

        assertThat(created()).extracting(p -> p.metadata.annotations.get(JobPods.COMPLETION_INDEX))
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(Integer::toString).toList());
    }

    @Test
    void withOneRequestInFlightTheCreatesGoOneAfterAnother() {
        JobController serial = new JobController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC), 1);
        given(started(job(30, 30)));
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 2);
        client.failWhen(creates, 500);

        serial.reconcile(KEY);

        assertThat(created()).hasSize(30);
        assertThat(creates.max()).isEqualTo(1);
    }

    @Test
    void surplusPodsAreDeletedAllAtOnceAndAFailedDeletionIsReportedAndNoLongerExpected() {
        Job j = started(job(20, 2));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pods.add(pod(String.format("p%02d", i), j, "Running"));
        }
        given(j, pods.toArray(Pod[]::new));
        InFlight deletes = new InFlight(a -> a.verb().equals("delete") && a.kind().equals("Pod"), 20, 3);
        client.failWhen(deletes, 500);

        Result result = controller.reconcile(KEY);

        assertThat(deletes.attempts()).isEqualTo(8);
        assertThat(deletes.max()).as("deletions in flight at once").isGreaterThan(1);
        assertThat(client.actions("delete", "Pod")).hasSize(7);
        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(client.eventReasons().stream().filter("FailedDelete"::equals)).hasSize(1);
        assertThat(lastStatus().status.active).isEqualTo(3);
    }

    @Test
    void aSurplusPodAlreadyGoneCountsAsDeleted() {
        Job j = started(job(5, 1));
        given(j, ready(pod("a", j, "Running")), pod("b", j, "Pending"));
        client.failWhen(a -> a.verb().equals("delete") && a.name().equals("b"), 404);

        Result result = controller.reconcile(KEY);

        // Kubernetes' deleteJobPods: only errors other than NotFound lower successfulDeletes
        assertThat(result.kind()).isNotEqualTo(Result.Kind.RETRY);
        assertThat(lastStatus().status.active).isEqualTo(1);
        assertThat(client.eventReasons()).doesNotContain("FailedDelete");
    }
}
