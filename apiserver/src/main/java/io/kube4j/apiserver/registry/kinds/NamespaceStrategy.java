package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.Namespace;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * Namespaces: DNS-1123 label names, the {@code kubernetes} finalizer, phase Terminating once deleted, and
 * removal only when the namespace controller has emptied {@code spec.finalizers} (through
 * {@code /finalize}). Kubernetes: {@code pkg/registry/core/namespace/strategy.go}.
 */
@Component
public class NamespaceStrategy implements Strategy {
    /** Namespaces the cluster cannot work without. */
    public static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    @Override
    public ResourceType type() {
        return ResourceTypes.NAMESPACES;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    /** The phase is defaulted (Active), not reset. */
    @Override
    public void prepareForCreate(ObjectNode obj) {
    }

    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.LABEL;
    }

    /** The defaults, and the label {@code kubernetes.io/metadata.name} always equal to the name (immutable, as in 1.32). */
    @Override
    public void applyDefaults(KubeObject obj) {
        Namespace ns = (Namespace) obj;
        Defaults.namespace(ns);
        if (ns.metadata.labels == null) {
            ns.metadata.labels = new java.util.LinkedHashMap<>();
        }
        ns.metadata.labels.put("kubernetes.io/metadata.name", ns.metadata.name);
    }

    @Override
    public Set<String> fieldLabels() {
        return Set.of("metadata.name", "status.phase");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }

    @Override
    public void checkDelete(String name) {
        if (SYSTEM_NAMESPACES.contains(name)) {
            throw ApiError.forbidden("", "namespaces", name, "this namespace may not be deleted");
        }
    }

    @Override
    public boolean markTerminating(ObjectNode obj) {
        if ("Terminating".equals(obj.path("status").path("phase").asString(""))) {
            return false;
        }
        obj.putObject("status").put("phase", "Terminating");
        return true;
    }

    @Override
    public boolean deletionHeld(ObjectNode obj) {
        return !obj.path("spec").path("finalizers").isEmpty();
    }

    @Override
    public List<String> subresources() {
        return List.of("finalize");
    }
}
