package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PriorityClass;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;

/**
 * PriorityClasses (scheduling.k8s.io/v1): user classes at most 1,000,000,000 and not named system-*,
 * except the two system classes with their fixed values; the value may not change; PreemptLowerPriority
 * by default. Kubernetes: {@code pkg/apis/scheduling/validation/validation.go}, {@code pkg/apis/scheduling/types.go}.
 */
@Component
public class PriorityClassStrategy implements Strategy {
    /** HighestUserDefinablePriority. */
    public static final int HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
    /** The system priority classes every cluster has (SystemPriorityClasses). */
    public static final Map<String, Integer> SYSTEM_CLASSES = Map.of("system-cluster-critical", 2_000_000_000, "system-node-critical", 2_000_001_000);

    @Override
    public ResourceType type() {
        return ResourceTypes.PRIORITYCLASSES;
    }

    /** The system classes cannot be deleted (pkg/registry/scheduling/priorityclass/storage: REST.Delete). */
    @Override
    public void checkDelete(String name) {
        if (SYSTEM_CLASSES.containsKey(name)) {
            throw io.kube4j.apiserver.errors.ApiError.forbidden("scheduling.k8s.io", "priorityclasses", name, "this is a system priority class and cannot be deleted");
        }
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        PriorityClass pc = (PriorityClass) obj;
        if (pc.preemptionPolicy == null) {
            pc.preemptionPolicy = "PreemptLowerPriority";
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        PriorityClass pc = (PriorityClass) obj;
        Integer system = SYSTEM_CLASSES.get(pc.metadata.name);
        if (system != null) {
            if (pc.value != system) {
                errs.forbidden("metadata.name", "priority class " + pc.metadata.name + " is a system class and its value must be " + system);
            }
        } else if (pc.metadata.name != null && pc.metadata.name.startsWith("system-")) {
            errs.forbidden("metadata.name", "priority class names with 'system-' prefix are reserved for system use only. error: priority class " + pc.metadata.name + " is not known");
        } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
            errs.forbidden("value", "maximum allowed value of a user defined priority is " + HIGHEST_USER_DEFINABLE_PRIORITY);
        }
        if (!List.of("PreemptLowerPriority", "Never").contains(pc.preemptionPolicy)) {
            errs.notSupported("preemptionPolicy", pc.preemptionPolicy, List.of("Never", "PreemptLowerPriority"));
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        if (((PriorityClass) obj).value != ((PriorityClass) old).value) {
            errs.forbidden("value", "may not be changed in an update.");
        }
        if (!java.util.Objects.equals(((PriorityClass) obj).preemptionPolicy, ((PriorityClass) old).preemptionPolicy)) {
            errs.invalid("preemptionPolicy", ((PriorityClass) obj).preemptionPolicy, "field is immutable");
        }
    }
}
