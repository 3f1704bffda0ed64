package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.Node;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.Set;

/** Nodes: cluster-scoped, valid taints, status kept as the kubelet registers it. Kubernetes: {@code pkg/registry/core/node/strategy.go}. */
@Component
public class NodeStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.NODES;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    /** A kubelet registers its node with its capacity and conditions: the status is kept on create. */
    @Override
    public void prepareForCreate(ObjectNode obj) {
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.node(errs, (Node) obj);
    }

    @Override
    public Set<String> fieldLabels() {
        return Set.of("metadata.name", "spec.unschedulable");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }
}
