package io.kube4j.kubelet.volume;

import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The atomic writer's layout and updates, as Kubernetes' pkg/volume/util/atomic_writer_test.go checks them. */
class AtomicWriterTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));

    private static FileProjection file(String content, int mode) {
        return new FileProjection(content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private void write(Map<String, FileProjection> payload) throws IOException {
        new AtomicWriter(dir, clock).write(payload);
    }

    private String read(String path) throws IOException {
        return Files.readString(dir.resolve(path));
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path timestampDir() throws IOException {
        return dir.resolve(Files.readSymbolicLink(dir.resolve("..data")));
    }

    @Test
    void filesAreVisibleThroughSymlinksIntoTheTimestampedDataDirectory() throws IOException {
        Map<String, FileProjection> payload = new LinkedHashMap<>();
        payload.put("game.properties", file("lives=3", 0644));
        payload.put("ui/colors/theme", file("dark", 0644));
        write(payload);

        Path data = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(data.toString()).startsWith("..2024_05_01_12_00_00.");
        assertThat(Files.readSymbolicLink(dir.resolve("game.properties")).toString()).isEqualTo("..data/game.properties");
        assertThat(Files.readSymbolicLink(dir.resolve("ui")).toString()).isEqualTo("..data/ui");
        assertThat(read("game.properties")).isEqualTo("lives=3");
        assertThat(read("ui/colors/theme")).isEqualTo("dark");
        assertThat(Files.isRegularFile(timestampDir().resolve("game.properties"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(entries()).containsExactlyInAnyOrder("..data", data.toString(), "game.properties", "ui");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(timestampDir()))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void anUpdateSwapsTheDataLinkToANewDirectoryAndRemovesTheOldOneAndVanishedFiles() throws IOException {
        write(Map.of("a", file("1", 0644), "b", file("2", 0644)));
        Path first = timestampDir();
        clock.advance(Duration.ofSeconds(61));

        write(Map.of("a", file("one", 0644), "c", file("3", 0644)));

        Path second = timestampDir();
        assertThat(second).isNotEqualTo(first);
        assertThat(second.getFileName().toString()).startsWith("..2024_05_01_12_01_01.");
        assertThat(Files.exists(first)).isFalse();
        assertThat(read("a")).isEqualTo("one");
        assertThat(read("c")).isEqualTo("3");
        assertThat(Files.exists(dir.resolve("b"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(entries()).containsExactlyInAnyOrder("..data", second.getFileName().toString(), "a", "c");
    }

    @Test
    void aFileOpenedThroughThePreviousDirectoryKeepsItsContentAcrossAnUpdate() throws IOException {
        write(Map.of("key", file("old", 0644)));
        Path pinned = dir.resolve("key").toRealPath();
        // what a bind mount of the resolved file (a subPath mount) holds on to
        Path hardLink = dir.resolve("pinned");
        Files.createLink(hardLink, pinned);

        write(Map.of("key", file("new", 0644)));

        assertThat(read("key")).isEqualTo("new");
        assertThat(Files.readString(hardLink)).isEqualTo("old");
    }

    @Test
    void writingTheSameContentAgainChangesNothing() throws IOException {
        write(Map.of("a", file("1", 0644)));
        Path first = timestampDir();
        clock.advance(Duration.ofMinutes(5));

        write(Map.of("a", file("1", 0644)));

        assertThat(timestampDir()).isEqualTo(first);
    }

    @Test
    void aMissingVisibleLinkIsRepairedEvenWhenTheDataIsUpToDate() throws IOException {
        write(Map.of("a", file("1", 0644)));
        Files.delete(dir.resolve("a"));

        write(Map.of("a", file("1", 0644)));

        assertThat(read("a")).isEqualTo("1");
    }

    @Test
    void modesAreAppliedExactlyWhateverTheUmask() throws IOException {
        write(Map.of("private", file("x", 0400), "shared", file("y", 0644), "script", file("z", 0755)));

        assertThat(mode("private")).isEqualTo("r--------");
        assertThat(mode("shared")).isEqualTo("rw-r--r--");
        assertThat(mode("script")).isEqualTo("rwxr-xr-x");
    }

    private String mode(String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(timestampDir().resolve(path)));
    }

    @Test
    void invalidPathsAreRejectedWithKubernetesMessagesBeforeAnythingIsWritten() throws IOException {
        assertThatThrownBy(() -> write(Map.of("/etc/passwd", file("x", 0644)))).hasMessage("invalid path: must be relative path: /etc/passwd");
        assertThatThrownBy(() -> write(Map.of("a/../../b", file("x", 0644)))).hasMessage("invalid path: must not contain '..': a/../../b");
        assertThatThrownBy(() -> write(Map.of("..data", file("x", 0644)))).hasMessage("invalid path: must not start with '..': ..data");
        assertThatThrownBy(() -> write(Map.of("a".repeat(256), file("x", 0644))))
                .hasMessage("invalid path: filenames must be less than or equal to 255 characters");
        assertThat(entries()).isEmpty();
    }

    @Test
    void anEmptyPayloadLeavesAnEmptyDataDirectory() throws IOException {
        write(Map.of("a", file("1", 0644)));

        write(Map.of());

        assertThat(entries()).containsExactlyInAnyOrder("..data", timestampDir().getFileName().toString());
        try (Stream<Path> s = Files.list(timestampDir())) {
            assertThat(s.count()).isZero();
        }
    }
}
