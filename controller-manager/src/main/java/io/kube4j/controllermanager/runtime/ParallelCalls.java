package io.kube4j.controllermanager.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Runs independent API calls concurrently on virtual threads, at most {@code maxInFlight} at a time,
 * and waits for all of them: Kubernetes' controllers start one goroutine per pod to create or delete
 * ({@code sync.WaitGroup}) and leave the real bound to the client's rate limiter; the cap here keeps a
 * burst from opening hundreds of connections at once even when no rate limiter is configured.
 */
public final class ParallelCalls {
    /** The outcome of one call: its value, or the exception it threw (never both). */
    public record Outcome<T>(T value, Exception error) {
        /** Whether the call returned normally. */
        public boolean ok() {
            return error == null;
        }
    }

    private ParallelCalls() {
    }

    /**
     * Calls {@code call} once per item, concurrently, at most {@code maxInFlight} (at least 1) at a time.
     * Returns one outcome per item, in the items' order, after every call has returned. If the calling
     * thread is interrupted, calls not yet started are not started, their outcomes are the
     * {@link InterruptedException}, and the thread's interrupt flag is set again.
     */
    public static <I, T> List<Outcome<T>> forEach(List<I> items, int maxInFlight, Function<? super I, ? extends T> call) {
        Semaphore permits = new Semaphore(Math.max(1, maxInFlight));
        List<Future<T>> futures = new ArrayList<>(items.size());
        List<Outcome<T>> outcomes = new ArrayList<>(items.size());
        boolean interrupted = false;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (I item : items) {
                if (!interrupted) {
                    try {
                        permits.acquire();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    futures.add(null);
                    continue;
                }
                futures.add(executor.submit(() -> {
                    try {
                        return call.apply(item);
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (Future<T> f : futures) {
                outcomes.add(outcome(f));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return outcomes;
    }

    private static <T> Outcome<T> outcome(Future<T> f) {
        if (f == null) {
            return new Outcome<>(null, new InterruptedException("not started: interrupted"));
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return new Outcome<>(f.get(), null);
                } catch (InterruptedException e) {
                    // the call is already running: wait for its result rather than lose it
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Exception ex) {
                        return new Outcome<>(null, ex);
                    }
                    throw (Error) cause;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
