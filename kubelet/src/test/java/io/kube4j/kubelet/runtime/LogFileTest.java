package io.kube4j.kubelet.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class LogFileTest {
    @TempDir
    Path dir;

    private static String read(LogFile log, LogOptions options, AtomicBoolean running) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.copyTo(options, out, running::get);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsAllLinesWithoutTheirMetadata() throws Exception {
        LogFile log = new LogFile(dir.resolve("c.log"));
        log.append("stdout", "one");
        log.append("stderr", "two words");
        assertThat(read(log, LogOptions.ALL, new AtomicBoolean(false))).isEqualTo("one\ntwo words\n");
    }

    @Test
    void partialEntriesOfTheCriFormatAreJoinedIntoOneLine() throws Exception {
        // containerd splits a long line into P entries ended by an F entry
        java.nio.file.Files.writeString(dir.resolve("p.log"), """
                2026-01-02T03:04:05.000000001Z stdout P first half,\s
                2026-01-02T03:04:05.000000002Z stdout F second half
                2026-01-02T03:04:06.000000000Z stderr F next
                """);
        LogFile log = new LogFile(dir.resolve("p.log"));
        assertThat(read(log, LogOptions.ALL, new AtomicBoolean(false))).isEqualTo("first half, second half\nnext\n");
        assertThat(read(log, new LogOptions(false, null, true), new AtomicBoolean(false))).isEqualTo(
                "2026-01-02T03:04:05.000000001Z first half, second half\n2026-01-02T03:04:06.000000000Z next\n");
    }

    @Test
    void tailLinesKeepsTheLastLines() throws Exception {
        LogFile log = new LogFile(dir.resolve("c.log"));
        for (int i = 1; i <= 5; i++) {
            log.append("stdout", "line " + i);
        }
        assertThat(read(log, new LogOptions(false, 2, false), new AtomicBoolean(false))).isEqualTo("line 4\nline 5\n");
    }

    @Test
    void timestampsPrefixEachLineWithItsTime() throws Exception {
        LogFile log = new LogFile(dir.resolve("c.log"));
        log.append("stdout", "hello");
        String out = read(log, new LogOptions(false, null, true), new AtomicBoolean(false));
        assertThat(out).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z hello\\n");
    }

    @Test
    void followStreamsNewLinesUntilTheWriterStops() throws Exception {
        LogFile log = new LogFile(dir.resolve("c.log"));
        log.append("stdout", "first");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
                log.append("stdout", "second");
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            running.set(false);
        });
        String out = read(log, new LogOptions(true, 1, false), running);
        writer.join();
        assertThat(out).isEqualTo("first\nsecond\n");
    }

    @Test
    void missingFileIsAnEmptyLog() throws Exception {
        assertThat(read(new LogFile(dir.resolve("none.log")), LogOptions.ALL, new AtomicBoolean(false))).isEmpty();
    }

    @Test
    void sinceDropsLinesWrittenBeforeItAlsoUnderTailLines() throws Exception {
        Path file = dir.resolve("c.log");
        java.nio.file.Files.writeString(file, """
                2026-01-01T00:00:01Z stdout F old
                2026-01-01T00:00:05Z stdout F mid
                2026-01-01T00:00:09Z stderr F new
                """);
        LogFile log = new LogFile(file);
        java.time.Instant since = java.time.Instant.parse("2026-01-01T00:00:05Z");
        assertThat(read(log, new LogOptions(false, null, false, since, null), new AtomicBoolean(false))).isEqualTo("mid\nnew\n");
        assertThat(read(log, new LogOptions(false, 5, true, since, null), new AtomicBoolean(false)))
                .isEqualTo("2026-01-01T00:00:05Z mid\n2026-01-01T00:00:09Z new\n");
    }
}
