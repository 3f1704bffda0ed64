package io.kube4j.controllermanager.runtime;

import io.kube4j.api.KubeObject;
import io.kube4j.api.OwnerReference;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Controller references (ownerReferences with {@code controller: true}) and the claim rule of
 * Kubernetes' ControllerRefManager: an owner keeps what it controls and still selects, adopts
 * matching orphans, and releases what it controls but no longer selects.
 */
public final class ControllerRefs {
    private ControllerRefs() {
    }

    /** The controller reference of {@code obj}, or null. */
    public static OwnerReference controllerOf(KubeObject obj) {
        return obj.metadata.controllerRef();
    }

    /** Whether {@code obj}'s controller is {@code owner} (same uid). */
    public static boolean isControlledBy(KubeObject obj, KubeObject owner) {
        OwnerReference ref = controllerOf(obj);
        return ref != null && Objects.equals(ref.uid, owner.metadata.uid);
    }

    /**
     * The candidates {@code owner} controls after adopting matching orphans and releasing the ones it
     * no longer selects. Adoption and release are merge patches of ownerReferences; nothing is
     * adopted while the owner or the candidate is being deleted.
     */
    public static <T extends KubeObject> List<T> claim(KubeObject owner, Selector selector, List<T> candidates, Class<T> type, ControllerClient client) {
        List<T> owned = new ArrayList<>();
        boolean ownerDeleting = owner.metadata.deletionTimestamp != null;
        for (T candidate : candidates) {
            OwnerReference ref = controllerOf(candidate);
            boolean matches = selector.matches(candidate.metadata.labels);
            boolean deleting = candidate.metadata.deletionTimestamp != null;
            if (ref != null) {
                if (!Objects.equals(ref.uid, owner.metadata.uid)) {
                    continue;
                }
                if (matches || ownerDeleting) {
                    owned.add(candidate);
                } else if (!deleting) {
                    List<OwnerReference> rest = new ArrayList<>(candidate.metadata.ownerReferences);
                    rest.removeIf(r -> Objects.equals(r.uid, owner.metadata.uid));
                    client.mergePatch(type, candidate.metadata.namespace, candidate.metadata.name, ownerReferencesPatch(rest));
                }
            } else if (matches && !ownerDeleting && !deleting) {
                List<OwnerReference> refs = new ArrayList<>(candidate.metadata.ownerReferences);
                refs.add(OwnerReference.controllerOf(owner));
                T adopted = client.mergePatch(type, candidate.metadata.namespace, candidate.metadata.name, ownerReferencesPatch(refs));
                owned.add(adopted != null ? adopted : candidate);
            }
        }
        return owned;
    }

    /** A merge patch that sets metadata.ownerReferences to {@code refs} (removes the field when empty). */
    public static String ownerReferencesPatch(List<OwnerReference> refs) {
        ObjectNode patch = Json.mapper().createObjectNode();
        ObjectNode meta = patch.putObject("metadata");
        if (refs.isEmpty()) {
            meta.putNull("ownerReferences");
        } else {
            ArrayNode arr = meta.putArray("ownerReferences");
            refs.forEach(r -> arr.add(Json.toTree(r)));
        }
        return Json.write(patch);
    }
}
