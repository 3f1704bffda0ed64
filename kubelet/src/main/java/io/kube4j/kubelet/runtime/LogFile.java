package io.kube4j.kubelet.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * A container log in the CRI file format, one line per output line:
 * {@code 2026-01-02T03:04:05.123456789Z stdout F the line}. Keeping the time with each line is what
 * makes {@code timestamps=true} possible for runtimes that don't store logs themselves.
 */
public final class LogFile {
    private static final long FOLLOW_POLL_MILLIS = 100;

    private final Path path;

    public LogFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Appends one line written by the container to {@code stream} (stdout or stderr). */
    public synchronized void append(String stream, String line) {
        String entry = Instant.now() + " " + stream + " F " + line + "\n";
        try {
            Files.writeString(path, entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the log to {@code out}: the last {@code tailLines} lines (all when null) of those written at
     * or after {@code since}, then, when following, new lines as they come (polled every 100 ms, each
     * flushed at once) until {@code stillRunning} says the writer is gone or {@code out} fails.
     */
    public void copyTo(LogOptions options, OutputStream out, BooleanSupplier stillRunning) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        boolean[] midLine = {false};
        long offset = 0;
        if (options.tailLines() != null) {
            // as the kubelet's ReadLogs: the last N lines among those since the start time
            Deque<String> last = new ArrayDeque<>();
            try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
                    if (!after(line, options.since())) {
                        continue;
                    }
                    last.addLast(line);
                    if (last.size() > options.tailLines()) {
                        last.removeFirst();
                    }
                }
            }
            for (String line : last) {
                writeLine(line, options.timestamps(), out, midLine);
            }
            out.flush();
            if (!options.follow()) {
                return;
            }
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            file.seek(offset);
            StringBuilder partial = new StringBuilder();
            byte[] buf = new byte[8192];
            while (true) {
                int n = file.read(buf);
                if (n > 0) {
                    partial.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl);
                        if (after(line, options.since())) {
                            writeLine(line, options.timestamps(), out, midLine);
                        }
                        partial.delete(0, nl + 1);
                    }
                    continue;
                }
                // every line is handed on as soon as it is read: a follower sees it within one poll
                out.flush();
                if (!options.follow() || !stillRunning.getAsBoolean()) {
                    // one more read: lines written just before the writer stopped
                    if (options.follow() && file.getFilePointer() < file.length()) {
                        continue;
                    }
                    return;
                }
                try {
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // whether the entry was written at or after since (entries without a readable time are kept)
    private static boolean after(String entry, Instant since) {
        if (since == null) {
            return true;
        }
        int first = entry.indexOf(' ');
        if (first <= 0) {
            return true;
        }
        try {
            return !Instant.parse(entry.substring(0, first)).isBefore(since);
        } catch (java.time.format.DateTimeParseException e) {
            return true;
        }
    }

    // "<time> <stream> <tag> <text>": the text is everything after the third space. A "P" (partial) entry is a piece
    // of a longer line the runtime split (containerd at 16 KiB): written without a newline, and the pieces after it
    // without a timestamp, as the kubelet's kuberuntime/logs joins them
    private static void writeLine(String entry, boolean timestamps, OutputStream out, boolean[] midLine) throws IOException {
        int first = entry.indexOf(' ');
        int second = first < 0 ? -1 : entry.indexOf(' ', first + 1);
        int third = second < 0 ? -1 : entry.indexOf(' ', second + 1);
        String text = third < 0 ? entry : entry.substring(third + 1);
        boolean partial = third > 0 && "P".equals(entry.substring(second + 1, third));
        String line = timestamps && first > 0 && !midLine[0] ? entry.substring(0, first) + " " + text : text;
        out.write((partial ? line : line + "\n").getBytes(StandardCharsets.UTF_8));
        midLine[0] = partial;
    }
}
