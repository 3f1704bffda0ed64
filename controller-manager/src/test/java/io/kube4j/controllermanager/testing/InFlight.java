package io.kube4j.controllermanager.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Measures how many matching actions a controller has in flight at once, for
 * {@link RecordingClient#failWhen}: each matching action is held for {@code holdMillis} and counted
 * while held; none is failed. Optionally fails the {@code n}-th matching action (1-based).
 */
public final class InFlight implements Predicate<Action> {
    private final Predicate<Action> matches;
    private final long holdMillis;
    private final int failNth;
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicInteger seen = new AtomicInteger();

    /** Holds each action matching {@code matches} for {@code holdMillis}; fails none. */
    public InFlight(Predicate<Action> matches, long holdMillis) {
        this(matches, holdMillis, 0);
    }

    /** As {@link #InFlight(Predicate, long)}, and fails the {@code failNth} matching action (0: none). */
    public InFlight(Predicate<Action> matches, long holdMillis, int failNth) {
        this.matches = matches;
        this.holdMillis = holdMillis;
        this.failNth = failNth;
    }

    @Override
    public boolean test(Action a) {
        if (!matches.test(a)) {
            return false;
        }
        int n = seen.incrementAndGet();
        max.accumulateAndGet(now.incrementAndGet(), Math::max);
        try {
            Thread.sleep(holdMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            now.decrementAndGet();
        }
        return n == failNth;
    }

    /** The most matching actions seen in flight at once. */
    public int max() {
        return max.get();
    }

    /** Matching actions attempted so far (the failed one included). */
    public int attempts() {
        return seen.get();
    }
}
