package io.kube4j.api;

/**
 * A HorizontalPodAutoscaler as {@code autoscaling/v1} serves it: the stored autoscaling/v2 object seen with
 * a single CPU utilization target; its other metrics, current metrics, conditions and behavior travel in the
 * {@code autoscaling.alpha.kubernetes.io/*} annotations. Kubernetes: {@code k8s.io/api/autoscaling/v1/types.go},
 * {@code pkg/apis/autoscaling/v1/conversion.go}.
 */
public class AutoscalingV1HorizontalPodAutoscaler extends KubeObject {
    public HorizontalPodAutoscalerSpec spec = new HorizontalPodAutoscalerSpec();
    public HorizontalPodAutoscalerStatus status = new HorizontalPodAutoscalerStatus();

    public AutoscalingV1HorizontalPodAutoscaler() {
        super("autoscaling/v1", "HorizontalPodAutoscaler");
    }

    /** The target, the bounds, and the average CPU utilization to hold (percent of requests). */
    public static class HorizontalPodAutoscalerSpec {
        public HorizontalPodAutoscaler.CrossVersionObjectReference scaleTargetRef;
        public Integer minReplicas;
        public int maxReplicas;
        public Integer targetCPUUtilizationPercentage;
    }

    /** Replicas now and wanted, and the current average CPU utilization. */
    public static class HorizontalPodAutoscalerStatus {
        public Long observedGeneration;
        public String lastScaleTime;
        public int currentReplicas;
        public int desiredReplicas;
        public Integer currentCPUUtilizationPercentage;
    }
}
