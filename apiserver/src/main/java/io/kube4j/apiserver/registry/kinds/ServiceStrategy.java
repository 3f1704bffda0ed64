package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Service;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import io.kube4j.apiserver.registry.ObjectStore;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * Services: DNS-1035 names, port rules, and writes that allocate and release ClusterIPs and NodePorts in
 * the Service's own transaction. Kubernetes: {@code pkg/registry/core/service/strategy.go} and
 * {@code storage/alloc.go}.
 */
@Component
public class ServiceStrategy implements Strategy {
    private final ServiceAllocator allocator;

    public ServiceStrategy(ServiceAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICES;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.DNS1035;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        Defaults.service((Service) obj);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.service(errs, (Service) obj);
    }

    /** Kubernetes' Service field labels (AddFieldLabelConversionsForService). */
    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("spec.clusterIP", "spec.type");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }

    @Override
    public ObjectStore store(ObjectStore plain) {
        return new ObjectStore() {
            @Override
            public ObjectNode create(String key, ObjectNode obj, boolean dryRun) {
                return allocator.create(key, obj, dryRun);
            }

            @Override
            public long update(String key, ObjectNode current, ObjectNode next, long modRevision) {
                return allocator.update(key, current, next, modRevision);
            }

            @Override
            public long delete(String key, ObjectNode current, long modRevision) {
                return allocator.delete(key, current, modRevision);
            }

            @Override
            public void carryOver(ObjectNode current, ObjectNode proposed) {
                allocator.carryOver(current, proposed);
            }
        };
    }
}
