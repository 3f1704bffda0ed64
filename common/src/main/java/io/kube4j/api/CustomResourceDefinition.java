package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A CustomResourceDefinition ({@code apiextensions.k8s.io/v1}): a new resource served by the apiserver
 * from its names, scope and versions. Schemas stay free-form ({@code Map}) because they are JSON Schema
 * documents the apiserver reads as trees. Kubernetes: {@code staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types.go}.
 */
public class CustomResourceDefinition extends KubeObject {
    public static final String API_VERSION = "apiextensions.k8s.io/v1";

    public Spec spec = new Spec();
    public Status status;

    public CustomResourceDefinition() {
        super(API_VERSION, "CustomResourceDefinition");
    }

    /** CustomResourceDefinitionSpec. */
    public static class Spec {
        public String group;
        public Names names = new Names();
        /** {@code Namespaced} or {@code Cluster}. */
        public String scope;
        public List<Version> versions = new ArrayList<>();
        public Conversion conversion;
        public Boolean preserveUnknownFields;
    }

    /** CustomResourceDefinitionNames. */
    public static class Names {
        public String plural;
        public String singular;
        public List<String> shortNames;
        public String kind;
        public String listKind;
        public List<String> categories;
    }

    /** CustomResourceDefinitionVersion. */
    public static class Version {
        public String name;
        public boolean served;
        public boolean storage;
        public Boolean deprecated;
        public String deprecationWarning;
        public Validation schema;
        public Subresources subresources;
        public List<PrinterColumn> additionalPrinterColumns;
        public List<SelectableField> selectableFields;
    }

    /** CustomResourceValidation: the version's OpenAPI v3 schema, as JSON. */
    public static class Validation {
        public Map<String, Object> openAPIV3Schema;
    }

    /** CustomResourceSubresources: {@code status: {}} and the scale paths. */
    public static class Subresources {
        public Map<String, Object> status;
        public Scale scale;
    }

    /** CustomResourceSubresourceScale: simple JSON paths into the custom resource. */
    public static class Scale {
        public String specReplicasPath;
        public String statusReplicasPath;
        public String labelSelectorPath;
    }

    /** CustomResourceColumnDefinition. */
    public static class PrinterColumn {
        public String name;
        public String type;
        public String format;
        public String description;
        public Integer priority;
        public String jsonPath;
    }

    /** SelectableField: a field path usable in field selectors. */
    public static class SelectableField {
        public String jsonPath;
    }

    /** CustomResourceConversion: {@code None} or {@code Webhook}. */
    public static class Conversion {
        public String strategy;
        public Map<String, Object> webhook;
    }

    /** CustomResourceDefinitionStatus. */
    public static class Status {
        public List<CrdCondition> conditions;
        public Names acceptedNames;
        public List<String> storedVersions;
    }

    /** CustomResourceDefinitionCondition: NamesAccepted, Established, Terminating, ... */
    public static class CrdCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;

        public CrdCondition() {
        }

        public CrdCondition(String type, String status, String reason, String message, String lastTransitionTime) {
            this.type = type;
            this.status = status;
            this.reason = reason;
            this.message = message;
            this.lastTransitionTime = lastTransitionTime;
        }
    }
}
