package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.NetworkPolicy;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * NetworkPolicies (networking.k8s.io/v1): policyTypes default to Ingress, plus Egress when egress rules
 * are given; ports default to TCP. Stored and validated; enforcement is kube-proxy's (not yet).
 * Kubernetes: {@code pkg/apis/networking/v1/defaults.go}, ValidateNetworkPolicySpec.
 */
@Component
public class NetworkPolicyStrategy implements Strategy {
    private static final List<String> POLICY_TYPES = List.of("Ingress", "Egress");

    @Override
    public ResourceType type() {
        return ResourceTypes.NETWORKPOLICIES;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/networking/networkpolicy/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        NetworkPolicy.NetworkPolicySpec spec = ((NetworkPolicy) obj).spec;
        if (spec.policyTypes.isEmpty()) {
            List<String> types = new ArrayList<>(List.of("Ingress"));
            if (!spec.egress.isEmpty()) {
                types.add("Egress");
            }
            spec.policyTypes = types;
        }
        spec.ingress.forEach(r -> r.ports.forEach(p -> p.protocol = p.protocol == null ? "TCP" : p.protocol));
        spec.egress.forEach(r -> r.ports.forEach(p -> p.protocol = p.protocol == null ? "TCP" : p.protocol));
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        NetworkPolicy.NetworkPolicySpec spec = ((NetworkPolicy) obj).spec;
        for (int i = 0; i < spec.policyTypes.size(); i++) {
            if (!POLICY_TYPES.contains(spec.policyTypes.get(i))) {
                errs.notSupported("spec.policyTypes[" + i + "]", spec.policyTypes.get(i), POLICY_TYPES);
            }
        }
    }
}
