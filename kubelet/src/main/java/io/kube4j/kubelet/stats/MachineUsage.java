package io.kube4j.kubelet.stats;

import io.kube4j.kubelet.runtime.ContainerUsage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The whole machine's usage, for a kubelet that owns its machine (docker and process runtimes): CPU from
 * the first line of {@code /proc/stat} (all jiffies but idle and iowait, at USER_HZ = 100 per second), the
 * working set as {@code MemTotal - MemAvailable} from {@code /proc/meminfo} (cAdvisor's root cgroup working
 * set is usage minus inactive file pages, which MemAvailable approximates). Null where /proc is missing.
 *
 * <p>A kubelet in a container (docker compose) reads the host's {@code /proc/stat} and {@code /proc/meminfo}
 * (neither is namespaced): its node reports the whole host, which the kubelets on one host share. That is
 * what such a kubelet can measure; the CPU counter is cumulative since the host booted, so it is only ever
 * used as a rate between two samples ({@link SummaryProvider}).
 */
public final class MachineUsage implements Supplier<ContainerUsage> {
    private static final long NANOS_PER_JIFFY = 10_000_000L;

    private final Path proc;
    private final Clock clock;

    public MachineUsage(Path proc, Clock clock) {
        this.proc = proc;
        this.clock = clock;
    }

    @Override
    public ContainerUsage get() {
        try {
            String cpuLine = Files.readAllLines(proc.resolve("stat")).getFirst();
            String[] f = cpuLine.trim().split("\\s+");
            long busy = 0;
            // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            long total = 0;
            long available = 0;
            for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = kib(line);
                } else if (line.startsWith("MemAvailable:")) {
                    available = kib(line);
                }
            }
            return new ContainerUsage(clock.instant(), busy * NANOS_PER_JIFFY, Math.max(0, total - available));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long kib(String line) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]) * 1024;
    }
}
