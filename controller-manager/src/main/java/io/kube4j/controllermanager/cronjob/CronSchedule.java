package io.kube4j.controllermanager.cronjob;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CronJob schedule as Kubernetes parses it with robfig/cron's {@code ParseStandard}: an optional
 * {@code CRON_TZ=<zone> } or {@code TZ=<zone> } prefix, then either a descriptor ({@code @yearly},
 * {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight},
 * {@code @hourly}, {@code @every <duration>}) or five fields (minute, hour, day of month, month, day of
 * week; names, ranges, steps, lists, {@code *} and {@code ?}; day of month and day of week ORed when
 * both are restricted). Times are computed in the zone.
 *
 * <p>The five-field form is parsed and evaluated by cron-utils with its UNIX definition (a maintained
 * library, rather than a hand-written cron evaluator); descriptors map to the five-field expressions
 * robfig/cron gives them, and {@code @every} is robfig's constant-delay schedule.
 */
public final class CronSchedule {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private final ZoneId zone;
    // one of the two
    private final ExecutionTime cron;
    private final Duration every;

    private CronSchedule(ZoneId zone, ExecutionTime cron, Duration every) {
        this.zone = zone;
        this.cron = cron;
        this.every = every;
    }

    /**
     * Parses {@code spec}; {@code defaultZone} applies without a TZ prefix (robfig's time.Local).
     *
     * @throws IllegalArgumentException with robfig-like wording when the spec is not valid
     */
    public static CronSchedule parse(String spec, ZoneId defaultZone) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty spec string");
        }
        String s = spec.trim();
        ZoneId zone = defaultZone;
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            int eq = s.indexOf('=');
            int space = s.indexOf(' ');
            if (space < 0) {
                throw new IllegalArgumentException("provided bad location " + s.substring(eq + 1) + ": unknown time zone " + s.substring(eq + 1));
            }
            String name = s.substring(eq + 1, space);
            zone = zone(name);
            s = s.substring(space).trim();
        }
        if (s.startsWith("@")) {
            if (s.startsWith("@every ")) {
                Duration d = parseGoDuration(s.substring("@every ".length()).trim());
                // robfig: at least one second, whole seconds
                d = d.truncatedTo(ChronoUnit.SECONDS);
                if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                    d = Duration.ofSeconds(1);
                }
                return new CronSchedule(zone, null, d);
            }
            String fields = DESCRIPTORS.get(s);
            if (fields == null) {
                throw new IllegalArgumentException("unrecognized descriptor: " + s);
            }
            s = fields;
        }
        String[] fields = s.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found " + fields.length + ": " + Arrays.toString(fields));
        }
        for (int i = 0; i < fields.length; i++) {
            // robfig reads "?" as "*" in any field; cron-utils' UNIX definition knows no "?"
            if (fields[i].equals("?")) {
                fields[i] = "*";
            }
        }
        try {
            Cron cron = UNIX.parse(String.join(" ", fields));
            return new CronSchedule(zone, ExecutionTime.forCron(cron), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The zone named as Go's time.LoadLocation would accept it ("" and "UTC" are UTC, "Local" the default). */
    static ZoneId zone(String name) {
        if (name.isEmpty() || name.equals("UTC")) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone " + name, e);
        }
    }

    /** The zone the schedule is evaluated in. */
    public ZoneId zone() {
        return zone;
    }

    /** The first activation strictly after {@code after}, at a whole second; empty when there is none (robfig's zero time). */
    public Optional<Instant> next(Instant after) {
        if (every != null) {
            // robfig's ConstantDelaySchedule: the delay added to the time with its fraction of a second dropped
            return Optional.of(after.truncatedTo(ChronoUnit.SECONDS).plus(every));
        }
        ZonedDateTime from = after.atZone(zone);
        return cron.nextExecution(from).map(ZonedDateTime::toInstant);
    }

    /** Go's time.ParseDuration for positive durations: {@code 1h30m}, {@code 90s}, {@code 1.5h}. */
    static Duration parseGoDuration(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("failed to parse duration @every " + text + ": time: invalid duration \"" + text + "\"");
        }
        Matcher m = GO_DURATION_PART.matcher(text);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos != text.length()) {
            throw new IllegalArgumentException("failed to parse duration @every " + text + ": time: invalid duration \"" + text + "\"");
        }
        return Duration.ofNanos((long) nanos);
    }
}
