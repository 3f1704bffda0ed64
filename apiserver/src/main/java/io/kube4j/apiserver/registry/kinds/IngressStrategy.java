package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.Ingress;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Ingresses (networking.k8s.io/v1): every HTTP path has a pathType (Exact, Prefix or
 * ImplementationSpecific), Exact/Prefix paths are absolute, and there is a backend somewhere.
 * Kubernetes: {@code pkg/apis/networking/validation/validation.go} ValidateIngressSpec.
 */
@Component
public class IngressStrategy implements Strategy {
    private static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");

    @Override
    public ResourceType type() {
        return ResourceTypes.INGRESSES;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/networking/ingress/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Ingress.IngressSpec spec = ((Ingress) obj).spec;
        if (spec.defaultBackend == null && spec.rules.isEmpty()) {
            errs.invalid("spec.rules", "[]", "either `defaultBackend` or `rules` must be specified");
        }
        for (int i = 0; i < spec.rules.size(); i++) {
            Ingress.IngressRule rule = spec.rules.get(i);
            if (rule.http == null) {
                continue;
            }
            for (int j = 0; j < rule.http.paths.size(); j++) {
                Ingress.HTTPIngressPath p = rule.http.paths.get(j);
                String path = "spec.rules[" + i + "].http.paths[" + j + "]";
                if (p.pathType == null || p.pathType.isEmpty()) {
                    errs.required(path + ".pathType", "pathType must be specified");
                } else if (!PATH_TYPES.contains(p.pathType)) {
                    errs.notSupported(path + ".pathType", p.pathType, PATH_TYPES);
                } else if (!p.pathType.equals("ImplementationSpecific") && (p.path == null || !p.path.startsWith("/"))) {
                    errs.invalid(path + ".path", p.path, "must be an absolute path");
                }
                if (p.backend == null || (p.backend.service == null && p.backend.resource == null)) {
                    errs.invalid(path + ".backend", "", "must specify a service or a resource backend");
                }
            }
        }
    }
}
