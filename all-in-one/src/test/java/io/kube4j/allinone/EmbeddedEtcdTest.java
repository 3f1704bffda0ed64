package io.kube4j.allinone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where {@link EmbeddedEtcd} keeps its data and what {@link EmbeddedEtcd#close()} leaves behind, with a stand-in
 * executable (a shell script that writes into etcd's {@code --data-dir} and waits) instead of etcd.
 */
class EmbeddedEtcdTest {
    @TempDir
    Path dir;

    private String fakeEtcd() throws Exception {
        Path script = dir.resolve("fake-etcd");
        Files.writeString(script, """
                #!/bin/sh
                for a in "$@"; do case "$a" in --data-dir=*) d="${a#--data-dir=}";; esac; done
                mkdir -p "$d/member" && echo wal > "$d/member/wal"
                exec sleep 60
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }

    @Test
    void aTemporaryDataDirIsDeletedOnClose() throws Exception {
        EmbeddedEtcd etcd = EmbeddedEtcd.start(fakeEtcd(), "");
        Path tmp = etcd.temporaryDir();
        try {
            assertThat(tmp.getFileName().toString()).startsWith("kube4j-etcd");
            awaitFile(tmp.resolve("data/member/wal"));
        } finally {
            etcd.close();
        }
        assertThat(tmp).doesNotExist();
    }

    @Test
    void aGivenDataDirIsCreatedAndKeptOnClose() throws Exception {
        Path given = dir.resolve("data/etcd");
        EmbeddedEtcd etcd = EmbeddedEtcd.start(fakeEtcd(), given.toString());
        try {
            assertThat(etcd.temporaryDir()).isNull();
            awaitFile(given.resolve("data/member/wal"));
        } finally {
            etcd.close();
        }
        assertThat(given.resolve("data/member/wal")).exists();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(file).exists();
    }
}
