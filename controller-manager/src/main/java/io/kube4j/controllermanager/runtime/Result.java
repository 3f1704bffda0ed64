package io.kube4j.controllermanager.runtime;

import java.time.Duration;

/**
 * What a reconcile asks the runner to do next with its key (java-operator-sdk's UpdateControl):
 * nothing, look again after a delay, or retry with backoff because something transient failed.
 */
public record Result(Kind kind, Duration after, String reason) {
    /** The three outcomes. */
    public enum Kind {
        /** The object matches its desired state; the key's backoff is reset. */
        DONE,
        /** Fine for now, but time matters (a deadline, a grace period): look again after {@code after}. */
        REQUEUE_AFTER,
        /** A transient failure (conflict, apiserver down): retry with per-key exponential backoff. */
        RETRY
    }

    private static final Result DONE = new Result(Kind.DONE, Duration.ZERO, null);

    public static Result done() {
        return DONE;
    }

    public static Result requeueAfter(Duration after) {
        return new Result(Kind.REQUEUE_AFTER, after, null);
    }

    public static Result retry(String reason) {
        return new Result(Kind.RETRY, Duration.ZERO, reason);
    }

    /** The sooner of two results: RETRY beats REQUEUE_AFTER beats DONE; two delays keep the shorter. */
    public Result and(Result other) {
        if (kind == Kind.RETRY) {
            return this;
        }
        if (other.kind == Kind.RETRY) {
            return other;
        }
        if (kind == Kind.DONE) {
            return other;
        }
        if (other.kind == Kind.DONE) {
            return this;
        }
        return after.compareTo(other.after) <= 0 ? this : other;
    }
}
