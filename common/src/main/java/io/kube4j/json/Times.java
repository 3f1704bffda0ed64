package io.kube4j.json;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** RFC 3339 timestamps as Kubernetes writes them: seconds for Time, microseconds for MicroTime. */
public final class Times {
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private Times() {
    }

    /** Now, as a metav1.Time: {@code 2026-11-23T12:00:00Z}. */
    public static String now() {
        return format(Instant.now());
    }

    public static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Now, as a metav1.MicroTime: {@code 2026-11-23T12:00:00.123456Z}. */
    public static String nowMicro() {
        return MICRO.format(Instant.now());
    }

    public static String formatMicro(Instant instant) {
        return MICRO.format(instant);
    }

    /** Parses either form; null for null or empty. */
    public static Instant parse(String value) {
        return value == null || value.isEmpty() ? null : Instant.parse(value);
    }
}
