package io.kube4j.kubelet.runtime.process;

import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.LogFile;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.RuntimeVersion;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.runtime.StreamingProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Containers as host processes, for machines without Docker. The image is ignored: the container's
 * {@code command} + {@code args} run as given (so one is required), with the container's env (on top of
 * a minimal PATH) and workingDir (default: the pod's directory). Each container's stdout and stderr go
 * to its own log file in the CRI format. There is no network isolation: the pod IP is the node's
 * address and ports are the host's. Volumes are not mounted but linked: a volume appears at its mountPath
 * taken relative to the pod's directory ({@code /etc/config} is {@code etc/config} from the default working
 * directory, {@code $HOME/etc/config} from anywhere). State lives in memory only, so a
 * restarted kubelet starts the pods' processes afresh; {@link #close()} kills them all. A process's exit
 * is announced to the container event listeners at once (the kubelet relists on it).
 */
public final class ProcessRuntime implements ContainerRuntime, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path rootDir;
    private final String podIp;
    private final Map<String, ProcessSandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, ProcessContainer> containers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Clock clock;
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param rootDir where pod directories and log files go
     * @param podIp   the address every pod gets (the node's)
     * @param clock   what container times are read from
     */
    public ProcessRuntime(Path rootDir, String podIp, Clock clock) {
        this.rootDir = rootDir;
        this.podIp = podIp;
        this.clock = clock;
    }

    /** With the system clock. */
    public ProcessRuntime(Path rootDir, String podIp) {
        this(rootDir, podIp, Clock.systemUTC());
    }

    @Override
    public void addContainerEventListener(Runnable listener) {
        listeners.add(listener);
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    @Override
    public RuntimeVersion version() {
        return new RuntimeVersion("process", Runtime.version().toString());
    }

    @Override
    public String runPodSandbox(SandboxConfig config) {
        String id = "p" + ids.incrementAndGet() + "-" + config.pod().uid();
        Path dir = rootDir.resolve(config.pod().uid());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ContainerRuntimeException("cannot create pod directory " + dir + ": " + e.getMessage(), e);
        }
        sandboxes.put(id, new ProcessSandbox(id, config, dir, clock.instant()));
        return id;
    }

    @Override
    public void stopPodSandbox(String sandboxId) {
        ProcessSandbox s = sandboxes.get(sandboxId);
        if (s != null) {
            s.ready = false;
        }
    }

    @Override
    public void removePodSandbox(String sandboxId) {
        ProcessSandbox s = sandboxes.remove(sandboxId);
        if (s != null && sandboxes.values().stream().noneMatch(o -> o.dir.equals(s.dir))) {
            deleteRecursively(s.dir);
        }
    }

    @Override
    public List<Sandbox> listPodSandboxes() {
        return sandboxes.values().stream()
                .map(s -> new Sandbox(s.id, s.config.pod(), s.config.attempt(), s.ready, s.ready ? podIp : null, s.createdAt))
                .toList();
    }

    @Override
    public boolean imagePresent(String image) {
        return true; // images are ignored
    }

    @Override
    public void pullImage(String image) {
        // images are ignored
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerConfig config) {
        ProcessSandbox s = sandboxes.get(sandbox.id());
        if (s == null) {
            throw new ContainerRuntimeException("no such sandbox: " + sandbox.id());
        }
        if (config.command().isEmpty() && config.args().isEmpty()) {
            throw new ContainerRuntimeException("the process runtime ignores images: container " + config.name() + " needs a command");
        }
        linkMounts(s.dir, config);
        String id = "c" + ids.incrementAndGet();
        LogFile logFile = new LogFile(s.dir.resolve(config.name() + "_" + config.attempt() + "_" + id + ".log"));
        try {
            // there from the start: a follower (logs -f, attach) of a container that has written nothing yet waits on it
            Files.createFile(logFile.path());
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // a retried create
        } catch (IOException e) {
            throw new ContainerRuntimeException("cannot create the log file of " + config.name() + ": " + e.getMessage(), e);
        }
        containers.put(id, new ProcessContainer(id, config, s.dir, logFile, clock.instant()));
        return id;
    }

    /**
     * What stands in for mounts without a mount namespace: each volume appears at its mountPath taken relative
     * to the pod's directory (the default working directory and $HOME), as a symlink to where its files are:
     * {@code mountPath: /etc/config} is {@code <podDir>/etc/config}. An emptyDir is a directory of the pod's
     * own ({@code volumes/kubernetes.io~empty-dir/<name>}). Read-only is not enforced. When two containers
     * mount different volumes at one path, the later one's link wins.
     */
    private static void linkMounts(Path podDir, ContainerConfig config) {
        for (Mount m : config.mounts()) {
            String relative = m.containerPath().replaceFirst("^/+", "");
            Path link = podDir.resolve(relative).normalize();
            if (relative.isEmpty() || !link.startsWith(podDir) || link.equals(podDir)) {
                log.warn("container {}: mountPath {} cannot be linked into the pod directory", config.name(), m.containerPath());
                continue;
            }
            try {
                Path target = m.isEmptyDir()
                        ? Files.createDirectories(podDir.resolve("volumes").resolve("kubernetes.io~empty-dir").resolve(m.volumeName()))
                        : Path.of(m.hostPath());
                Files.createDirectories(link.getParent());
                if (Files.isSymbolicLink(link)) {
                    if (Files.readSymbolicLink(link).equals(target)) {
                        continue;
                    }
                    Files.delete(link);
                } else if (Files.exists(link)) {
                    log.warn("container {}: {} exists in the pod directory and is not a volume link; volume {} not linked",
                            config.name(), link, m.volumeName());
                    continue;
                }
                Files.createSymbolicLink(link, target);
            } catch (IOException e) {
                throw new ContainerRuntimeException("cannot link volume " + m.volumeName() + " at " + link + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void startContainer(String containerId) {
        ProcessContainer c = require(containerId);
        List<String> cmd = new ArrayList<>(c.config.command());
        cmd.addAll(c.config.args());
        if (c.config.tty()) {
            // tty: the command on a pseudo-terminal of util-linux script (the JDK has none), which exits with its code
            cmd = List.of("script", "-qfec", shellQuote(cmd), "/dev/null");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDir(c).toFile()).redirectErrorStream(c.config.tty());
        if (!c.config.stdin()) {
            // a container without stdin reads end-of-file at once (the CRI leaves its stdin unopened)
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        environment(pb, c);
        if (c.config.tty()) {
            pb.environment().putIfAbsent("TERM", "xterm");
        }
        try {
            Process p = pb.start();
            c.process = p;
            c.startedAt = clock.instant();
            c.pumps.add(pump(p.getInputStream(), "stdout", c.log));
            if (!c.config.tty()) {
                c.pumps.add(pump(p.getErrorStream(), "stderr", c.log));
            }
            // a thread of our own waits for the exit: Process.onExit completes on the common ForkJoinPool, which
            // one blocking task elsewhere in the JVM (a reader of some stream) can hold up indefinitely on a
            // small machine, and with it every container's exit
            Thread.ofVirtual().name("exit-" + c.id).start(() -> {
                int code;
                try {
                    code = p.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
                c.exited(clock.instant(), code);
                fire();
            });
        } catch (IOException e) {
            // as docker does: a container whose command cannot run has exited with 127
            c.startedAt = clock.instant();
            c.exited(c.startedAt, 127);
            c.message = e.getMessage();
            throw new ContainerRuntimeException("failed to start container " + c.config.name() + ": " + e.getMessage(), e);
        }
    }

    private Path workingDir(ProcessContainer c) {
        if (c.config.workingDir() != null && !c.config.workingDir().isBlank() && Files.isDirectory(Path.of(c.config.workingDir()))) {
            return Path.of(c.config.workingDir());
        }
        return c.podDir;
    }

    private static void environment(ProcessBuilder pb, ProcessContainer c) {
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("HOSTNAME", c.config.pod().name());
        env.put("HOME", c.podDir.toString());
        env.putAll(c.config.env());
    }

    private static Thread pump(InputStream in, String stream, LogFile log) {
        return Thread.ofVirtual().name("log-" + stream).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(stream, line);
                }
            } catch (IOException | UncheckedIOException e) {
                // the process is gone
            }
        });
    }

    @Override
    public void stopContainer(String containerId, Duration timeout) {
        ProcessContainer c = containers.get(containerId);
        if (c == null) {
            return;
        }
        Process p = c.process;
        if (p == null) {
            if (c.finishedAt == null) {
                c.startedAt = clock.instant();
                c.exited(c.startedAt, 0);
            }
            return;
        }
        if (!p.isAlive()) {
            awaitExitRecorded(c);
            return;
        }
        // a shell's children would outlive it: signal the whole tree, collected before anything dies
        // (orphans are no longer descendants), the container's own process first, as a runtime
        // signals pid 1 (else a shell whose child died first would carry on and exit 0)
        List<ProcessHandle> tree = Stream.concat(Stream.of(p.toHandle()), p.descendants()).toList();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                Stream.concat(p.descendants(), tree.stream()).forEach(ProcessHandle::destroyForcibly);
                p.waitFor(10, TimeUnit.SECONDS);
            } else {
                tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        awaitExitRecorded(c);
    }

    // onExit runs asynchronously; callers expect the exit to be visible when stop returns
    private static void awaitExitRecorded(ProcessContainer c) {
        for (int i = 0; i < 100 && c.finishedAt == null; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void removeContainer(String containerId) {
        ProcessContainer c = containers.get(containerId);
        if (c == null) {
            return;
        }
        if (c.process != null && c.process.isAlive()) {
            stopContainer(containerId, Duration.ZERO);
        }
        containers.remove(containerId);
        try {
            Files.deleteIfExists(c.log.path());
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", c.log.path(), e.getMessage());
        }
    }

    @Override
    public List<ContainerInfo> listContainers() {
        return containers.values().stream().map(ProcessContainer::info).toList();
    }

    /**
     * The container's process tree read from {@code /proc}: CPU is the sum of each live process's user and
     * system time ({@code utime+stime} of {@code /proc/<pid>/stat}, which {@link ProcessHandle.Info#totalCpuDuration()}
     * reads), memory the sum of their resident set sizes ({@code /proc/<pid>/statm}, pages of 4 KiB). CPU of
     * children that already exited is not counted (Linux credits it to a parent only once reaped). Null when
     * the container is not running.
     */
    @Override
    public ContainerUsage containerUsage(String containerId) {
        ProcessContainer c = containers.get(containerId);
        Process p = c == null ? null : c.process;
        if (p == null || !p.isAlive()) {
            return null;
        }
        java.time.Instant now = clock.instant();
        long cpuNanos = 0;
        long rss = 0;
        List<ProcessHandle> tree = new java.util.ArrayList<>();
        tree.add(p.toHandle());
        p.descendants().forEach(tree::add);
        for (ProcessHandle h : tree) {
            cpuNanos += h.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
            rss += residentBytes(h.pid());
        }
        return new ContainerUsage(now, cpuNanos, rss);
    }

    /** The resident set of one process: the second field of {@code /proc/<pid>/statm}, in pages; 0 if unreadable. */
    static long residentBytes(long pid) {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "statm")).trim().split("\\s+");
            return fields.length > 1 ? Long.parseLong(fields[1]) * 4096 : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public ContainerInfo containerStatus(String containerId) {
        ProcessContainer c = containers.get(containerId);
        return c == null ? null : c.info();
    }

    @Override
    public void logs(String containerId, LogOptions options, OutputStream out) throws IOException {
        ProcessContainer c = require(containerId);
        c.log.copyTo(options, out, () -> c.process != null && (c.process.isAlive() || c.pumps.stream().anyMatch(Thread::isAlive)));
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout) {
        ProcessContainer c = require(containerId);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir(c).toFile()).redirectErrorStream(true);
        environment(pb, c);
        try {
            Process p = pb.start();
            StringBuilder output = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    output.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // killed
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new ExecResult(-1, "command timed out after " + timeout.toMillis() + "ms");
            }
            reader.join(1000);
            return new ExecResult(p.exitValue(), output.toString());
        } catch (IOException e) {
            return new ExecResult(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "interrupted");
        }
    }

    /**
     * A child process in the container's working directory with the container's environment. Under a
     * TTY the command runs inside util-linux {@code script}, which gives it a pseudo-terminal (the JDK has
     * none) and exits with the command's code; stderr then goes to the terminal, as on a real TTY.
     */
    @Override
    public StreamingProcess execStreaming(String containerId, List<String> command, boolean tty) {
        ProcessContainer c = require(containerId);
        if (c.process == null || !c.process.isAlive()) {
            throw new ContainerRuntimeException("container " + c.config.name() + " is not running");
        }
        List<String> cmd = tty ? List.of("script", "-qfec", shellQuote(command), "/dev/null") : command;
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDir(c).toFile()).redirectErrorStream(tty);
        environment(pb, c);
        if (tty) {
            pb.environment().putIfAbsent("TERM", "xterm");
        }
        try {
            return new ExecProcess(pb.start(), tty);
        } catch (IOException e) {
            throw new ContainerRuntimeException("exec: " + e.getMessage(), e);
        }
    }

    /**
     * The container's own stdin (when {@code stdin}), and its output from now on (both streams as stdout: the
     * log file it is read from keeps them apart, but one ordered stream is what a reader of an attach wants).
     * With the container's {@code stdinOnce}, the end of this attach's stdin (closed, or the attach gone) closes
     * the container's stdin for good, as the CRI does.
     */
    @Override
    public StreamingProcess attach(String containerId, boolean stdin, boolean tty) {
        ProcessContainer c = require(containerId);
        Process p = c.process;
        if (p == null || !p.isAlive()) {
            throw new ContainerRuntimeException("container " + c.config.name() + " is not running");
        }
        return new AttachedProcess(c, p, stdin && c.config.stdin());
    }

    private static String shellQuote(List<String> command) {
        StringBuilder b = new StringBuilder();
        for (String arg : command) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append('\'').append(arg.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    /** An exec'd child process; closing it kills its tree. */
    private static final class ExecProcess implements StreamingProcess {
        private final Process process;
        private final boolean tty;

        ExecProcess(Process process, boolean tty) {
            this.process = process;
            this.tty = tty;
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return tty ? null : process.getErrorStream();
        }

        @Override
        public void resize(int width, int height) {
            // script's pseudo-terminal is not ours to reach: the size stays script's default
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    /** Attached to a container's process: its output followed from the log file's current end. */
    private static final class AttachedProcess implements StreamingProcess {
        private final ProcessContainer container;
        private final Process process;
        private final boolean stdinAttached;
        private final java.io.PipedInputStream output = new java.io.PipedInputStream(64 * 1024);
        private final java.io.PipedOutputStream sink;
        private final Thread follower;
        private volatile boolean closed;

        AttachedProcess(ProcessContainer container, Process process, boolean stdinAttached) {
            this.container = container;
            this.process = process;
            this.stdinAttached = stdinAttached;
            try {
                this.sink = new java.io.PipedOutputStream(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.follower = Thread.ofVirtual().name("attach-" + container.id).start(() -> {
                try (OutputStream out = sink) {
                    container.log.copyTo(new LogOptions(true, 0, false), out,
                            () -> !closed && (process.isAlive() || container.pumps.stream().anyMatch(Thread::isAlive)));
                } catch (IOException e) {
                    // the reader went away
                }
            });
        }

        @Override
        public OutputStream stdin() {
            // the container's stdin stays open for the next attach unless it is stdinOnce
            return new java.io.FilterOutputStream(process.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (!stdinAttached) {
                        throw new IOException("the attach has no stdin");
                    }
                    out.write(b, off, len);
                    out.flush();
                }

                @Override
                public void close() {
                    endOfStdin();
                }
            };
        }

        private void endOfStdin() {
            if (stdinAttached && container.config.stdinOnce()) {
                try {
                    process.getOutputStream().close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }

        @Override
        public InputStream stdout() {
            return output;
        }

        @Override
        public InputStream stderr() {
            return null;
        }

        @Override
        public void resize(int width, int height) {
        }

        @Override
        public int waitFor() throws InterruptedException {
            follower.join();
            return process.isAlive() ? 0 : process.exitValue();
        }

        @Override
        public void close() {
            closed = true;
            endOfStdin();
            follower.interrupt();
            try {
                output.close();
            } catch (IOException e) {
                // nothing to release
            }
        }
    }

    /** Kills every process this runtime started (kubelet shutdown). */
    @Override
    public void close() {
        for (ProcessContainer c : containers.values()) {
            Process p = c.process;
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private ProcessContainer require(String id) {
        ProcessContainer c = containers.get(id);
        if (c == null) {
            throw new ContainerRuntimeException("no such container: " + id);
        }
        return c;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", dir, e.getMessage());
        }
    }

    private static final class ProcessSandbox {
        final String id;
        final SandboxConfig config;
        final Path dir;
        final Instant createdAt;
        volatile boolean ready = true;

        ProcessSandbox(String id, SandboxConfig config, Path dir, Instant createdAt) {
            this.id = id;
            this.config = config;
            this.dir = dir;
            this.createdAt = createdAt;
        }
    }

    private static final class ProcessContainer {
        final String id;
        final ContainerConfig config;
        final Path podDir;
        final LogFile log;
        final Instant createdAt;
        final List<Thread> pumps = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Process process;
        volatile Instant startedAt;
        volatile Instant finishedAt;
        volatile int exitCode;
        volatile String message;

        ProcessContainer(String id, ContainerConfig config, Path podDir, LogFile log, Instant createdAt) {
            this.id = id;
            this.config = config;
            this.podDir = podDir;
            this.log = log;
            this.createdAt = createdAt;
        }

        synchronized void exited(Instant at, int code) {
            if (finishedAt == null) {
                exitCode = code;
                finishedAt = at;
            }
        }

        ContainerInfo info() {
            ContainerInfo.State state = finishedAt != null ? ContainerInfo.State.EXITED
                    : startedAt != null ? ContainerInfo.State.RUNNING : ContainerInfo.State.CREATED;
            return new ContainerInfo(id, config.pod(), config.name(), config.attempt(), config.image(), "process://" + config.image(),
                    state, createdAt, startedAt, finishedAt, exitCode, null, message);
        }
    }
}
