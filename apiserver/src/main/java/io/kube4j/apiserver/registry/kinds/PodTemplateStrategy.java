package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PodTemplate;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** PodTemplates: the pod spec defaults and validation of a pod. Kubernetes: {@code pkg/registry/core/podtemplate/strategy.go}. */
@Component
public class PodTemplateStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.PODTEMPLATES;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/core/podtemplate/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    /** A pod template has no spec: "any changes to the template increment the generation number". */
    @Override
    public JsonNode specOf(ObjectNode obj) {
        return obj.path("template");
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        PodTemplate pt = (PodTemplate) obj;
        if (pt.template != null) {
            Defaults.podSpec(pt.template.spec);
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        PodTemplate pt = (PodTemplate) obj;
        if (pt.template == null) {
            errs.required("template", null);
            return;
        }
        errs.labels("template.metadata.labels", pt.template.metadata.labels);
        Validation.podSpec(errs, "template.spec", pt.template.spec);
    }
}
