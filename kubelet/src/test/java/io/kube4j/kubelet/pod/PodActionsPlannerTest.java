package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.kubelet.probe.ProbeResults;
import io.kube4j.kubelet.probe.ProbeType;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner, case by case, against what Kubernetes 1.32's computePodActions / computeInitContainerActions
 * / doBackOff / active_deadline do for the same pod and runtime state. Each row: a pod, what the runtime
 * has, the probes' verdicts, back-off entries and the time; and the expected plan.
 */
class PodActionsPlannerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final PodRef REF = new PodRef("uid-1", "default", "web");

    /** One row of the table. */
    record Case(String name, Pod pod, RuntimePod runtime, ProbeResults probes, Consumer<Backoff> backoff, Instant startTime, Expected expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The parts of a plan a row checks; kills as {@code name:REASON}. */
    record Expected(boolean killPod, boolean createSandbox, List<Integer> initToStart, List<Integer> toStart, List<String> kills,
                    List<String> backOff, boolean deadline) {
    }

    static Stream<Case> cases() {
        List<Case> t = new ArrayList<>();
        // ---- sandbox ----
        t.add(row("new pod: sandbox first, then its container", pod("Always", c("app")), rt(false), none(), b -> { }, null,
                plan(true, true, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("new pod with init containers: sandbox and the first init container only", pod("Always", c("app"), init("i1"), init("i2")), rt(false),
                none(), b -> { }, null, plan(true, true, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("sandbox died (Always): kill all, new sandbox, initialization starts over", pod("Always", c("app"), init("i1")),
                rt(false, exited("i1", 0, 0), exited("app", 0, 137)), none(), b -> { }, null,
                plan(true, true, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("sandbox died (Never) after containers ran: killed, no new sandbox", pod("Never", c("app")),
                rtAttempt(exited("app", 0, 0)), none(), b -> { }, null, plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        // ---- init containers in order, each to completion ----
        t.add(row("init container running: wait", pod("Always", c("app"), init("i1"), init("i2")), rt(true, running("i1", 0)), none(), b -> { }, null,
                nothing()));
        t.add(row("first init container completed: start the second", pod("Always", c("app"), init("i1"), init("i2")),
                rt(true, exited("i1", 0, 0)), none(), b -> { }, null, plan(false, false, List.of(1), List.of(), List.of(), List.of(), false)));
        t.add(row("all init containers completed: start the containers", pod("Always", c("app"), c("web2"), init("i1"), init("i2")),
                rt(true, exited("i1", 0, 0), exited("i2", 0, 0)), none(), b -> { }, null,
                plan(false, false, List.of(), List.of(0, 1), List.of(), List.of(), false)));
        t.add(row("completed init containers removed since: initialization is judged by the last one", pod("Always", c("app"), init("i1"), init("i2")),
                rt(true, exited("i2", 0, 0)), none(), b -> { }, null, plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        // ---- init failure per restartPolicy ----
        t.add(row("init container failed, restartPolicy Never: the pod is killed", pod("Never", c("app"), init("i1")),
                rt(true, exited("i1", 0, 1)), none(), b -> { }, null, plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        t.add(row("init container OOMKilled, restartPolicy Never: the pod is killed", pod("Never", c("app"), init("i1")),
                rt(true, oom("i1")), none(), b -> { }, null, plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        t.add(row("init container failed, restartPolicy OnFailure: restarted", pod("OnFailure", c("app"), init("i1")),
                rt(true, exited("i1", 0, 1)), none(), b -> { }, null, plan(false, false, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("init container failed, restartPolicy Always: restarted", pod("Always", c("app"), init("i1")),
                rt(true, exited("i1", 0, 1)), none(), b -> { }, null, plan(false, false, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("init container failed again within its back-off: CrashLoopBackOff", pod("Always", c("app"), init("i1")),
                rt(true, exited("i1", 1, 1)), none(), b -> b.next("uid-1/i1", NOW.minusSeconds(30), NOW.minusSeconds(20)), null,
                plan(false, false, List.of(), List.of(), List.of(), List.of("i1"), false)));
        // ---- sidecars ----
        t.add(row("sidecar: started first, like an init container", pod("Never", c("app"), sidecar("log")), rt(true), none(), b -> { }, null,
                plan(false, false, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("sidecar running: the next init container starts without waiting for it to finish", pod("Never", c("app"), sidecar("log"), init("i1")),
                rt(true, running("log", 0)), none(), b -> { }, null, plan(false, false, List.of(1), List.of(), List.of(), List.of(), false)));
        t.add(row("sidecars running, last one started: the containers start", pod("Never", c("app"), sidecar("s1"), sidecar("s2")),
                rt(true, running("s1", 0), running("s2", 0)), none(), b -> { }, null, plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("sidecar with a startup probe that has not succeeded: the rest waits", pod("Never", c("app"), withStartup(sidecar("log")), init("i1")),
                rt(true, running("log", 0)), none(), b -> { }, null, nothing()));
        t.add(row("sidecar failing its startup probe: killed and restarted", pod("Never", c("app"), withStartup(sidecar("log"))),
                rt(true, running("log", 0)), probes(ProbeType.STARTUP, "log#0", ProbeResults.Result.FAILURE), b -> { }, null,
                plan(false, false, List.of(0), List.of(), List.of("log:STARTUP_PROBE"), List.of(), false)));
        t.add(row("sidecar kept running beside the containers", pod("Never", c("app"), sidecar("log")),
                rt(true, running("log", 0), running("app", 0)), none(), b -> { }, null, nothing()));
        t.add(row("sidecar exited while the containers run: restarted even under Never", pod("Never", c("app"), sidecar("log")),
                rt(true, exited("log", 0, 1), running("app", 0)), none(), b -> { }, null,
                plan(false, false, List.of(0), List.of(), List.of(), List.of(), false)));
        t.add(row("sidecar failing its liveness probe: killed and restarted", pod("Always", c("app"), withLiveness(sidecar("log"))),
                rt(true, running("log", 0), running("app", 0)), probes(ProbeType.LIVENESS, "log#0", ProbeResults.Result.FAILURE), b -> { }, null,
                plan(false, false, List.of(0), List.of(), List.of("log:LIVENESS_PROBE"), List.of(), false)));
        t.add(row("containers all done (Never): the pod is killed, sidecars last, not restarted", pod("Never", c("app"), sidecar("log")),
                rt(true, running("log", 0), exited("app", 0, 0)), none(), b -> { }, null,
                plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        // Kubernetes does the same: an exited main container is no proof of initialization, so the sidecar
        // comes back first; the next sync sees it running and kills the pod as above
        t.add(row("containers done (OnFailure) while a sidecar had exited: the sidecar is restarted first", pod("OnFailure", c("app"), sidecar("log")),
                rt(true, exited("log", 0, 1), exited("app", 0, 0)), none(), b -> { }, null,
                plan(false, false, List.of(0), List.of(), List.of(), List.of(), false)));
        // ---- restartPolicy of containers ----
        t.add(row("Always: an exited container is restarted, exit 0 too", pod("Always", c("app")), rt(true, exited("app", 0, 0)), none(), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("OnFailure: a failed container is restarted", pod("OnFailure", c("app")), rt(true, exited("app", 0, 2)), none(), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("OnFailure: a completed container is not, and the pod is done", pod("OnFailure", c("app")), rt(true, exited("app", 0, 0)), none(),
                b -> { }, null, plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        t.add(row("Never: nothing is restarted; one still running keeps the pod", pod("Never", c("a"), c("b")), rt(true, exited("a", 0, 1), running("b", 0)),
                none(), b -> { }, null, nothing()));
        t.add(row("created but never started (runtime failed): started again", pod("Never", c("app")), rt(true, created("app", 0)), none(), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("unknown state: killed before it is started again", pod("Always", c("app")), rt(true, unknown("app", 0)), none(), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of("app:UNKNOWN"), List.of(), false)));
        // ---- back-off ----
        t.add(row("crashed within its 10 s back-off: waits in CrashLoopBackOff", pod("Always", c("app")), rt(true, exited("app", 1, 1)), none(),
                b -> b.next("uid-1/app", NOW.minusSeconds(20), NOW.minusSeconds(6)), null,
                plan(false, false, List.of(), List.of(), List.of(), List.of("app"), false)));
        t.add(row("back-off over: restarted", pod("Always", c("app")), rtExitedAt("app", NOW.minusSeconds(10)), none(),
                b -> b.next("uid-1/app", NOW.minusSeconds(30), NOW.minusSeconds(25)), null,
                plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("ran more than 10 min since the last restart: back-off forgotten", pod("Always", c("app")), rtExitedAt("app", NOW.minusSeconds(1)), none(),
                b -> b.next("uid-1/app", NOW.minusSeconds(700), NOW.minusSeconds(700)), null,
                plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("killed by a failing postStart hook (Always): restarted", pod("Always", withPostStart(c("app"))), rt(true, exited("app", 0, 143)), none(),
                b -> { }, null, plan(false, false, List.of(), List.of(0), List.of(), List.of(), false)));
        t.add(row("killed by a failing postStart hook (Never): not restarted, the pod is done", pod("Never", withPostStart(c("app"))),
                rt(true, exited("app", 0, 143)), none(), b -> { }, null, plan(true, false, List.of(), List.of(), List.of(), List.of(), false)));
        // ---- probes ----
        t.add(row("liveness failure: killed, will be restarted", pod("Always", withLiveness(c("app"))), rt(true, running("app", 0)),
                probes(ProbeType.LIVENESS, "app#0", ProbeResults.Result.FAILURE), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of("app:LIVENESS_PROBE"), List.of(), false)));
        t.add(row("liveness failure under Never: killed, not restarted; nothing left, so the pod is killed", pod("Never", withLiveness(c("app"))),
                rt(true, running("app", 0)), probes(ProbeType.LIVENESS, "app#0", ProbeResults.Result.FAILURE), b -> { }, null,
                plan(true, false, List.of(), List.of(), List.of("app:LIVENESS_PROBE"), List.of(), false)));
        t.add(row("startup probe not yet succeeded gates liveness: kept", pod("Always", withLiveness(withStartup(c("app")))), rt(true, running("app", 0)),
                probes(ProbeType.LIVENESS, "app#0", ProbeResults.Result.FAILURE), b -> { }, null, nothing()));
        t.add(row("startup probe succeeded: liveness counts", pod("Always", withLiveness(withStartup(c("app")))), rt(true, running("app", 0)),
                probes(Map.of(ProbeType.LIVENESS + "app#0", ProbeResults.Result.FAILURE, ProbeType.STARTUP + "app#0", ProbeResults.Result.SUCCESS)),
                b -> { }, null, plan(false, false, List.of(), List.of(0), List.of("app:LIVENESS_PROBE"), List.of(), false)));
        t.add(row("startup probe failed: killed, will be restarted", pod("Always", withStartup(c("app"))), rt(true, running("app", 0)),
                probes(ProbeType.STARTUP, "app#0", ProbeResults.Result.FAILURE), b -> { }, null,
                plan(false, false, List.of(), List.of(0), List.of("app:STARTUP_PROBE"), List.of(), false)));
        // ---- activeDeadlineSeconds ----
        t.add(row("active deadline reached: the pod is killed and fails", deadline(pod("Always", c("app")), 3), rt(true, running("app", 0)), none(),
                b -> { }, NOW.minusSeconds(3), plan(true, false, List.of(), List.of(), List.of(), List.of(), true)));
        t.add(row("active deadline not yet reached: nothing", deadline(pod("Always", c("app")), 3), rt(true, running("app", 0)), none(), b -> { },
                NOW.minusSeconds(2), nothing()));
        t.add(row("no start time yet: no deadline", deadline(pod("Always", c("app")), 3), rt(true, running("app", 0)), none(), b -> { }, null, nothing()));
        return t.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plansWhatKubernetesDoes(Case c) {
        Backoff backoff = Backoff.kubelet();
        c.backoff().accept(backoff);

        PodActions a = PodActionsPlanner.compute(c.pod(), c.runtime(), c.probes(), backoff, c.startTime(), NOW);

        Expected e = c.expected();
        assertThat(a.killPod()).as("killPod").isEqualTo(e.killPod());
        assertThat(a.createSandbox()).as("createSandbox").isEqualTo(e.createSandbox());
        assertThat(a.initContainersToStart()).as("initContainersToStart").isEqualTo(e.initToStart());
        assertThat(a.containersToStart()).as("containersToStart").isEqualTo(e.toStart());
        assertThat(a.containersToKill()).extracting(k -> k.name() + ":" + k.reason()).as("containersToKill").isEqualTo(e.kills());
        assertThat(a.backOff().keySet()).as("backOff").containsExactlyInAnyOrderElementsOf(e.backOff());
        assertThat(a.deadlineExceeded()).as("deadlineExceeded").isEqualTo(e.deadline());
    }

    @org.junit.jupiter.api.Test
    void backOffMessageAndKillMessagesAreKubernetes() {
        Backoff backoff = Backoff.kubelet();
        backoff.next("uid-1/app", NOW.minusSeconds(40), NOW.minusSeconds(30));
        backoff.next("uid-1/app", NOW.minusSeconds(20), NOW.minusSeconds(10));
        PodActions a = PodActionsPlanner.compute(pod("Always", c("app")), rt(true, exited("app", 2, 1)), none(), backoff, null, NOW);
        assertThat(a.backOff().get("app").reason).isEqualTo("CrashLoopBackOff");
        assertThat(a.backOff().get("app").message).isEqualTo("back-off 20s restarting failed container=app pod=web_default(uid-1)");

        PodActions kill = PodActionsPlanner.compute(pod("Always", withLiveness(c("app"))), rt(true, running("app", 0)),
                probes(ProbeType.LIVENESS, "app#0", ProbeResults.Result.FAILURE), Backoff.kubelet(), null, NOW);
        assertThat(kill.containersToKill().get(0).message()).isEqualTo("Container app failed liveness probe, will be restarted");
        assertThat(PodActionsPlanner.goDuration(Duration.ofSeconds(160))).isEqualTo("2m40s");
        assertThat(PodActionsPlanner.goDuration(Duration.ofMinutes(5))).isEqualTo("5m0s");
    }

    /** computePodActions: an ephemeral container without a status starts (even before initialization ends), once. */
    @org.junit.jupiter.api.Test
    void ephemeralContainersStartOnceAndNeverRestart() {
        Pod pod = pod("Always", c("app"), init("i1"));
        io.kube4j.api.EphemeralContainer debug = new io.kube4j.api.EphemeralContainer();
        debug.name = "debugger";
        debug.image = "busybox";
        pod.spec.ephemeralContainers.add(debug);

        PodActions initializing = PodActionsPlanner.compute(pod, rt(true, running("i1", 0)), none(), Backoff.kubelet(), null, NOW);
        assertThat(initializing.ephemeralContainersToStart()).containsExactly(0);
        assertThat(initializing.containersToStart()).isEmpty();

        PodActions running = PodActionsPlanner.compute(pod, rt(true, exited("i1", 0, 0), running("app", 0), running("debugger", 0)),
                none(), Backoff.kubelet(), null, NOW);
        assertThat(running.ephemeralContainersToStart()).isEmpty();
        PodActions exited = PodActionsPlanner.compute(pod, rt(true, exited("i1", 0, 0), running("app", 0), exited("debugger", 0, 1)),
                none(), Backoff.kubelet(), null, NOW);
        assertThat(exited.ephemeralContainersToStart()).isEmpty();
        assertThat(exited.isEmpty()).isTrue();

        // a new sandbox is made first; ephemeral containers wait for the next sync, as in Kubernetes
        PodActions fresh = PodActionsPlanner.compute(pod, rt(false), none(), Backoff.kubelet(), null, NOW);
        assertThat(fresh.createSandbox()).isTrue();
        assertThat(fresh.ephemeralContainersToStart()).isEmpty();
    }

    // ---- builders -----------------------------------------------------------------------------

    private static Case row(String name, Pod pod, RuntimePod rt, ProbeResults probes, Consumer<Backoff> backoff, Instant startTime, Expected e) {
        return new Case(name, pod, rt, probes, backoff, startTime, e);
    }

    private static Expected plan(boolean killPod, boolean createSandbox, List<Integer> init, List<Integer> start, List<String> kills, List<String> backOff,
                                 boolean deadline) {
        return new Expected(killPod, createSandbox, init, start, kills, backOff, deadline);
    }

    private static Expected nothing() {
        return plan(false, false, List.of(), List.of(), List.of(), List.of(), false);
    }

    /** containers and init containers in one list: init(...) / sidecar(...) go to initContainers. */
    private static Pod pod(String restartPolicy, Container... all) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-1";
        p.spec.restartPolicy = restartPolicy;
        for (Container c : all) {
            if (c.unknownFields.containsKey("init")) {
                c.unknownFields.remove("init");
                p.spec.initContainers.add(c);
            } else {
                p.spec.containers.add(c);
            }
        }
        return p;
    }

    private static Pod deadline(Pod p, long seconds) {
        p.spec.activeDeadlineSeconds = seconds;
        return p;
    }

    private static Container c(String name) {
        Container c = new Container();
        c.name = name;
        c.image = "busybox";
        return c;
    }

    private static Container init(String name) {
        Container c = c(name);
        c.unknownFields.put("init", true);
        return c;
    }

    private static Container sidecar(String name) {
        Container c = init(name);
        c.restartPolicy = "Always";
        return c;
    }

    private static Container withStartup(Container c) {
        c.startupProbe = new Probe();
        return c;
    }

    private static Container withLiveness(Container c) {
        c.livenessProbe = new Probe();
        return c;
    }

    private static Container withPostStart(Container c) {
        c.lifecycle = new Container.Lifecycle();
        c.lifecycle.postStart = new Probe.Handler();
        return c;
    }

    private static RuntimePod rt(boolean sandboxReady, ContainerInfo... containers) {
        return new RuntimePod("uid-1", List.of(new Sandbox("sb-0", REF, 0, sandboxReady, sandboxReady ? "10.0.0.9" : null, NOW.minusSeconds(100))),
                List.of(containers));
    }

    /** No sandbox at all yet, but containers from an earlier one (attempt 0 gone). */
    private static RuntimePod rtAttempt(ContainerInfo... containers) {
        return new RuntimePod("uid-1", List.of(new Sandbox("sb-0", REF, 0, false, null, NOW.minusSeconds(100))), List.of(containers));
    }

    private static RuntimePod rtExitedAt(String name, Instant finishedAt) {
        return rt(true, new ContainerInfo(name + "#1", REF, name, 1, "busybox", "busybox", ContainerInfo.State.EXITED, NOW.minusSeconds(900),
                NOW.minusSeconds(800), finishedAt, 1, null, null));
    }

    private static ContainerInfo running(String name, int attempt) {
        return new ContainerInfo(name + "#" + attempt, REF, name, attempt, "busybox", "busybox", ContainerInfo.State.RUNNING, NOW.minusSeconds(60),
                NOW.minusSeconds(59), null, 0, null, null);
    }

    private static ContainerInfo exited(String name, int attempt, int code) {
        return new ContainerInfo(name + "#" + attempt, REF, name, attempt, "busybox", "busybox", ContainerInfo.State.EXITED, NOW.minusSeconds(60),
                NOW.minusSeconds(59), NOW.minusSeconds(5), code, null, null);
    }

    private static ContainerInfo oom(String name) {
        return new ContainerInfo(name + "#0", REF, name, 0, "busybox", "busybox", ContainerInfo.State.EXITED, NOW.minusSeconds(60),
                NOW.minusSeconds(59), NOW.minusSeconds(5), 137, "OOMKilled", null);
    }

    private static ContainerInfo created(String name, int attempt) {
        return new ContainerInfo(name + "#" + attempt, REF, name, attempt, "busybox", "busybox", ContainerInfo.State.CREATED, NOW.minusSeconds(60),
                null, null, 0, null, null);
    }

    private static ContainerInfo unknown(String name, int attempt) {
        return new ContainerInfo(name + "#" + attempt, REF, name, attempt, "busybox", "busybox", ContainerInfo.State.UNKNOWN, NOW.minusSeconds(60),
                null, null, 0, null, null);
    }

    private static ProbeResults none() {
        return ProbeResults.NONE;
    }

    private static ProbeResults probes(ProbeType type, String id, ProbeResults.Result r) {
        return probes(Map.of(type + id, r));
    }

    private static ProbeResults probes(Map<String, ProbeResults.Result> byTypeAndId) {
        Map<String, ProbeResults.Result> m = new HashMap<>(byTypeAndId);
        return (type, id) -> m.getOrDefault(type + id, ProbeResults.Result.UNKNOWN);
    }
}
