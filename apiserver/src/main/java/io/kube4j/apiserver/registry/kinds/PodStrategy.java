package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.api.PodQos;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * Pods: status Pending on create, spec mostly immutable, graceful deletion while bound to a node (the
 * kubelet stops the containers, then deletes with grace 0). Kubernetes: {@code pkg/registry/core/pod/strategy.go}.
 */
@Component
public class PodStrategy implements Strategy {
    private final Defaults defaults;

    public PodStrategy(ApiServerProperties props) {
        this.defaults = new Defaults(props.admission().defaultTolerationSeconds());
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.PODS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    /**
     * Status Pending (the {@code qosClass} Kubernetes 1.32's PrepareForCreate sets, {@code QOSClass: qos.GetPodQOS(pod)},
     * needs the defaulted pod: {@link #prepareDefaultedForCreate}); a pod created with scheduling gates also gets PodScheduled=False/SchedulingGated
     * (applySchedulingGatedCondition in Kubernetes' pod strategy).
     */
    @Override
    public void prepareForCreate(ObjectNode obj) {
        ObjectNode status = obj.putObject("status");
        status.put("phase", "Pending");
        if (!obj.path("spec").path("schedulingGates").isEmpty()) {
            ObjectNode c = status.putArray("conditions").addObject();
            c.put("type", "PodScheduled");
            c.put("status", "False");
            c.put("lastTransitionTime", io.kube4j.json.Times.now());
            c.put("reason", "SchedulingGated");
            c.put("message", "Scheduling is blocked due to non-empty scheduling gates");
        }
    }

    /**
     * The QoS class of the defaulted pod (Kubernetes decodes, and so defaults, before PrepareForCreate),
     * on the registry's one decoded copy rather than a second decoding of the tree.
     */
    @Override
    public void prepareDefaultedForCreate(KubeObject defaulted) {
        Pod pod = (Pod) defaulted;
        if (pod.spec == null) {
            return;
        }
        if (pod.status == null) {
            pod.status = new io.kube4j.api.PodStatus();
        }
        pod.status.qosClass = PodQos.compute(pod);
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        defaults.pod((Pod) obj);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.pod(errs, (Pod) obj);
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.podUpdate(errs, (Pod) obj, (Pod) old);
    }

    /** podEphemeralContainersStrategy.ValidateUpdate: ValidatePodEphemeralContainersUpdate. */
    @Override
    public void validateEphemeralContainersUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.podEphemeralContainersUpdate(errs, (Pod) obj, (Pod) old);
    }

    /** podStatusStrategy.ValidateUpdate: ValidatePodStatusUpdate. */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.podStatusUpdate(errs, (Pod) obj, (Pod) old);
    }

    /** Kubernetes' pod field labels (pkg/registry/core/pod/strategy.go PodToSelectableFields). */
    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }

    /** A pod on a node gets its grace period so the kubelet can stop it; unbound or finished pods go at once. */
    @Override
    public long gracePeriodSeconds(ObjectNode obj, DeleteOptions opts) {
        String node = obj.path("spec").path("nodeName").asString("");
        String phase = obj.path("status").path("phase").asString("");
        if (node.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        if (opts.gracePeriodSeconds != null) {
            return Math.max(0, opts.gracePeriodSeconds);
        }
        return obj.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    }

    /** A pod being gracefully deleted stays until its kubelet deletes it with grace 0. */
    @Override
    public boolean deletionHeld(ObjectNode obj) {
        return obj.path("metadata").path("deletionGracePeriodSeconds").asLong(0) > 0;
    }

    @Override
    public List<String> subresources() {
        return List.of("binding", "eviction", "log", "exec", "attach", "portforward", "ephemeralcontainers");
    }
}
