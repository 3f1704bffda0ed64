package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Diagnosis;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.PostFilterPlugin;
import io.kube4j.scheduler.framework.PostFilterResult;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The DefaultPreemption PostFilter plugin of Kubernetes 1.32
 * ({@code pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go} with the evaluator of
 * {@code pkg/scheduler/framework/preemption/preemption.go}, AsyncPreemption off as in 1.32): when a pod fits
 * nowhere, find the nodes where removing pods of lower priority would make it fit, pick one, preempt the
 * victims there and nominate the node to the pod, which is retried once the victims are gone.
 * <ol>
 *   <li>A pod with {@code preemptionPolicy: Never} does not preempt; nor does a pod whose nominated node still
 *       has a lower-priority pod terminating because of preemption (it waits for that room).</li>
 *   <li>Only nodes the filters rejected as {@code Unschedulable} (not {@code UnschedulableAndUnresolvable})
 *       are tried, from a random offset, until {@code max(10% of them, 100)} candidates are found (and at
 *       least one that violates no PodDisruptionBudget, if any exists among those tried).</li>
 *   <li>On a copy of each node all lower-priority pods are removed and the filters run again; if the pod
 *       fits, the removed pods are given back ("reprieved") one by one, most important first (priority, then
 *       earliest start), PDB-violating ones before the others, as long as the pod still fits. The rest are
 *       the victims.</li>
 *   <li>The node is chosen by, in order: fewest PDB violations, lowest priority of its most important victim,
 *       smallest sum of victim priorities, fewest victims, latest start time of its most important victims,
 *       and then the first candidate found.</li>
 *   <li>Each victim not already terminating gets {@code DisruptionTarget=True/PreemptionByScheduler}, is
 *       deleted gracefully and gets a {@code Preempted} Event; lower-priority pods nominated to the node lose
 *       their nomination.</li>
 * </ol>
 * PodDisruptionBudgets are respected the way Kubernetes does, as a preference only: a victim is "violating"
 * when a PDB of its namespace selects it and its {@code status.disruptionsAllowed} (minus the other victims of
 * the same node it already counted) is exhausted, unless it is listed in {@code status.disruptedPods}.
 * Violations make a node less preferred and make its violating pods reprieved first; they never forbid
 * preemption.
 */
public final class DefaultPreemption implements PostFilterPlugin {
    private static final Logger log = LoggerFactory.getLogger(DefaultPreemption.class);

    public static final String NAME = "DefaultPreemption";
    /** Kubernetes' default {@code DefaultPreemptionArgs.minCandidateNodesPercentage}. */
    public static final int DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE = 10;
    /** Kubernetes' default {@code DefaultPreemptionArgs.minCandidateNodesAbsolute}. */
    public static final int DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE = 100;

    static final String NO_VICTIMS = "No preemption victims found for incoming pod";
    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    static final String NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never.";
    static final String NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node.";
    /** {@code v1.DisruptionTarget}. */
    public static final String DISRUPTION_TARGET = "DisruptionTarget";
    /** {@code v1.PodReasonPreemptionByScheduler}. */
    public static final String REASON_PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";

    private final Function<String, Pod> podLister;
    private final Supplier<List<PodDisruptionBudget>> pdbLister;
    private final PreemptionApi api;
    private final RandomGenerator random;
    private final int minCandidateNodesPercentage;
    private final int minCandidateNodesAbsolute;
    private final PreemptionMetrics metrics;

    /**
     * @param podLister  the informer's pod by key, for the preemptor's latest version (null: use the attempt's)
     * @param pdbLister  the PodDisruptionBudgets (the informer's)
     * @param api        makes the apiserver calls
     * @param random     picks the node the dry run starts at
     * @param minCandidateNodesPercentage Kubernetes' {@code minCandidateNodesPercentage} (0..100, default 10)
     * @param minCandidateNodesAbsolute   Kubernetes' {@code minCandidateNodesAbsolute} (default 100)
     */
    public DefaultPreemption(Function<String, Pod> podLister, Supplier<List<PodDisruptionBudget>> pdbLister, PreemptionApi api,
                             RandomGenerator random, int minCandidateNodesPercentage, int minCandidateNodesAbsolute,
                             PreemptionMetrics metrics) {
        if (minCandidateNodesPercentage < 0 || minCandidateNodesPercentage > 100) {
            throw new IllegalArgumentException("minCandidateNodesPercentage must be 0..100, not " + minCandidateNodesPercentage);
        }
        if (minCandidateNodesAbsolute < 0) {
            throw new IllegalArgumentException("minCandidateNodesAbsolute must not be negative");
        }
        if (minCandidateNodesPercentage == 0 && minCandidateNodesAbsolute == 0) {
            throw new IllegalArgumentException("minCandidateNodesPercentage and minCandidateNodesAbsolute must not both be 0");
        }
        this.podLister = podLister;
        this.pdbLister = pdbLister;
        this.api = api;
        this.random = random;
        this.minCandidateNodesPercentage = minCandidateNodesPercentage;
        this.minCandidateNodesAbsolute = minCandidateNodesAbsolute;
        this.metrics = metrics == null ? PreemptionMetrics.NONE : metrics;
    }

    /** With Kubernetes' default arguments. */
    public DefaultPreemption(Function<String, Pod> podLister, Supplier<List<PodDisruptionBudget>> pdbLister, PreemptionApi api,
                             RandomGenerator random, PreemptionMetrics metrics) {
        this(podLister, pdbLister, api, random, DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE, DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE, metrics);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Kubernetes' {@code DefaultPreemption.PostFilter}: {@link #preempt}, its message prefixed by {@code preemption: }. */
    @Override
    public PostFilterResult postFilter(Handle handle, CycleState state, PodInfo pod, Diagnosis diagnosis) {
        metrics.preemptionAttempt();
        PostFilterResult r = preempt(handle, state, pod, diagnosis);
        String msg = r.status().message();
        if (!msg.isEmpty()) {
            return new PostFilterResult(new Status(r.status().code(), null, List.of("preemption: " + msg)), r.nominating());
        }
        return r;
    }

    /**
     * Kubernetes' {@code Evaluator.Preempt}. Returns success with the chosen node nominated; Unschedulable
     * with the nomination cleared when no node can be made to fit; Unschedulable or an error with the
     * nomination kept otherwise (not eligible, an apiserver call failed).
     */
    public PostFilterResult preempt(Handle handle, CycleState state, PodInfo podInfo, Diagnosis m) {
        // 0) the latest version of the pod (its nominated node may have been written meanwhile)
        PodInfo pod = podInfo;
        if (podLister != null) {
            Pod latest = podLister.apply(podInfo.key());
            if (latest == null) {
                return new PostFilterResult(Status.error("pod \"" + podInfo.pod().metadata.name + "\" not found"), null);
            }
            if (latest != podInfo.pod()) {
                pod = PodInfo.of(latest);
            }
        }
        Snapshot snapshot = state.snapshot();
        // 1) is the pod eligible to preempt at all?
        String notEligible = podEligibleToPreemptOthers(snapshot, pod, m.status(pod.nominatedNodeName()));
        if (notEligible != null) {
            log.debug("{} is not eligible for preemption: {}", pod.key(), notEligible);
            return new PostFilterResult(Status.unschedulable(notEligible), null);
        }
        // 2) find the candidates
        List<NodeInfo> allNodes = snapshot.nodes();
        if (allNodes.isEmpty()) {
            return new PostFilterResult(Status.error("no nodes available"), null);
        }
        List<NodeInfo> potentialNodes = m.nodesForStatusCode(allNodes, Status.Code.UNSCHEDULABLE);
        DryRunResult dryRun = DryRunResult.EMPTY;
        if (!potentialNodes.isEmpty()) {
            List<PodDisruptionBudget> pdbs = pdbLister == null ? List.of() : pdbLister.get();
            int offset = random.nextInt(potentialNodes.size());
            dryRun = dryRunPreemption(handle, state, pod, potentialNodes, pdbs, offset, calculateNumCandidates(potentialNodes.size()));
        } else {
            log.debug("preemption will not help schedule {} on any node", pod.key());
        }
        if (!dryRun.errors().isEmpty() && dryRun.candidates().isEmpty()) {
            return new PostFilterResult(Status.error(String.join(", ", dryRun.errors())), null);
        }
        if (dryRun.candidates().isEmpty()) {
            Diagnosis fit = new Diagnosis(allNodes.size());
            dryRun.nodeStatuses().forEach(fit::add);
            fit.setAbsentNodesStatus(Status.unresolvable(NOT_HELPFUL));
            return new PostFilterResult(Status.unschedulable(fit.message()), NominatingInfo.override(""));
        }
        // 3) no extenders in kube4j; 4) the best candidate
        Candidate best = selectCandidate(dryRun.candidates());
        // 5) preempt its victims
        Status prepared = prepareCandidate(handle, best, pod.pod());
        if (!prepared.isSuccess()) {
            return new PostFilterResult(prepared, null);
        }
        log.info("{} preempts {} pod(s) on {}: {}", pod.key(), best.victims().size(), best.nodeName(),
                best.victims().stream().map(PodInfo::key).toList());
        return PostFilterResult.nominated(best.nodeName());
    }

    /**
     * Kubernetes' {@code PodEligibleToPreemptOthers}: null when {@code pod} may preempt, else why not.
     *
     * @param nominatedNodeStatus the status of the pod's nominated node in this cycle
     */
    static String podEligibleToPreemptOthers(Snapshot snapshot, PodInfo pod, Status nominatedNodeStatus) {
        if ("Never".equals(pod.preemptionPolicy())) {
            return NOT_ELIGIBLE_NEVER;
        }
        String nominated = pod.nominatedNodeName();
        if (!nominated.isEmpty()) {
            // a nominated node the filters now reject for good: preempt elsewhere
            if (nominatedNodeStatus != null && nominatedNodeStatus.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                return null;
            }
            NodeInfo node = snapshot.get(nominated);
            if (node != null) {
                for (PodInfo p : node.pods()) {
                    if (p.priority() < pod.priority() && podTerminatingByPreemption(p.pod())) {
                        return NOT_ELIGIBLE_TERMINATING;
                    }
                }
            }
        }
        return null;
    }

    /** Whether the pod is terminating because the scheduler preempted it (its first DisruptionTarget condition says so). */
    static boolean podTerminatingByPreemption(Pod p) {
        if (p.metadata.deletionTimestamp == null || p.status == null) {
            return false;
        }
        for (PodCondition c : p.status.conditions) {
            if (DISRUPTION_TARGET.equals(c.type)) {
                return "True".equals(c.status) && REASON_PREEMPTION_BY_SCHEDULER.equals(c.reason);
            }
        }
        return false;
    }

    /** How many candidates the dry run looks for among {@code numNodes} potential nodes (Kubernetes' {@code calculateNumCandidates}). */
    int calculateNumCandidates(int numNodes) {
        int n = numNodes * minCandidateNodesPercentage / 100;
        if (n < minCandidateNodesAbsolute) {
            n = minCandidateNodesAbsolute;
        }
        return Math.min(n, numNodes);
    }

    /**
     * The outcome of a dry run.
     *
     * @param candidates   those violating no PDB first, then the others, each group in the order found
     * @param nodeStatuses why each node tried without success is no candidate
     * @param errors       the errors met (an apiserver-free simulation only errs on plugin bugs)
     */
    record DryRunResult(List<Candidate> candidates, Map<String, Status> nodeStatuses, List<String> errors) {
        static final DryRunResult EMPTY = new DryRunResult(List.of(), Map.of(), List.of());
    }

    /**
     * Kubernetes' {@code DryRunPreemption}: simulates preemption on the potential nodes starting at
     * {@code offset} (wrapping around), on copies of the nodes and of the cycle state, until
     * {@code candidatesNum} candidates are found of which at least one violates no PDB. At most
     * {@code candidatesNum} candidates of each kind are kept. Kubernetes tries nodes in parallel; kube4j's
     * scheduling thread tries them one after the other, which finds the same candidates as Kubernetes does
     * with parallelism 1.
     */
    DryRunResult dryRunPreemption(Handle handle, CycleState state, PodInfo pod, List<NodeInfo> potentialNodes,
                                  List<PodDisruptionBudget> pdbs, int offset, int candidatesNum) {
        List<Candidate> nonViolating = new ArrayList<>();
        List<Candidate> violating = new ArrayList<>();
        Map<String, Status> statuses = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        int n = potentialNodes.size();
        for (int i = 0; i < n; i++) {
            NodeInfo nodeCopy = potentialNodes.get((offset + i) % n).copy();
            VictimSelection selection = selectVictimsOnNode(handle, state.copy(), pod, nodeCopy, pdbs);
            Status status = selection.status();
            if (status.isSuccess() && !selection.victims().isEmpty()) {
                Candidate c = new Candidate(nodeCopy.name(), selection.victims(), selection.numPDBViolations());
                List<Candidate> into = c.numPDBViolations() == 0 ? nonViolating : violating;
                if (into.size() < candidatesNum) {
                    into.add(c);
                }
                if (!nonViolating.isEmpty() && nonViolating.size() + violating.size() >= candidatesNum) {
                    break;
                }
                continue;
            }
            if (status.isSuccess()) {
                status = Status.error("expected at least one victim pod on node \"" + nodeCopy.name() + "\"");
            }
            if (status.code() == Status.Code.ERROR) {
                errors.add(status.message());
            }
            statuses.put(nodeCopy.name(), status);
        }
        List<Candidate> candidates = new ArrayList<>(nonViolating);
        candidates.addAll(violating);
        return new DryRunResult(candidates, statuses, errors);
    }

    /** The victims of one node, how many of them violate a PDB, and whether the pod fits at all. */
    record VictimSelection(List<PodInfo> victims, int numPDBViolations, Status status) {
        static VictimSelection failed(Status status) {
            return new VictimSelection(List.of(), 0, status);
        }
    }

    /**
     * Kubernetes' {@code SelectVictimsOnNode}: the fewest pods of lower priority to remove from
     * {@code nodeInfo} (a copy, changed in place, as is {@code state}) for {@code pod} to fit there.
     * Affinity of the pod to would-be victims is not considered (as in Kubernetes: pods that may preempt
     * each other should not depend on each other).
     */
    VictimSelection selectVictimsOnNode(Handle handle, CycleState state, PodInfo pod, NodeInfo nodeInfo, List<PodDisruptionBudget> pdbs) {
        List<PodInfo> potentialVictims = new ArrayList<>();
        for (PodInfo p : nodeInfo.pods()) {
            if (p.priority() < pod.priority()) {
                potentialVictims.add(p);
            }
        }
        for (PodInfo p : potentialVictims) {
            Status s = removePod(handle, state, pod, p, nodeInfo);
            if (!s.isSuccess()) {
                return VictimSelection.failed(s);
            }
        }
        if (potentialVictims.isEmpty()) {
            // the node is unchanged: no need to filter it again
            return VictimSelection.failed(Status.unresolvable(NO_VICTIMS));
        }
        // the pod must fit with all lower-priority pods gone; if not, this node cannot help
        Status fits = handle.runFiltersWithNominatedPods(state, pod, nodeInfo);
        if (!fits.isSuccess()) {
            return VictimSelection.failed(fits);
        }
        Instant now = Instant.now();
        Comparator<PodInfo> moreImportantFirst = moreImportantFirst(now);
        potentialVictims.sort(moreImportantFirst);
        List<PodInfo> violatingVictims = new ArrayList<>();
        List<PodInfo> nonViolatingVictims = new ArrayList<>();
        filterPodsWithPDBViolation(potentialVictims, pdbs, violatingVictims, nonViolatingVictims);
        List<PodInfo> victims = new ArrayList<>();
        int numViolating = 0;
        for (PodInfo p : violatingVictims) {
            Reprieve r = reprieve(handle, state, pod, p, nodeInfo, victims);
            if (r.error() != null) {
                return VictimSelection.failed(r.error());
            }
            if (!r.fits()) {
                numViolating++;
            }
        }
        for (PodInfo p : nonViolatingVictims) {
            Reprieve r = reprieve(handle, state, pod, p, nodeInfo, victims);
            if (r.error() != null) {
                return VictimSelection.failed(r.error());
            }
        }
        if (!violatingVictims.isEmpty() && !nonViolatingVictims.isEmpty()) {
            victims.sort(moreImportantFirst);
        }
        return new VictimSelection(victims, numViolating, Status.SUCCESS);
    }

    private record Reprieve(boolean fits, Status error) {
    }

    // gives p back to the node; if the pod no longer fits, takes it away again and makes it a victim
    private static Reprieve reprieve(Handle handle, CycleState state, PodInfo pod, PodInfo p, NodeInfo nodeInfo, List<PodInfo> victims) {
        Status s = addPod(handle, state, pod, p, nodeInfo);
        if (!s.isSuccess()) {
            return new Reprieve(false, s);
        }
        boolean fits = handle.runFiltersWithNominatedPods(state, pod, nodeInfo).isSuccess();
        if (!fits) {
            s = removePod(handle, state, pod, p, nodeInfo);
            if (!s.isSuccess()) {
                return new Reprieve(false, s);
            }
            victims.add(p);
            log.trace("{} is a potential preemption victim on {}", p.key(), nodeInfo.name());
        }
        return new Reprieve(fits, null);
    }

    private static Status removePod(Handle handle, CycleState state, PodInfo pod, PodInfo victim, NodeInfo nodeInfo) {
        nodeInfo.removePod(victim.key());
        return handle.runPreFilterExtensionRemovePod(state, pod, victim, nodeInfo);
    }

    private static Status addPod(Handle handle, CycleState state, PodInfo pod, PodInfo victim, NodeInfo nodeInfo) {
        nodeInfo.addPod(victim);
        return handle.runPreFilterExtensionAddPod(state, pod, victim, nodeInfo);
    }

    /**
     * Kubernetes' {@code util.MoreImportantPod} as a sort order: higher priority first, then the pod that
     * started earlier (a pod without {@code status.startTime} counts as starting {@code now}).
     */
    static Comparator<PodInfo> moreImportantFirst(Instant now) {
        return Comparator.comparingInt(PodInfo::priority).reversed().thenComparing(p -> startTime(p, now));
    }

    /** Kubernetes' {@code util.GetPodStartTime}: {@code status.startTime}, or {@code now} for pods not started yet. */
    static Instant startTime(PodInfo p, Instant now) {
        Pod pod = p.pod();
        if (pod.status == null || pod.status.startTime == null) {
            return now;
        }
        try {
            Instant t = Times.parse(pod.status.startTime);
            return t == null ? now : t;
        } catch (RuntimeException e) {
            return now;
        }
    }

    /**
     * Kubernetes' {@code filterPodsWithPDBViolation}: splits {@code pods} (order kept) into those whose
     * preemption would exceed a PDB's {@code status.disruptionsAllowed} and the others. A PDB counts for a pod
     * when it is in the pod's namespace, its selector is valid and non-empty and matches the pod's labels,
     * and the pod is not already in its {@code status.disruptedPods}.
     */
    static void filterPodsWithPDBViolation(List<PodInfo> pods, List<PodDisruptionBudget> pdbs, List<PodInfo> violating, List<PodInfo> nonViolating) {
        int[] allowed = new int[pdbs.size()];
        Selector[] selectors = new Selector[pdbs.size()];
        for (int i = 0; i < pdbs.size(); i++) {
            PodDisruptionBudget pdb = pdbs.get(i);
            allowed[i] = pdb.status == null ? 0 : pdb.status.disruptionsAllowed;
            selectors[i] = selector(pdb);
        }
        for (PodInfo p : pods) {
            boolean violated = false;
            // a pod without labels matches no PDB
            if (!p.labels().isEmpty()) {
                for (int i = 0; i < pdbs.size(); i++) {
                    PodDisruptionBudget pdb = pdbs.get(i);
                    if (selectors[i] == null || !java.util.Objects.equals(pdb.metadata.namespace, p.namespace())
                            || !selectors[i].matches(p.labels())) {
                        continue;
                    }
                    // already granted by the apiserver's eviction: not a new disruption
                    if (pdb.status != null && pdb.status.disruptedPods != null && pdb.status.disruptedPods.containsKey(p.pod().metadata.name)) {
                        continue;
                    }
                    allowed[i]--;
                    if (allowed[i] < 0) {
                        violated = true;
                    }
                }
            }
            (violated ? violating : nonViolating).add(p);
        }
    }

    // null for a selector that matches nothing: missing, empty or invalid
    private static Selector selector(PodDisruptionBudget pdb) {
        if (pdb.spec == null || pdb.spec.selector == null) {
            return null;
        }
        try {
            Selector s = Selector.from(pdb.spec.selector);
            return s.isEverything() ? null : s;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Kubernetes' {@code SelectCandidate}: the best candidate by {@link #pickOneNodeForPreemption}. */
    static Candidate selectCandidate(List<Candidate> candidates) {
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        return pickOneNodeForPreemption(candidates, Instant.now());
    }

    /**
     * Kubernetes' {@code pickOneNodeForPreemption}: each criterion keeps the candidates with the best score,
     * the next one breaks their ties: fewest PDB violations; lowest priority of the most important victim;
     * smallest sum of victim priorities (each shifted by 2^31 so negative priorities do not reward more
     * victims); fewest victims; latest start of the earliest-started most important victim. Then the first
     * remaining candidate (Kubernetes: the first in map order, i.e. any).
     */
    static Candidate pickOneNodeForPreemption(List<Candidate> candidates, Instant now) {
        List<java.util.function.ToLongFunction<Candidate>> scoreFuncs = List.of(
                c -> -c.numPDBViolations(),
                c -> -(long) c.victims().getFirst().priority(),
                c -> {
                    long sum = 0;
                    for (PodInfo p : c.victims()) {
                        sum += (long) p.priority() + (long) Integer.MAX_VALUE + 1;
                    }
                    return -sum;
                },
                c -> -(long) c.victims().size(),
                c -> earliestStartOfMostImportantVictims(c, now));
        List<Candidate> remaining = candidates;
        for (java.util.function.ToLongFunction<Candidate> f : scoreFuncs) {
            List<Candidate> selected = new ArrayList<>();
            long max = Long.MIN_VALUE;
            for (Candidate c : remaining) {
                long score = f.applyAsLong(c);
                if (score > max) {
                    max = score;
                    selected.clear();
                }
                if (score == max) {
                    selected.add(c);
                }
            }
            if (selected.size() == 1) {
                return selected.getFirst();
            }
            remaining = selected;
        }
        return remaining.getFirst();
    }

    // Kubernetes' util.GetEarliestPodStartTime, in nanoseconds since the epoch
    private static long earliestStartOfMostImportantVictims(Candidate c, Instant now) {
        Instant earliest = startTime(c.victims().getFirst(), now);
        int maxPriority = c.victims().getFirst().priority();
        for (PodInfo p : c.victims()) {
            if (p.priority() == maxPriority) {
                Instant t = startTime(p, now);
                if (t.isBefore(earliest)) {
                    earliest = t;
                }
            } else if (p.priority() > maxPriority) {
                maxPriority = p.priority();
                earliest = startTime(p, now);
            }
        }
        return earliest.getEpochSecond() * 1_000_000_000L + earliest.getNano();
    }

    /**
     * Kubernetes' {@code prepareCandidate}: preempts every victim not already terminating (in parallel),
     * then removes the nomination of lower-priority pods nominated to the node: they may no longer fit
     * there, and removing it lets them look elsewhere now rather than after the victims are gone.
     */
    Status prepareCandidate(Handle handle, Candidate c, Pod preemptor) {
        List<Pod> toDelete = new ArrayList<>();
        for (PodInfo v : c.victims()) {
            if (v.pod().metadata.deletionTimestamp != null) {
                log.debug("victim {} of {} is already being deleted", v.key(), preemptor.key());
                continue;
            }
            toDelete.add(v.pod());
        }
        if (toDelete.size() == 1) {
            try {
                api.preemptPod(preemptor, toDelete.getFirst(), c.nodeName());
            } catch (RuntimeException e) {
                return Status.error(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        } else if (!toDelete.isEmpty()) {
            try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> calls = new ArrayList<>();
                for (Pod victim : toDelete) {
                    calls.add(parallel.submit(() -> api.preemptPod(preemptor, victim, c.nodeName())));
                }
                for (Future<?> f : calls) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        Throwable cause = e.getCause();
                        return Status.error(cause.getMessage() == null ? cause.toString() : cause.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Status.error("interrupted while preempting");
                    }
                }
            }
        }
        metrics.preemptionVictims(c.victims().size());
        int priority = preemptor.spec.priority == null ? 0 : preemptor.spec.priority;
        for (PodInfo nominated : handle.nominator().nominatedPodsForNode(c.nodeName())) {
            if (nominated.priority() < priority && !nominated.nominatedNodeName().isEmpty()) {
                try {
                    api.clearNominatedNodeName(nominated.pod());
                } catch (RuntimeException e) {
                    // not critical: the pod gets another chance anyway
                    log.info("could not clear the nominated node of {}: {}", nominated.key(), e.getMessage());
                }
            }
        }
        return Status.SUCCESS;
    }
}
