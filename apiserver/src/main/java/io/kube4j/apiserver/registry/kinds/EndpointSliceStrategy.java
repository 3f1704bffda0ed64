package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * EndpointSlices (discovery.k8s.io/v1): an addressType of IPv4, IPv6 or FQDN that never changes, and
 * at least one address per endpoint. Kubernetes: {@code pkg/apis/discovery/validation/validation.go}.
 */
@Component
public class EndpointSliceStrategy implements Strategy {
    private static final List<String> ADDRESS_TYPES = List.of("IPv4", "IPv6", "FQDN");

    @Override
    public ResourceType type() {
        return ResourceTypes.ENDPOINTSLICES;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/discovery/endpointslice/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    /** Everything but metadata, and the labels: PrepareForUpdate "increment[s] generation if anything other than meta changed" or the labels did. */
    @Override
    public JsonNode specOf(ObjectNode obj) {
        ObjectNode counted = (ObjectNode) Strategy.super.specOf(obj);
        counted.putObject("metadata").set("labels", obj.path("metadata").path("labels"));
        return counted;
    }

    /** SetDefaults_EndpointPort: name "" and protocol TCP. */
    @Override
    public void applyDefaults(KubeObject obj) {
        for (EndpointSlice.EndpointPort p : ((EndpointSlice) obj).ports) {
            if (p.name == null) {
                p.name = "";
            }
            if (p.protocol == null) {
                p.protocol = "TCP";
            }
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        EndpointSlice es = (EndpointSlice) obj;
        if (es.addressType == null || es.addressType.isEmpty()) {
            errs.required("addressType", null);
        } else if (!ADDRESS_TYPES.contains(es.addressType)) {
            errs.notSupported("addressType", es.addressType, ADDRESS_TYPES);
        }
        for (int i = 0; i < es.endpoints.size(); i++) {
            if (es.endpoints.get(i).addresses.isEmpty()) {
                errs.required("endpoints[" + i + "].addresses", "must contain at least 1 address");
            }
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        if (!Objects.equals(((EndpointSlice) obj).addressType, ((EndpointSlice) old).addressType)) {
            errs.invalid("addressType", ((EndpointSlice) obj).addressType, "field is immutable");
        }
    }
}
