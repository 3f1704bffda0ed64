package io.kube4j.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI smoke run of {@link DensityBenchmark} (issue #18: "a smoke run of the density benchmark in CI that fails
 * only on errors or lost pods, not on time"): one round, a Deployment of {@code kube4j.smoke.pods} (100) replicas on
 * {@code kube4j.smoke.nodes} (10) hollow nodes in one kubelet process (plain HTTP, see {@link Density}), then the same pods pre-bound. It prints the
 * figures but asserts only that every pod was created exactly once, none Failed, no create was refused and all
 * reached Running within a generous 5 minutes (55 s on our loaded 2-core machine, the cluster's start included).
 */
class DensitySmokeIT {
    private static final int PODS = Integer.getInteger("kube4j.smoke.pods", 100);
    private static final int NODES = Integer.getInteger("kube4j.smoke.nodes", 10);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Test
    void deploymentAndPreBoundPodsAllRunNoneLost() throws Exception {
        try (Density d = new Density(NODES, NODES, 110, false)) {
            Density.Result deployment = d.deployment("smoke-deployment", PODS, TIMEOUT);
            System.out.println("DensitySmokeIT: " + deployment.describe());
            Density.Result preBound = d.preBound("smoke-pre-bound", PODS, TIMEOUT);
            System.out.println("DensitySmokeIT: " + preBound.describe());
            System.out.printf("DensitySmokeIT: ratio deployment / pre-bound %.2f%n", deployment.seconds() / preBound.seconds());
            for (Density.Result r : java.util.List.of(deployment, preBound)) {
                assertThat(r.running()).as(r.name() + " pods Running").isEqualTo(PODS);
                assertThat(r.created()).as(r.name() + " pods created").isEqualTo(PODS);
                assertThat(r.failed()).as(r.name() + " pods Failed").isZero();
                assertThat(r.createErrors()).as(r.name() + " refused creates").isZero();
            }
        }
    }
}
