package io.kube4j.apiserver.admission;

import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.api.PriorityClass;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * The Priority admission plugin: a new pod's {@code spec.priority} and {@code preemptionPolicy} come
 * from its PriorityClass (or the global default class; priority 0 when there is none), a pod naming a
 * class that does not exist is refused (403), and only one class may be the global default.
 * Kubernetes: {@code plugin/pkg/admission/priority/admission.go}.
 */
@Component
@Order(300)
public class PriorityAdmission implements Admission {
    private final WatchCache cache;
    private final Storage storage;

    public PriorityAdmission(WatchCache cache, Storage storage) {
        this.cache = cache;
        this.storage = storage;
    }

    @Override
    public void admit(Attributes a, KubeObject obj) {
        if (a.operation() != Operation.CREATE || !(obj instanceof Pod pod)) {
            return;
        }
        PriorityClass pc;
        if (pod.spec.priorityClassName == null || pod.spec.priorityClassName.isEmpty()) {
            pc = globalDefault(null);
            if (pc != null) {
                pod.spec.priorityClassName = pc.metadata.name;
            }
        } else {
            pc = find(pod.spec.priorityClassName);
            if (pc == null) {
                throw ApiError.forbidden("", "pods", a.name(), "no PriorityClass with name " + pod.spec.priorityClassName + " was found");
            }
        }
        int priority = pc == null ? 0 : pc.value;
        if (pod.spec.priority != null && pod.spec.priority != priority) {
            throw ApiError.forbidden("", "pods", a.name(), "the integer value of priority (" + pod.spec.priority
                    + ") must not be provided in pod spec; priority admission controller computed " + priority + " from the given PriorityClass name");
        }
        pod.spec.priority = priority;
        if (pc != null && pc.preemptionPolicy != null) {
            String mine = (String) pod.spec.unknownFields.get("preemptionPolicy");
            if (mine != null && !mine.equals(pc.preemptionPolicy)) {
                throw ApiError.forbidden("", "pods", a.name(), "the string value of PreemptionPolicy (" + mine
                        + ") must not be provided in pod spec; priority admission controller computed " + pc.preemptionPolicy + " from the given PriorityClass name");
            }
            pod.spec.unknownFields.put("preemptionPolicy", pc.preemptionPolicy);
        }
    }

    @Override
    public void validate(Attributes a) {
        if (a.type() != ResourceTypes.PRIORITYCLASSES || !a.object().path("globalDefault").asBoolean(false)) {
            return;
        }
        PriorityClass other = globalDefault(a.name());
        if (other != null) {
            throw ApiError.forbidden(a.type().group(), a.type().resource(), a.name(),
                    "PriorityClass " + other.metadata.name + " is already marked as default. Only one default can exist");
        }
    }

    private PriorityClass find(String name) {
        String key = Registry.key(ResourceTypes.PRIORITYCLASSES, null, name);
        ObjectNode o = cache.get(key);
        if (o == null) {
            o = storage.get(key).map(s -> (ObjectNode) Json.tree(s.value())).orElse(null);
        }
        return o == null ? null : Json.convert(o, PriorityClass.class);
    }

    /** The global default class other than {@code except}; the lowest value wins if several are (getDefaultPriorityClass). */
    private PriorityClass globalDefault(String except) {
        PriorityClass best = null;
        for (ObjectNode o : cache.snapshot(Registry.prefix(ResourceTypes.PRIORITYCLASSES, null), o -> o.path("globalDefault").asBoolean(false)).items()) {
            PriorityClass pc = Json.convert(o, PriorityClass.class);
            if (!Objects.equals(pc.metadata.name, except) && (best == null || pc.value < best.value)) {
                best = pc;
            }
        }
        return best;
    }
}
