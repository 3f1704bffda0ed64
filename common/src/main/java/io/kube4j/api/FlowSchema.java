package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A FlowSchema (flowcontrol.apiserver.k8s.io/v1, cluster-scoped): which requests (subjects and resource or
 * non-resource rules) belong to which priority level of API Priority and Fairness. Kubernetes:
 * {@code k8s.io/api/flowcontrol/v1/types.go}. kube4j stores and validates it; it does not queue requests.
 */
public class FlowSchema extends KubeObject {
    public FlowSchemaSpec spec = new FlowSchemaSpec();
    public FlowSchemaStatus status = new FlowSchemaStatus();

    public FlowSchema() {
        super("flowcontrol.apiserver.k8s.io/v1", "FlowSchema");
    }

    /** The priority level, precedence (1..10000, lower first), distinguisher and rules. */
    public static class FlowSchemaSpec {
        public PriorityLevelConfigurationReference priorityLevelConfiguration = new PriorityLevelConfigurationReference();
        public int matchingPrecedence;
        public FlowDistinguisherMethod distinguisherMethod;
        public List<PolicyRulesWithSubjects> rules = new ArrayList<>();
    }

    /** The name of a PriorityLevelConfiguration. */
    public static class PriorityLevelConfigurationReference {
        public String name;
    }

    /** ByUser or ByNamespace. */
    public static class FlowDistinguisherMethod {
        public String type;
    }

    /** Requests match when a subject and a rule (resource or non-resource) both match. */
    public static class PolicyRulesWithSubjects {
        public List<Subject> subjects = new ArrayList<>();
        public List<ResourcePolicyRule> resourceRules = new ArrayList<>();
        public List<NonResourcePolicyRule> nonResourceRules = new ArrayList<>();
    }

    /** A User, Group or ServiceAccount; exactly the field of its kind is set. */
    public static class Subject {
        public String kind;
        public UserSubject user;
        public GroupSubject group;
        public ServiceAccountSubject serviceAccount;
    }

    /** A user by name ("*" for all). */
    public static class UserSubject {
        public String name;
    }

    /** A group by name. */
    public static class GroupSubject {
        public String name;
    }

    /** A service account by namespace and name ("*" for all in the namespace). */
    public static class ServiceAccountSubject {
        public String namespace;
        public String name;
    }

    /** Verbs on resources of API groups, cluster-scoped and/or in namespaces ("*" for any). */
    public static class ResourcePolicyRule {
        public List<String> verbs = new ArrayList<>();
        public List<String> apiGroups = new ArrayList<>();
        public List<String> resources = new ArrayList<>();
        public Boolean clusterScope;
        public List<String> namespaces = new ArrayList<>();
    }

    /** Verbs on non-resource URLs ("/healthz", "/api/*"). */
    public static class NonResourcePolicyRule {
        public List<String> verbs = new ArrayList<>();
        public List<String> nonResourceURLs = new ArrayList<>();
    }

    /** The conditions (Dangling: the priority level does not exist). */
    public static class FlowSchemaStatus {
        public List<FlowSchemaCondition> conditions = new ArrayList<>();
    }

    /** One condition. */
    public static class FlowSchemaCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
