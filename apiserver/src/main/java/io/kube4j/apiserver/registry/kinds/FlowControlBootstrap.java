package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.FlowSchema;
import io.kube4j.api.PriorityLevelConfiguration;

import java.util.List;
import java.util.Map;

/**
 * The mandatory API Priority and Fairness objects every 1.32 apiserver keeps (priority levels and flow
 * schemas {@code exempt} and {@code catch-all}), with their specs as defaulted. Kubernetes:
 * {@code pkg/apis/flowcontrol/bootstrap/default.go} (Mandatory*), kept by the apiserver's APF configuration
 * controller ({@code pkg/registry/flowcontrol/ensurer}); the suggested objects (global-default, system,
 * workload-high ...) are not created by kube4j.
 */
public final class FlowControlBootstrap {
    /** flowcontrol.AutoUpdateAnnotationKey. */
    public static final String AUTO_UPDATE_ANNOTATION = "apf.kubernetes.io/autoupdate-spec";

    /** The mandatory priority levels by name. */
    public static final Map<String, PriorityLevelConfiguration> MANDATORY_PRIORITY_LEVELS = Map.of(
            "exempt", exemptLevel(), "catch-all", catchAllLevel());
    /** The mandatory flow schemas by name. */
    public static final Map<String, FlowSchema> MANDATORY_FLOW_SCHEMAS = Map.of(
            "exempt", flowSchema("exempt", "exempt", 1, null, List.of("system:masters")),
            "catch-all", flowSchema("catch-all", "catch-all", 10000, "ByUser", List.of("system:unauthenticated", "system:authenticated")));

    private FlowControlBootstrap() {
    }

    private static PriorityLevelConfiguration exemptLevel() {
        PriorityLevelConfiguration pl = level("exempt");
        pl.spec.type = "Exempt";
        pl.spec.exempt = new PriorityLevelConfiguration.ExemptPriorityLevelConfiguration();
        pl.spec.exempt.nominalConcurrencyShares = 0;
        pl.spec.exempt.lendablePercent = 0;
        return pl;
    }

    private static PriorityLevelConfiguration catchAllLevel() {
        PriorityLevelConfiguration pl = level("catch-all");
        pl.spec.type = "Limited";
        pl.spec.limited = new PriorityLevelConfiguration.LimitedPriorityLevelConfiguration();
        pl.spec.limited.nominalConcurrencyShares = 5;
        pl.spec.limited.lendablePercent = 0;
        pl.spec.limited.limitResponse.type = "Reject";
        return pl;
    }

    private static PriorityLevelConfiguration level(String name) {
        PriorityLevelConfiguration pl = new PriorityLevelConfiguration();
        pl.metadata.name = name;
        pl.metadata.annotations.put(AUTO_UPDATE_ANNOTATION, "true");
        return pl;
    }

    /** A schema matching every request of {@code groups}, resource and non-resource alike. */
    private static FlowSchema flowSchema(String name, String level, int precedence, String distinguisher, List<String> groups) {
        FlowSchema fs = new FlowSchema();
        fs.metadata.name = name;
        fs.metadata.annotations.put(AUTO_UPDATE_ANNOTATION, "true");
        fs.spec.priorityLevelConfiguration.name = level;
        fs.spec.matchingPrecedence = precedence;
        if (distinguisher != null) {
            fs.spec.distinguisherMethod = new FlowSchema.FlowDistinguisherMethod();
            fs.spec.distinguisherMethod.type = distinguisher;
        }
        FlowSchema.PolicyRulesWithSubjects rule = new FlowSchema.PolicyRulesWithSubjects();
        for (String g : groups) {
            FlowSchema.Subject s = new FlowSchema.Subject();
            s.kind = "Group";
            s.group = new FlowSchema.GroupSubject();
            s.group.name = g;
            rule.subjects.add(s);
        }
        FlowSchema.ResourcePolicyRule all = new FlowSchema.ResourcePolicyRule();
        all.verbs.add("*");
        all.apiGroups.add("*");
        all.resources.add("*");
        all.clusterScope = true;
        all.namespaces.add("*");
        rule.resourceRules.add(all);
        FlowSchema.NonResourcePolicyRule urls = new FlowSchema.NonResourcePolicyRule();
        urls.verbs.add("*");
        urls.nonResourceURLs.add("*");
        rule.nonResourceRules.add(urls);
        fs.spec.rules.add(rule);
        return fs;
    }
}
