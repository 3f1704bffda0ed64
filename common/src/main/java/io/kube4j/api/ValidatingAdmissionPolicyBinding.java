package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1): applies a policy, with parameters, to some resources. */
public class ValidatingAdmissionPolicyBinding extends KubeObject {
    public ValidatingAdmissionPolicyBindingSpec spec = new ValidatingAdmissionPolicyBindingSpec();

    public ValidatingAdmissionPolicyBinding() {
        super("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding");
    }

    /** The policy, its parameters, what it matches and the actions (Deny, Warn, Audit) on failure. */
    public static class ValidatingAdmissionPolicyBindingSpec {
        public String policyName;
        public ParamRef paramRef;
        public ValidatingAdmissionPolicy.MatchResources matchResources;
        public List<String> validationActions = new ArrayList<>();
    }

    /** The parameter object(s): by name, or by selector, in a namespace; and what to do when none exist. */
    public static class ParamRef {
        public String name;
        public String namespace;
        public LabelSelector selector;
        public String parameterNotFoundAction;
    }
}
