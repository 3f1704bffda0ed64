package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1): CEL validations of admitted requests. */
public class ValidatingAdmissionPolicy extends KubeObject {
    public ValidatingAdmissionPolicySpec spec = new ValidatingAdmissionPolicySpec();
    public ValidatingAdmissionPolicyStatus status = new ValidatingAdmissionPolicyStatus();

    public ValidatingAdmissionPolicy() {
        super("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy");
    }

    /** The parameter kind, what it matches, the validations and what a failure does. */
    public static class ValidatingAdmissionPolicySpec {
        public ParamKind paramKind;
        public MatchResources matchConstraints;
        public List<Validation> validations = new ArrayList<>();
        public String failurePolicy;
        public List<AuditAnnotation> auditAnnotations = new ArrayList<>();
        public List<MatchCondition> matchConditions = new ArrayList<>();
        public List<Variable> variables = new ArrayList<>();
    }

    /** The kind of the parameter objects (apiVersion and kind). */
    public static class ParamKind {
        public String apiVersion;
        public String kind;
    }

    /** The requests a policy or binding applies to: namespace and object selectors and resource rules. */
    public static class MatchResources {
        public LabelSelector namespaceSelector;
        public LabelSelector objectSelector;
        public List<NamedRuleWithOperations> resourceRules = new ArrayList<>();
        public List<NamedRuleWithOperations> excludeResourceRules = new ArrayList<>();
        public String matchPolicy;
    }

    /** Operations on resources of API groups and versions, optionally only some names. */
    public static class NamedRuleWithOperations {
        public List<String> resourceNames = new ArrayList<>();
        public List<String> operations = new ArrayList<>();
        public List<String> apiGroups = new ArrayList<>();
        public List<String> apiVersions = new ArrayList<>();
        public List<String> resources = new ArrayList<>();
        public String scope;
    }

    /** A CEL expression that must be true, with a message (or message expression) and reason when it is not. */
    public static class Validation {
        public String expression;
        public String message;
        public String reason;
        public String messageExpression;
    }

    /** A named CEL expression usable in the others as {@code variables.<name>}. */
    public static class Variable {
        public String name;
        public String expression;
    }

    /** An audit annotation key and the CEL expression of its value. */
    public static class AuditAnnotation {
        public String key;
        public String valueExpression;
    }

    /** A CEL expression a request must satisfy for the policy to apply at all. */
    public static class MatchCondition {
        public String name;
        public String expression;
    }

    /** Type-checking warnings and conditions. */
    public static class ValidatingAdmissionPolicyStatus {
        public Long observedGeneration;
        public TypeChecking typeChecking;
        public List<Condition> conditions = new ArrayList<>();
    }

    /** The results of type-checking the expressions. */
    public static class TypeChecking {
        public List<ExpressionWarning> expressionWarnings = new ArrayList<>();
    }

    /** A warning about the expression at fieldRef. */
    public static class ExpressionWarning {
        public String fieldRef;
        public String warning;
    }
}
