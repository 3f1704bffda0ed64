package io.kube4j.kubelet.volume;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes a volume's files so that readers never see half an update: Kubernetes' {@code AtomicWriter}
 * ({@code pkg/volume/util/atomic_writer.go}). The files live in a hidden timestamped directory
 * ({@code ..2024_05_01_12_00_00.123456789}); {@code ..data} is a symlink to it, and every user-visible entry
 * of the target directory is a symlink through {@code ..data} ({@code key -> ..data/key}). An update writes a
 * new timestamped directory, points {@code ..data_tmp} at it and renames that over {@code ..data} (one
 * atomic rename), then removes visible entries that are gone and the old directory. Names starting with
 * {@code ..} are reserved. Not thread-safe: the caller serialises writes to one directory.
 */
public final class AtomicWriter {
    /** The symlink to the current timestamped directory. */
    public static final String DATA_DIR_NAME = "..data";
    static final String NEW_DATA_DIR_NAME = "..data_tmp";
    private static final int MAX_FILE_NAME_LENGTH = 255;
    private static final int MAX_PATH_LENGTH = 4096;
    private static final DateTimeFormatter TS_FORMAT = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'").withZone(ZoneOffset.UTC);

    private final Path targetDir;
    private final Clock clock;

    /**
     * @param targetDir the volume's directory; must exist
     * @param clock     names the timestamped directories
     */
    public AtomicWriter(Path targetDir, Clock clock) {
        this.targetDir = targetDir;
        this.clock = clock;
    }

    /**
     * Projects {@code payload} (relative path → file) into the target directory, atomically; does nothing
     * when the files on disk already have this content and nothing is to be removed (the visible symlinks
     * are still repaired).
     *
     * @throws IllegalArgumentException a path is invalid (absolute, contains {@code ..}, starts with {@code ..}, too long)
     * @throws IOException              the disk said no
     */
    public void write(Map<String, FileProjection> payload) throws IOException {
        // (1) validate and clean the paths
        Map<String, FileProjection> clean = new LinkedHashMap<>();
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            validatePath(e.getKey());
            clean.put(Path.of(e.getKey()).normalize().toString(), e.getValue());
        }

        // (2) the current timestamped directory, if any
        Path dataDir = targetDir.resolve(DATA_DIR_NAME);
        String oldTsDir = null;
        try {
            oldTsDir = Files.readSymbolicLink(dataDir).toString();
        } catch (NoSuchFileException e) {
            // first write
        }
        Path oldTsPath = oldTsDir == null ? null : targetDir.resolve(oldTsDir);

        Set<String> pathsToRemove = Set.of();
        boolean shouldWrite = true;
        if (oldTsPath != null) {
            // (3) what the old version has that the new one lacks
            pathsToRemove = pathsToRemove(clean, oldTsPath);
            // (4) whether any content changed
            if (!shouldWritePayload(clean, oldTsPath) && pathsToRemove.isEmpty()) {
                // up to date, but the visible symlinks may need repair; keep the current directory
                shouldWrite = false;
                oldTsPath = null;
            }
        }

        if (shouldWrite) {
            // (5) a new timestamped directory, (6) the payload in it
            Path tsDir = newTimestampDir();
            try {
                writePayloadToDir(clean, tsDir);
                // (8) ..data_tmp -> the new directory, (9) renamed over ..data: the atomic switch
                Path newDataDir = targetDir.resolve(NEW_DATA_DIR_NAME);
                Files.deleteIfExists(newDataDir);
                Files.createSymbolicLink(newDataDir, tsDir.getFileName());
                Files.move(newDataDir, dataDir, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(targetDir.resolve(NEW_DATA_DIR_NAME));
                deleteRecursively(tsDir);
                throw e;
            }
        }

        // (10) the visible symlinks of new top-level entries
        createUserVisibleFiles(clean);
        // (11) the visible entries that are gone
        removeUserVisiblePaths(pathsToRemove);
        // (12) the previous timestamped directory
        if (oldTsPath != null) {
            deleteRecursively(oldTsPath);
        }
    }

    /**
     * Kubernetes' {@code validatePath}: not empty, relative, at most 4096 characters, no {@code ..} element,
     * no element over 255 characters, not starting with {@code ..}.
     */
    static void validatePath(String targetPath) {
        if (targetPath == null || targetPath.isEmpty()) {
            throw new IllegalArgumentException("invalid path: must not be empty: \"\"");
        }
        if (targetPath.startsWith("/")) {
            throw new IllegalArgumentException("invalid path: must be relative path: " + targetPath);
        }
        if (targetPath.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("invalid path: must be less than or equal to " + MAX_PATH_LENGTH + " characters");
        }
        String[] items = targetPath.split("/", -1);
        for (String item : items) {
            if (item.equals("..")) {
                throw new IllegalArgumentException("invalid path: must not contain '..': " + targetPath);
            }
            if (item.length() > MAX_FILE_NAME_LENGTH) {
                throw new IllegalArgumentException("invalid path: filenames must be less than or equal to " + MAX_FILE_NAME_LENGTH + " characters");
            }
        }
        if (items[0].startsWith("..") && items[0].length() > 2) {
            throw new IllegalArgumentException("invalid path: must not start with '..': " + targetPath);
        }
    }

    private static boolean shouldWritePayload(Map<String, FileProjection> payload, Path oldTsDir) throws IOException {
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            Path file = oldTsDir.resolve(e.getKey());
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || !Arrays.equals(Files.readAllBytes(file), e.getValue().data())) {
                return true;
            }
        }
        return false;
    }

    /** Every path of the old version that neither is in the payload nor is a parent directory of a payload path. */
    private static Set<String> pathsToRemove(Map<String, FileProjection> payload, Path oldTsDir) throws IOException {
        Set<String> paths = new TreeSet<>();
        if (!Files.isDirectory(oldTsDir)) {
            return paths;
        }
        try (Stream<Path> walk = Files.walk(oldTsDir)) {
            walk.filter(p -> !p.equals(oldTsDir)).forEach(p -> paths.add(oldTsDir.relativize(p).toString()));
        }
        Set<String> newPaths = new HashSet<>();
        for (String file : payload.keySet()) {
            for (Path sub = Path.of(file); sub != null; sub = sub.getParent()) {
                newPaths.add(sub.toString());
            }
        }
        paths.removeAll(newPaths);
        return paths;
    }

    private Path newTimestampDir() throws IOException {
        Path tsDir = Files.createTempDirectory(targetDir, TS_FORMAT.format(clock.instant()));
        // group and other must be able to traverse it, whatever the umask
        Files.setPosixFilePermissions(tsDir, permissions(0755));
        return tsDir;
    }

    private static void writePayloadToDir(Map<String, FileProjection> payload, Path dir) throws IOException {
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            Path file = dir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue().data());
            // explicitly, so the umask does not decide the mode
            Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
        }
    }

    /** {@code a}, {@code b/c}: the symlinks {@code a -> ..data/a} and {@code b -> ..data/b}, where missing. */
    private void createUserVisibleFiles(Map<String, FileProjection> payload) throws IOException {
        for (String path : payload.keySet()) {
            int slash = path.indexOf('/');
            String linkName = slash < 0 ? path : path.substring(0, slash);
            Path visible = targetDir.resolve(linkName);
            if (!Files.exists(visible, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createSymbolicLink(visible, Path.of(DATA_DIR_NAME, linkName));
                } catch (FileAlreadyExistsException e) {
                    // two payload paths share the top-level directory
                }
            }
        }
    }

    /** Only top-level entries are symlinks of their own; deeper ones went with the old directory. */
    private void removeUserVisiblePaths(Set<String> paths) throws IOException {
        IOException last = null;
        for (String p : paths) {
            if (p.contains("/")) {
                continue;
            }
            try {
                Files.deleteIfExists(targetDir.resolve(p));
            } catch (DirectoryNotEmptyException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
    }

    /** {@code 0644} as POSIX permissions; bits above 0777 (setuid, sticky) are not applied. */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = new HashSet<>();
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
