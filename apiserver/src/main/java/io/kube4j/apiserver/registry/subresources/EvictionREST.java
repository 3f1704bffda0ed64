package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST pods/{name}/eviction}: a delete with the Eviction's deleteOptions that honours the
 * PodDisruptionBudget covering the pod. A healthy pod may be evicted only while the budget's
 * {@code disruptionsAllowed} is above 0 (and its status is current); the eviction then takes one
 * disruption and records the pod in {@code disruptedPods}, in the same compare-and-swap as any
 * status write, so two concurrent evictions cannot both take the last one. Otherwise 429
 * TooManyRequests "Cannot evict pod as it would violate the pod's disruption budget.". A pod that is
 * not Ready may be evicted while the budget is met (IfHealthyBudget) or always (AlwaysAllow); one that
 * has finished or is already being deleted always. More than one budget for a pod is 500, as in Kubernetes.
 * Kubernetes: {@code pkg/registry/core/pod/storage/eviction.go}.
 */
@Component
public class EvictionREST {
    /** The message of the 429. */
    static final String VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

    private final Registry registry;

    public EvictionREST(Registry registry) {
        this.registry = registry;
    }

    /** Evicts the pod; {@code dryRun} from the query or the Eviction's deleteOptions. */
    public void evict(String namespace, String name, ObjectNode eviction, boolean dryRun) {
        // admission first, as Kubernetes' handler admits the Eviction before the eviction REST runs
        registry.admitSubresourceOrDelete(new io.kube4j.apiserver.registry.Admission.Attributes(io.kube4j.apiserver.registry.Admission.Operation.CREATE,
                ResourceTypes.PODS, namespace, name, eviction, null, "eviction"));
        DeleteOptions opts;
        try {
            opts = eviction.path("deleteOptions").isObject() ? Json.convert(eviction.get("deleteOptions"), DeleteOptions.class) : new DeleteOptions();
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the Eviction's deleteOptions could not be decoded: " + e.getMessage());
        }
        boolean dry = dryRun || (opts.dryRun != null && opts.dryRun.contains("All"));
        ObjectNode pod = registry.get(ResourceTypes.PODS, namespace, name);
        String phase = pod.path("status").path("phase").asString("");
        boolean finished = phase.equals("Succeeded") || phase.equals("Failed") || pod.path("metadata").has("deletionTimestamp");
        if (!finished) {
            List<ObjectNode> budgets = budgetsFor(namespace, pod);
            if (budgets.size() > 1) {
                throw new ApiError(Status.failure(500, "InternalError", "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."));
            }
            if (budgets.size() == 1) {
                takeDisruption(namespace, budgets.getFirst().path("metadata").path("name").asString(), name, isReady(pod), dry);
            }
        }
        registry.delete(ResourceTypes.PODS, namespace, name, opts, dry);
    }

    private List<ObjectNode> budgetsFor(String namespace, ObjectNode pod) {
        Map<String, String> labels = new java.util.HashMap<>();
        pod.path("metadata").path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode pdb : registry.snapshotCopies(ResourceTypes.PODDISRUPTIONBUDGETS, namespace)) {
            JsonNode sel = pdb.path("spec").path("selector");
            if (sel.isObject() && Selector.from(Json.convert(sel, io.kube4j.api.LabelSelector.class)).matches(labels)) {
                out.add(pdb);
            }
        }
        return out;
    }

    private static boolean isReady(ObjectNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString("")) && "True".equals(c.path("status").asString(""))) {
                return true;
            }
        }
        return false;
    }

    /** checkAndDecrement: 429 unless the budget allows one more disruption; then takes it (a status write). */
    private void takeDisruption(String namespace, String budget, String pod, boolean ready, boolean dryRun) {
        registry.guaranteedUpdate(ResourceTypes.PODDISRUPTIONBUDGETS, namespace, budget, null, Registry.Part.STATUS, dryRun, current -> {
            PodDisruptionBudget pdb = Json.convert(current, PodDisruptionBudget.class);
            if (!ready) {
                boolean always = "AlwaysAllow".equals(pdb.spec.unhealthyPodEvictionPolicy);
                if (always || pdb.status.currentHealthy >= pdb.status.desiredHealthy && pdb.status.desiredHealthy > 0) {
                    return current;
                }
            }
            if (pdb.status.observedGeneration == null || pdb.status.observedGeneration < pdb.metadata.generation || pdb.status.disruptionsAllowed <= 0) {
                throw tooManyRequests(pdb);
            }
            pdb.status.disruptionsAllowed--;
            pdb.status.disruptedPods.put(pod, Times.format(Instant.now()));
            ObjectNode next = current.deepCopy();
            next.set("status", Json.toTree(pdb.status));
            return next;
        });
    }

    private static ApiError tooManyRequests(PodDisruptionBudget pdb) {
        Status s = Status.failure(429, "TooManyRequests", VIOLATION);
        s.details = new Status.Details();
        s.details.causes = List.of(new Status.Cause("DisruptionBudget",
                "The disruption budget " + pdb.metadata.name + " needs " + pdb.status.desiredHealthy + " healthy pods and has " + pdb.status.currentHealthy + " currently", null));
        return new ApiError(s);
    }
}
