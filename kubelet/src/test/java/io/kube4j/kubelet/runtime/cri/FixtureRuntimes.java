package io.kube4j.kubelet.runtime.cri;

import io.kube4j.testing.ContainerdFixture;

import java.time.Duration;
import java.time.Instant;

/** {@link CriRuntime}s on the test's own containerd ({@link ContainerdFixture}, common's test-jar). */
public final class FixtureRuntimes {
    private FixtureRuntimes() {
    }

    /**
     * A CRI runtime on {@code containerd} for {@code node}, its logs and pod directories under the fixture's directory,
     * once the CRI plugin answers Version (it may still be initialising right after containerd booted).
     *
     * @throws IllegalStateException with the last error when the CRI does not answer within 30 s
     */
    public static CriRuntime on(ContainerdFixture containerd, String node) {
        CriRuntime runtime = new CriRuntime("unix://" + containerd.socket, node, ContainerdFixture.SANDBOX_IMAGE,
                containerd.dir.resolve("logs"), containerd.dir.resolve("pods"), null);
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try {
                runtime.version();
                return runtime;
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    runtime.close();
                    throw new IllegalStateException("the CRI of " + containerd.socket + " does not answer: " + e.getMessage()
                            + "\n--- containerd log (errors) ---\n" + containerd.log(), e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    runtime.close();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }
}
