package io.kube4j.kubelet.runtime.docker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own record of OOM kills, read from {@code /dev/kmsg}, as Kubernetes' kubelet gets them
 * through cadvisor's OOM watcher ({@code github.com/google/cadvisor/utils/oomparser}): every
 * {@code oom-kill:...,task_memcg=<cgroup>,...} line names the memory cgroup of the killed task, whose last
 * path segment is the Docker container id ({@code /docker/<id>} with the cgroupfs driver,
 * {@code .../docker-<id>.scope} with systemd). The docker runtime uses it for containers that Docker reports
 * SIGKILLed under a memory limit without {@code State.OOMKilled}: Docker 20.10 loses that flag (and its
 * {@code oom} event) when containerd does not see the OOM, e.g. when the kill comes before containerd watches
 * the new container's cgroup.
 *
 * <p>Reading {@code /dev/kmsg} needs CAP_SYSLOG where {@code kernel.dmesg_restrict=1} (Debian's default) and,
 * in a container, the device ({@code devices: [/dev/kmsg]} in compose). Without it the watcher says so once
 * and knows nothing; the runtime then relies on Docker alone.
 */
final class KernelOomWatcher {
    private static final Logger log = LoggerFactory.getLogger(KernelOomWatcher.class);
    private static final Pattern OOM_KILL = Pattern.compile("oom-kill:.*?task_memcg=([^,\\s]+)");
    private static final Pattern CONTAINER_ID = Pattern.compile("(?:docker-)?([0-9a-f]{64})(?:\\.scope)?$");
    private static final int MAX_REMEMBERED = 4096;

    // container ids whose task the kernel OOM-killed, oldest dropped past MAX_REMEMBERED
    private final Map<String, Boolean> killed = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_REMEMBERED;
        }
    });
    private volatile boolean running;

    /** Starts reading {@code kmsg} on a daemon thread; a device that cannot be read leaves the watcher empty. */
    static KernelOomWatcher start(Path kmsg) {
        KernelOomWatcher w = new KernelOomWatcher();
        if (!Files.isReadable(kmsg)) {
            log.info("{} is not readable: OOM kills are known from Docker alone", kmsg);
            return w;
        }
        w.running = true;
        Thread t = new Thread(() -> w.read(kmsg), "kernel-oom-watcher");
        t.setDaemon(true);
        t.start();
        return w;
    }

    /** Whether the kernel logged an OOM kill in container {@code id}'s memory cgroup since this kubelet started reading. */
    boolean oomKilled(String id) {
        return killed.containsKey(id);
    }

    /** Whether the kernel's log is being read. */
    boolean running() {
        return running;
    }

    /** Parses one kmsg record ({@code prio,seq,usec,flags;message}); visible for tests. */
    void accept(String record) {
        Matcher m = OOM_KILL.matcher(record);
        if (!m.find()) {
            return;
        }
        String memcg = m.group(1);
        Matcher id = CONTAINER_ID.matcher(memcg.substring(memcg.lastIndexOf('/') + 1));
        if (id.matches()) {
            killed.put(id.group(1), Boolean.TRUE);
        }
    }

    private void read(Path kmsg) {
        // each read(2) of /dev/kmsg returns exactly one record; too small a buffer is EINVAL
        byte[] buf = new byte[16384];
        try (InputStream in = new FileInputStream(kmsg.toFile())) {
            int errors = 0;
            while (running) {
                int n;
                try {
                    n = in.read(buf);
                    errors = 0;
                } catch (IOException overwritten) {
                    // EPIPE: records were overwritten before we read them; the next read continues after them
                    if (++errors > 100) {
                        throw overwritten;
                    }
                    continue;
                }
                if (n < 0) {
                    break;
                }
                accept(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            log.info("cannot read {}: {}; OOM kills are known from Docker alone", kmsg, e.toString());
        } finally {
            running = false;
        }
    }
}
