package io.kube4j.kubelet.runtime;

import java.time.Instant;

/**
 * What a runtime measured of one container at one instant: the CPU time used since it started, in
 * core-nanoseconds (all cores summed, the CRI's {@code usage_core_nano_seconds}), and its memory working
 * set in bytes (resident memory not reclaimable without swapping: usage minus inactive file pages, as
 * cAdvisor and the CRI report it). Rates such as {@code usageNanoCores} are derived by the kubelet from
 * two samples.
 */
public record ContainerUsage(Instant time, long usageCoreNanoSeconds, long workingSetBytes, Long usageNanoCores) {

    /**
     * A measurement without a rate (the kubelet derives it from two samples).
     *
     * @param usageNanoCores in the canonical constructor: the exact current rate when the source knows it (a
     *                       synthetic load), else null
     */
    public ContainerUsage(Instant time, long usageCoreNanoSeconds, long workingSetBytes) {
        this(time, usageCoreNanoSeconds, workingSetBytes, null);
    }
}
