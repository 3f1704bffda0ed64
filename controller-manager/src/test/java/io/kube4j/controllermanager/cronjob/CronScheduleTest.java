package io.kube4j.controllermanager.cronjob;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Schedules as robfig/cron's ParseStandard reads them. */
class CronScheduleTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    // a Thursday
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static List<String> next3(CronSchedule s, Instant from) {
        List<String> out = new ArrayList<>();
        Instant t = from;
        for (int i = 0; i < 3; i++) {
            t = s.next(t).orElseThrow();
            out.add(t.toString());
        }
        return out;
    }

    @Test
    void everyMinuteFiresOnTheNextWholeMinuteStrictlyAfter() {
        CronSchedule s = CronSchedule.parse("* * * * *", UTC);

        assertThat(next3(s, T0)).containsExactly("2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z");
        assertThat(s.next(Instant.parse("2026-01-01T00:00:30Z"))).contains(Instant.parse("2026-01-01T00:01:00Z"));
    }

    @Test
    void descriptorsMapToRobfigsExpressions() {
        assertThat(CronSchedule.parse("@hourly", UTC).next(T0)).contains(Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(CronSchedule.parse("@daily", UTC).next(T0)).contains(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(CronSchedule.parse("@midnight", UTC).next(T0)).contains(Instant.parse("2026-01-02T00:00:00Z"));
        // the next Sunday
        assertThat(CronSchedule.parse("@weekly", UTC).next(T0)).contains(Instant.parse("2026-01-04T00:00:00Z"));
        assertThat(CronSchedule.parse("@monthly", UTC).next(T0)).contains(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(CronSchedule.parse("@yearly", UTC).next(T0)).contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(CronSchedule.parse("@annually", UTC).next(T0)).contains(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void everyIsAConstantDelayFromTheWholeSecond() {
        CronSchedule s = CronSchedule.parse("@every 1h30m", UTC);

        assertThat(s.next(Instant.parse("2026-01-01T00:00:10.700Z"))).contains(Instant.parse("2026-01-01T01:30:10Z"));
    }

    @Test
    void dayOfMonthAndDayOfWeekAreOredWhenBothAreRestricted() {
        // the 13th, and every Friday
        assertThat(next3(CronSchedule.parse("0 0 13 * 5", UTC), T0))
                .containsExactly("2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z");
    }

    @Test
    void namesStepsRangesAndQuestionMarks() {
        assertThat(next3(CronSchedule.parse("*/15 * * * *", UTC), T0))
                .containsExactly("2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z");
        assertThat(CronSchedule.parse("0 9 ? JAN MON-FRI", UTC).next(T0)).contains(Instant.parse("2026-01-01T09:00:00Z"));
        assertThat(CronSchedule.parse("30 6 * * SUN", UTC).next(T0)).contains(Instant.parse("2026-01-04T06:30:00Z"));
    }

    @Test
    void aTimeZonePrefixEvaluatesTheScheduleInThatZone() {
        // 02:00 in Berlin is 01:00 UTC in winter
        assertThat(CronSchedule.parse("CRON_TZ=Europe/Berlin 0 2 * * *", UTC).next(T0)).contains(Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(CronSchedule.parse("TZ=America/New_York 0 0 * * *", UTC).next(T0)).contains(Instant.parse("2026-01-01T05:00:00Z"));
        // without a prefix the default zone applies
        assertThat(CronSchedule.parse("0 2 * * *", ZoneId.of("Europe/Berlin")).next(T0)).contains(Instant.parse("2026-01-01T01:00:00Z"));
    }

    @Test
    void aScheduleThatNeverFiresHasNoNextTime() {
        assertThat(CronSchedule.parse("59 23 31 2 *", UTC).next(T0)).isEmpty();
    }

    @Test
    void malformedSchedulesAreRejectedWithRobfigsWording() {
        assertThatThrownBy(() -> CronSchedule.parse("* * * *", UTC)).hasMessage("expected exactly 5 fields, found 4: [*, *, *, *]");
        assertThatThrownBy(() -> CronSchedule.parse("@fortnightly", UTC)).hasMessage("unrecognized descriptor: @fortnightly");
        assertThatThrownBy(() -> CronSchedule.parse("TZ=Mars/Olympus * * * * *", UTC)).hasMessage("unknown time zone Mars/Olympus");
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", UTC)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void goDurationsParse() {
        assertThat(CronSchedule.parseGoDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CronSchedule.parseGoDuration("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> CronSchedule.parseGoDuration("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    }
}
