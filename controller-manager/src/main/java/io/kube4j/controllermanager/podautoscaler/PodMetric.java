package io.kube4j.controllermanager.podautoscaler;

import java.time.Duration;
import java.time.Instant;

/**
 * One pod's value of a metric: when it was measured, over which window, and the value as a milli-value
 * (millicores for cpu, thousandths of a byte for memory, as Kubernetes' {@code Quantity.MilliValue()}).
 * Kubernetes: {@code pkg/controller/podautoscaler/metrics/interfaces.go} ({@code PodMetric}).
 */
public record PodMetric(Instant timestamp, Duration window, long value) {
}
