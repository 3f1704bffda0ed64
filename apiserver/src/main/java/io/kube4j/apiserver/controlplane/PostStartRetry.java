package io.kube4j.apiserver.controlplane;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How the apiserver's start-up writers retry until storage answers: the RBAC bootstrap policy, the system
 * namespaces and priority classes, kubeadm's join objects. Like kube-apiserver's post-start hooks
 * ({@code rbac/bootstrap-roles}, {@code start-system-namespaces-controller}), they cannot fail the start: each attempt
 * that throws is reported and tried again after 200 ms, doubling up to 5 s.
 */
public final class PostStartRetry {
    private static final long FIRST_DELAY_MS = 200;
    private static final long MAX_DELAY_MS = 5000;

    private PostStartRetry() {
    }

    /**
     * Runs {@code attempt} until it returns without throwing.
     *
     * @param keepGoing checked before every attempt; false stops the retries (the component is stopping)
     * @param attempt   the idempotent write
     * @param onFailure told of every failed attempt (the caller logs it at its own level)
     * @return true once an attempt succeeded; false when stopped by {@code keepGoing} or an interrupt
     */
    public static boolean untilDone(BooleanSupplier keepGoing, Runnable attempt, Consumer<RuntimeException> onFailure) {
        long delay = FIRST_DELAY_MS;
        while (keepGoing.getAsBoolean()) {
            try {
                attempt.run();
                return true;
            } catch (RuntimeException e) {
                onFailure.accept(e);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                delay = Math.min(delay * 2, MAX_DELAY_MS);
            }
        }
        return false;
    }
}
