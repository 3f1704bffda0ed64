package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.List;

/** A HorizontalPodAutoscaler (autoscaling/v2): scales a workload's replicas to hold metrics at their targets. */
public class HorizontalPodAutoscaler extends KubeObject {
    public HorizontalPodAutoscalerSpec spec = new HorizontalPodAutoscalerSpec();
    public HorizontalPodAutoscalerStatus status = new HorizontalPodAutoscalerStatus();

    public HorizontalPodAutoscaler() {
        super("autoscaling/v2", "HorizontalPodAutoscaler");
    }

    /** What to scale, between which bounds, on which metrics, and how fast. */
    public static class HorizontalPodAutoscalerSpec {
        public CrossVersionObjectReference scaleTargetRef;
        public Integer minReplicas;
        public int maxReplicas;
        public List<MetricSpec> metrics = new ArrayList<>();
        public HorizontalPodAutoscalerBehavior behavior;
    }

    /** An object by kind, name and apiVersion. */
    public static class CrossVersionObjectReference {
        public String kind;
        public String name;
        public String apiVersion;
    }

    /** One metric: type Object, Pods, Resource, ContainerResource or External, and its source. */
    public static class MetricSpec {
        public String type;
        public ObjectMetricSource object;
        public PodsMetricSource pods;
        public ResourceMetricSource resource;
        public ContainerResourceMetricSource containerResource;
        public ExternalMetricSource external;
    }

    /** A metric describing another object of the namespace. */
    public static class ObjectMetricSource {
        public CrossVersionObjectReference describedObject;
        public MetricTarget target;
        public MetricIdentifier metric;
    }

    /** A metric averaged over the target's pods. */
    public static class PodsMetricSource {
        public MetricIdentifier metric;
        public MetricTarget target;
    }

    /** A resource (cpu, memory) of the target's pods, as known from their requests. */
    public static class ResourceMetricSource {
        public String name;
        public MetricTarget target;
    }

    /** A resource of one container of the target's pods. */
    public static class ContainerResourceMetricSource {
        public String name;
        public MetricTarget target;
        public String container;
    }

    /** A metric not tied to any Kubernetes object. */
    public static class ExternalMetricSource {
        public MetricIdentifier metric;
        public MetricTarget target;
    }

    /** A metric by name and label selector. */
    public static class MetricIdentifier {
        public String name;
        public LabelSelector selector;
    }

    /** The target: type Utilization, Value or AverageValue, and its value. */
    public static class MetricTarget {
        public String type;
        public Quantity value;
        public Quantity averageValue;
        public Integer averageUtilization;
    }

    /** Scaling rules up and down. */
    public static class HorizontalPodAutoscalerBehavior {
        public HPAScalingRules scaleUp;
        public HPAScalingRules scaleDown;
    }

    /** Policies, how they combine (Max, Min, Disabled), and the stabilization window. */
    public static class HPAScalingRules {
        public Integer stabilizationWindowSeconds;
        public String selectPolicy;
        public List<HPAScalingPolicy> policies = new ArrayList<>();
    }

    /** At most value Pods or Percent per periodSeconds. */
    public static class HPAScalingPolicy {
        public String type;
        public int value;
        public int periodSeconds;
    }

    /** Current and desired replicas, current metric values, and conditions. */
    public static class HorizontalPodAutoscalerStatus {
        public Long observedGeneration;
        public String lastScaleTime;
        public Integer currentReplicas;
        public int desiredReplicas;
        public List<MetricStatus> currentMetrics = new ArrayList<>();
        public List<HorizontalPodAutoscalerCondition> conditions = new ArrayList<>();
    }

    /** AbleToScale, ScalingActive, ScalingLimited. */
    public static class HorizontalPodAutoscalerCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }

    /** The current value of one metric, typed as its MetricSpec. */
    public static class MetricStatus {
        public String type;
        public ObjectMetricStatus object;
        public PodsMetricStatus pods;
        public ResourceMetricStatus resource;
        public ContainerResourceMetricStatus containerResource;
        public ExternalMetricStatus external;
    }

    /** The current value of an Object metric. */
    public static class ObjectMetricStatus {
        public MetricIdentifier metric;
        public MetricValueStatus current;
        public CrossVersionObjectReference describedObject;
    }

    /** The current value of a Pods metric. */
    public static class PodsMetricStatus {
        public MetricIdentifier metric;
        public MetricValueStatus current;
    }

    /** The current value of a Resource metric. */
    public static class ResourceMetricStatus {
        public String name;
        public MetricValueStatus current;
    }

    /** The current value of a ContainerResource metric. */
    public static class ContainerResourceMetricStatus {
        public String name;
        public MetricValueStatus current;
        public String container;
    }

    /** The current value of an External metric. */
    public static class ExternalMetricStatus {
        public MetricIdentifier metric;
        public MetricValueStatus current;
    }

    /** A current value, average value or average utilization. */
    public static class MetricValueStatus {
        public Quantity value;
        public Quantity averageValue;
        public Integer averageUtilization;
    }
}
