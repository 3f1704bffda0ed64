package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.FlowSchema;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/**
 * FlowSchemas (flowcontrol.apiserver.k8s.io/v1, cluster-scoped, status subresource): matchingPrecedence
 * defaults to 1000 ({@code SetDefaults_FlowSchemaSpec}) and lies in 1..10000 (1 only for {@code exempt}); the
 * priority level is named; each rule has subjects of a supported kind with the field of that kind, and
 * resource rules with verbs, API groups, resources and namespaces (unless cluster-scoped) or non-resource
 * rules with verbs and URLs; the mandatory {@code exempt} and {@code catch-all} schemas keep their fixed spec.
 * Kubernetes: {@code pkg/apis/flowcontrol/v1/defaults.go}, {@code pkg/apis/flowcontrol/validation/validation.go}.
 */
@Component
public class FlowSchemaStrategy implements Strategy {
    /** FlowSchemaDefaultMatchingPrecedence. */
    public static final int DEFAULT_MATCHING_PRECEDENCE = 1000;
    /** FlowSchemaMaxMatchingPrecedence. */
    public static final int MAX_MATCHING_PRECEDENCE = 10000;
    static final List<String> DISTINGUISHER_METHODS = List.of("ByNamespace", "ByUser");
    static final List<String> SUBJECT_KINDS = List.of("Group", "ServiceAccount", "User");
    static final Set<String> VERBS = Set.of("get", "list", "create", "update", "delete", "deletecollection", "patch", "watch", "proxy");
    static final List<String> VERBS_SORTED = List.of("create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch");
    static final String NS_ERR_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";

    @Override
    public ResourceType type() {
        return ResourceTypes.FLOWSCHEMAS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/flowcontrol/flowschema/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        FlowSchema fs = (FlowSchema) obj;
        if (fs.spec.matchingPrecedence == 0) {
            fs.spec.matchingPrecedence = DEFAULT_MATCHING_PRECEDENCE;
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        FlowSchema fs = (FlowSchema) obj;
        FlowSchema.FlowSchemaSpec spec = fs.spec;
        if (spec.matchingPrecedence <= 0) {
            errs.invalid("spec.matchingPrecedence", spec.matchingPrecedence, "must be a positive value");
        }
        if (spec.matchingPrecedence > MAX_MATCHING_PRECEDENCE) {
            errs.invalid("spec.matchingPrecedence", spec.matchingPrecedence, "must not be greater than " + MAX_MATCHING_PRECEDENCE);
        }
        if (spec.matchingPrecedence == 1 && !"exempt".equals(fs.metadata.name)) {
            errs.invalid("spec.matchingPrecedence", spec.matchingPrecedence, "only the schema named 'exempt' may have matchingPrecedence 1");
        }
        if (spec.distinguisherMethod != null && !DISTINGUISHER_METHODS.contains(spec.distinguisherMethod.type)) {
            errs.notSupported("spec.distinguisherMethod.type", spec.distinguisherMethod.type, DISTINGUISHER_METHODS);
        }
        String pl = spec.priorityLevelConfiguration == null ? null : spec.priorityLevelConfiguration.name;
        if (pl == null || pl.isEmpty()) {
            errs.required("spec.priorityLevelConfiguration.name", "must reference a priority level");
        } else {
            errs.dns1123Subdomain("spec.priorityLevelConfiguration.name", pl);
        }
        for (int i = 0; i < spec.rules.size(); i++) {
            rule(spec.rules.get(i), "spec.rules[" + i + "]", errs);
        }
        FlowSchema mandatory = FlowControlBootstrap.MANDATORY_FLOW_SCHEMAS.get(fs.metadata.name);
        if (mandatory != null && !Json.write(Json.toTree(fs.spec)).equals(Json.write(Json.toTree(mandatory.spec)))) {
            errs.invalid("spec", "{...}", "spec of '" + fs.metadata.name + "' must equal the fixed value");
        }
        conditions(fs.status.conditions.stream().map(c -> c.type).toList(), errs);
    }

    /** Condition types are present and unique (ValidateFlowSchemaStatus). */
    static void conditions(List<String> types, FieldErrors errs) {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < types.size(); i++) {
            String t = types.get(i);
            if (t != null && !seen.add(t)) {
                errs.duplicate("status.conditions[" + i + "].type", t);
            }
            if (t == null || t.isEmpty()) {
                errs.required("status.conditions[" + i + "].type", "must not be empty");
            }
        }
    }

    private static void rule(FlowSchema.PolicyRulesWithSubjects rule, String path, FieldErrors errs) {
        if (rule.subjects.isEmpty()) {
            errs.required(path + ".subjects", "subjects must contain at least one value");
        }
        for (int i = 0; i < rule.subjects.size(); i++) {
            subject(rule.subjects.get(i), path + ".subjects[" + i + "]", errs);
        }
        if (rule.resourceRules.isEmpty() && rule.nonResourceRules.isEmpty()) {
            errs.required(path, "at least one of resourceRules and nonResourceRules has to be non-empty");
        }
        for (int i = 0; i < rule.resourceRules.size(); i++) {
            resourceRule(rule.resourceRules.get(i), path + ".resourceRules[" + i + "]", errs);
        }
        for (int i = 0; i < rule.nonResourceRules.size(); i++) {
            nonResourceRule(rule.nonResourceRules.get(i), path + ".nonResourceRules[" + i + "]", errs);
        }
    }

    private static void subject(FlowSchema.Subject s, String path, FieldErrors errs) {
        String kind = s.kind == null ? "" : s.kind;
        switch (kind) {
            case "ServiceAccount" -> {
                if (s.serviceAccount == null) {
                    errs.required(path + ".serviceAccount", "serviceAccount is required when subject kind is 'ServiceAccount'");
                } else {
                    if (s.serviceAccount.name == null || s.serviceAccount.name.isEmpty()) {
                        errs.required(path + ".serviceAccount.name", null);
                    } else if (!"*".equals(s.serviceAccount.name)) {
                        errs.dns1123Subdomain(path + ".serviceAccount.name", s.serviceAccount.name);
                    }
                    if (s.serviceAccount.namespace == null || s.serviceAccount.namespace.isEmpty()) {
                        errs.required(path + ".serviceAccount.namespace", "must specify namespace for service account");
                    } else {
                        errs.dns1123Label(path + ".serviceAccount.namespace", s.serviceAccount.namespace);
                    }
                }
                forbidUser(s, path, errs);
                forbidGroup(s, path, errs);
            }
            case "User" -> {
                if (s.user == null) {
                    errs.required(path + ".user", "user is required when subject kind is 'User'");
                } else if (s.user.name == null || s.user.name.isEmpty()) {
                    errs.required(path + ".user.name", null);
                }
                forbidServiceAccount(s, path, errs);
                forbidGroup(s, path, errs);
            }
            case "Group" -> {
                if (s.group == null) {
                    errs.required(path + ".group", "group is required when subject kind is 'Group'");
                } else if (s.group.name == null || s.group.name.isEmpty()) {
                    errs.required(path + ".group.name", null);
                }
                forbidServiceAccount(s, path, errs);
                forbidUser(s, path, errs);
            }
            default -> errs.notSupported(path + ".kind", kind, SUBJECT_KINDS);
        }
    }

    private static void forbidUser(FlowSchema.Subject s, String path, FieldErrors errs) {
        if (s.user != null) {
            errs.forbidden(path + ".user", "user is forbidden when subject kind is not 'User'");
        }
    }

    private static void forbidGroup(FlowSchema.Subject s, String path, FieldErrors errs) {
        if (s.group != null) {
            errs.forbidden(path + ".group", "group is forbidden when subject kind is not 'Group'");
        }
    }

    private static void forbidServiceAccount(FlowSchema.Subject s, String path, FieldErrors errs) {
        if (s.serviceAccount != null) {
            errs.forbidden(path + ".serviceAccount", "serviceAccount is forbidden when subject kind is not 'ServiceAccount'");
        }
    }

    private static void verbs(List<String> verbs, String path, FieldErrors errs) {
        if (verbs.isEmpty()) {
            errs.required(path + ".verbs", "verbs must contain at least one value");
        } else if (verbs.contains("*")) {
            if (verbs.size() > 1) {
                errs.invalid(path + ".verbs", goStrings(verbs), "if '*' is present, must not specify other verbs");
            }
        } else if (!VERBS.containsAll(verbs)) {
            errs.notSupported(path + ".verbs", goStrings(verbs), VERBS_SORTED);
        }
    }

    private static void resourceRule(FlowSchema.ResourcePolicyRule r, String path, FieldErrors errs) {
        verbs(r.verbs, path, errs);
        if (r.apiGroups.isEmpty()) {
            errs.required(path + ".apiGroups", "resource rules must supply at least one api group");
        } else if (r.apiGroups.size() > 1 && r.apiGroups.contains("*")) {
            errs.invalid(path + ".apiGroups", goStrings(r.apiGroups), "if '*' is present, must not specify other api groups");
        }
        if (r.resources.isEmpty()) {
            errs.required(path + ".resources", "resource rules must supply at least one resource");
        } else if (r.resources.size() > 1 && r.resources.contains("*")) {
            errs.invalid(path + ".resources", goStrings(r.resources), "if '*' is present, must not specify other resources");
        }
        if (r.namespaces.isEmpty() && !Boolean.TRUE.equals(r.clusterScope)) {
            errs.required(path + ".namespaces", "resource rules that are not cluster scoped must supply at least one namespace");
        } else if (r.namespaces.contains("*")) {
            if (r.namespaces.size() > 1) {
                errs.invalid(path + ".namespaces", goStrings(r.namespaces), "if '*' is present, must not specify other namespaces");
            }
        } else {
            for (int i = 0; i < r.namespaces.size(); i++) {
                String ns = r.namespaces.get(i);
                if (ns == null || ns.length() > 63 || !ns.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")) {
                    errs.invalid(path + ".namespaces[" + i + "]", ns, NS_ERR_INTRO
                            + "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
                }
            }
        }
    }

    private static void nonResourceRule(FlowSchema.NonResourcePolicyRule r, String path, FieldErrors errs) {
        verbs(r.verbs, path, errs);
        if (r.nonResourceURLs.isEmpty()) {
            errs.required(path + ".nonResourceURLs", "nonResourceURLs must contain at least one value");
        } else if (r.nonResourceURLs.contains("*")) {
            if (r.nonResourceURLs.size() > 1) {
                errs.invalid(path + ".nonResourceURLs", goStrings(r.nonResourceURLs), "if '*' is present, must not specify other non-resource URLs");
            }
        } else {
            for (int i = 0; i < r.nonResourceURLs.size(); i++) {
                String msg = nonResourceUrlProblem(r.nonResourceURLs.get(i));
                if (msg != null) {
                    errs.invalid(path + ".nonResourceURLs[" + i + "]", r.nonResourceURLs.get(i), msg);
                }
            }
        }
    }

    /** ValidateNonResourceURLPath: leading slash, no white-space, no "//", "*" only as a "/*" suffix. */
    static String nonResourceUrlProblem(String p) {
        if (p == null || p.isEmpty()) {
            return "must not be empty";
        }
        if (p.equals("/")) {
            return null;
        }
        if (!p.startsWith("/")) {
            return "must start with slash";
        }
        if (p.contains(" ")) {
            return "must not contain white-space";
        }
        if (p.contains("//")) {
            return "must not contain double slash";
        }
        long stars = p.chars().filter(ch -> ch == '*').count();
        if (stars > 1 || (stars == 1 && !p.endsWith("/*"))) {
            return "wildcard can only do suffix matching";
        }
        return null;
    }

    /** How Go's %#v prints a []string in a field error: {@code []string{"*", "get"}}. */
    static Object goStrings(List<String> values) {
        String body = String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList());
        return new Object() {
            @Override
            public String toString() {
                return "[]string{" + body + "}";
            }
        };
    }
}
