package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.HorizontalPodAutoscaler;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

/**
 * HorizontalPodAutoscalers (autoscaling/v2): minReplicas 1 by default, a CPU target of 80% average
 * utilization when no metric is given, and a given {@code behavior} completed with Kubernetes' scaling
 * rules (scale up: window 0 s, Max of 4 Pods and 100 Percent per 15 s; scale down: Max of 100 Percent per
 * 15 s, window left to the controller's 300 s); maxReplicas at least 1 and not
 * below minReplicas; a scale target. Kubernetes: {@code pkg/apis/autoscaling/v2/defaults.go},
 * {@code pkg/apis/autoscaling/validation/validation.go}.
 */
@Component
public class HorizontalPodAutoscalerStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) obj;
        if (hpa.spec.minReplicas == null) {
            hpa.spec.minReplicas = 1;
        }
        if (hpa.spec.metrics == null || hpa.spec.metrics.isEmpty()) {
            // SetDefaults_HorizontalPodAutoscaler: autoscaling.DefaultCPUUtilization
            HorizontalPodAutoscaler.MetricSpec cpu = new HorizontalPodAutoscaler.MetricSpec();
            cpu.type = "Resource";
            cpu.resource = new HorizontalPodAutoscaler.ResourceMetricSource();
            cpu.resource.name = "cpu";
            cpu.resource.target = new HorizontalPodAutoscaler.MetricTarget();
            cpu.resource.target.type = "Utilization";
            cpu.resource.target.averageUtilization = 80;
            hpa.spec.metrics = new java.util.ArrayList<>(java.util.List.of(cpu));
        }
        if (hpa.spec.behavior != null) {
            // SetDefaults_HorizontalPodAutoscalerBehavior: only a behavior that is given is completed
            hpa.spec.behavior.scaleUp = rules(hpa.spec.behavior.scaleUp, 0,
                    policy("Pods", 4, 15), policy("Percent", 100, 15));
            hpa.spec.behavior.scaleDown = rules(hpa.spec.behavior.scaleDown, null, policy("Percent", 100, 15));
        }
    }

    /** GenerateHPAScale{Up,Down}Rules with copyHPAScalingRules: the given fields over the defaults. */
    private static HorizontalPodAutoscaler.HPAScalingRules rules(HorizontalPodAutoscaler.HPAScalingRules given, Integer window,
                                                                 HorizontalPodAutoscaler.HPAScalingPolicy... policies) {
        HorizontalPodAutoscaler.HPAScalingRules out = new HorizontalPodAutoscaler.HPAScalingRules();
        out.stabilizationWindowSeconds = window;
        out.selectPolicy = "Max";
        out.policies = new java.util.ArrayList<>(java.util.List.of(policies));
        if (given != null) {
            if (given.selectPolicy != null) {
                out.selectPolicy = given.selectPolicy;
            }
            if (given.stabilizationWindowSeconds != null) {
                out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
            }
            // Go keeps a given empty list; kube4j's model cannot tell it from an absent one
            if (given.policies != null && !given.policies.isEmpty()) {
                out.policies = given.policies;
            }
        }
        return out;
    }

    private static HorizontalPodAutoscaler.HPAScalingPolicy policy(String type, int value, int periodSeconds) {
        HorizontalPodAutoscaler.HPAScalingPolicy p = new HorizontalPodAutoscaler.HPAScalingPolicy();
        p.type = type;
        p.value = value;
        p.periodSeconds = periodSeconds;
        return p;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        HorizontalPodAutoscaler.HorizontalPodAutoscalerSpec spec = ((HorizontalPodAutoscaler) obj).spec;
        // ValidateCrossVersionObjectReference: kind and name each required
        if (spec.scaleTargetRef == null || spec.scaleTargetRef.kind == null || spec.scaleTargetRef.kind.isEmpty()) {
            errs.required("spec.scaleTargetRef.kind", null);
        }
        if (spec.scaleTargetRef == null || spec.scaleTargetRef.name == null || spec.scaleTargetRef.name.isEmpty()) {
            errs.required("spec.scaleTargetRef.name", null);
        }
        if (spec.minReplicas != null && spec.minReplicas < 1) {
            errs.invalid("spec.minReplicas", spec.minReplicas, "must be greater than or equal to 1");
        }
        for (int i = 0; i < spec.metrics.size(); i++) {
            HorizontalPodAutoscaler.MetricSpec m = spec.metrics.get(i);
            HorizontalPodAutoscaler.MetricTarget t = m.resource != null ? m.resource.target
                    : m.containerResource != null ? m.containerResource.target : null;
            String path = "spec.metrics[" + i + "]." + (m.resource != null ? "resource" : "containerResource") + ".target.averageUtilization";
            if (t != null && t.averageUtilization != null && t.averageUtilization <= 0) {
                errs.invalid(path, t.averageUtilization, "must be greater than 0");
            }
        }
        if (spec.maxReplicas < 1) {
            errs.invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than 0");
        }
        if (spec.minReplicas != null && spec.maxReplicas < spec.minReplicas) {
            errs.invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`");
        }
    }
}
