package io.kube4j.controllermanager.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A set of completion indexes kept as ordered, non-overlapping, non-adjacent intervals, written as
 * {@code status.completedIndexes} and {@code status.failedIndexes} are: {@code "1,3-5,7"} (two
 * neighbours are written {@code "3,4"}, not {@code "3-4"}). Immutable.
 *
 * <p>Kubernetes: {@code orderedIntervals} in {@code pkg/controller/job/indexed_job_utils.go}.
 */
public final class Indexes {
    /** An inclusive range of indexes. */
    record Interval(int first, int last) {
    }

    static final Indexes EMPTY = new Indexes(List.of());

    private final List<Interval> intervals;

    private Indexes(List<Interval> intervals) {
        this.intervals = List.copyOf(intervals);
    }

    List<Interval> intervals() {
        return intervals;
    }

    /**
     * Parses {@code "1,3-5"}; indexes at or beyond {@code completions} are dropped (an interval is cut
     * at {@code completions - 1}), malformed parts are skipped, as Kubernetes' parseIndexesFromString.
     */
    public static Indexes parse(String text, int completions) {
        if (text == null || text.isEmpty()) {
            return EMPTY;
        }
        List<Interval> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] limits = part.split("-");
            int first;
            int last;
            try {
                first = Integer.parseInt(limits[0].trim());
            } catch (NumberFormatException e) {
                continue;
            }
            if (first >= completions) {
                break;
            }
            if (limits.length > 1) {
                try {
                    last = Integer.parseInt(limits[1].trim());
                } catch (NumberFormatException e) {
                    continue;
                }
                last = Math.min(last, completions - 1);
            } else {
                last = first;
            }
            if (!out.isEmpty() && out.getLast().last() == first - 1) {
                out.set(out.size() - 1, new Interval(out.getLast().first(), last));
            } else {
                out.add(new Interval(first, last));
            }
        }
        return new Indexes(out);
    }

    /** These indexes plus {@code more}. */
    public Indexes with(Collection<Integer> more) {
        List<Interval> added = new ArrayList<>();
        for (int ix : new TreeSet<>(more)) {
            added.add(new Interval(ix, ix));
        }
        return merge(new Indexes(added));
    }

    /** The union of both sets. */
    public Indexes merge(Indexes other) {
        List<Interval> all = new ArrayList<>(intervals);
        all.addAll(other.intervals);
        all.sort((a, b) -> Integer.compare(a.first(), b.first()));
        List<Interval> out = new ArrayList<>();
        for (Interval iv : all) {
            if (out.isEmpty() || iv.first() > out.getLast().last() + 1) {
                out.add(iv);
            } else if (out.getLast().last() < iv.last()) {
                out.set(out.size() - 1, new Interval(out.getLast().first(), iv.last()));
            }
        }
        return new Indexes(out);
    }

    /** How many indexes the set holds. */
    public int total() {
        int n = 0;
        for (Interval iv : intervals) {
            n += iv.last() - iv.first() + 1;
        }
        return n;
    }

    /** Whether {@code ix} is in the set. */
    public boolean has(int ix) {
        for (Interval iv : intervals) {
            if (ix < iv.first()) {
                return false;
            }
            if (ix <= iv.last()) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return intervals.isEmpty();
    }

    /** Kubernetes' form: {@code "0,2-4,6,7"}; empty for no index. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Interval iv : intervals) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(iv.first());
            if (iv.last() > iv.first()) {
                b.append(iv.last() == iv.first() + 1 ? ',' : '-').append(iv.last());
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Indexes other && intervals.equals(other.intervals);
    }

    @Override
    public int hashCode() {
        return intervals.hashCode();
    }
}
