package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.Role;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Whether one set of rules grants everything another does: Kubernetes' {@code Covers},
 * {@code BreakdownRule} and {@code ruleCovers} (pkg/registry/rbac/validation/policy_comparator.go), and
 * the {@code CompactRules}/{@code CompactString} used to word what is missing
 * (pkg/registry/rbac/validation/policy_compact.go, pkg/apis/rbac/v1/evaluation_helpers.go).
 */
public final class RuleCoverage {
    private RuleCoverage() {
    }

    /** The atomic rules of {@code servant} that no rule of {@code owner} covers; empty when owner covers servant. */
    public static List<Role.PolicyRule> uncovered(List<Role.PolicyRule> owner, List<Role.PolicyRule> servant) {
        List<Role.PolicyRule> missing = new ArrayList<>();
        for (Role.PolicyRule s : servant) {
            for (Role.PolicyRule sub : breakdown(s)) {
                if (owner.stream().noneMatch(o -> covers(o, sub))) missing.add(sub);
            }
        }
        return missing;
    }

    /** Kubernetes' {@code BreakdownRule}: one rule per group x resource x verb (x name), and per URL x verb. */
    public static List<Role.PolicyRule> breakdown(Role.PolicyRule r) {
        List<Role.PolicyRule> out = new ArrayList<>();
        for (String g : nz(r.apiGroups)) {
            for (String res : nz(r.resources)) {
                for (String v : nz(r.verbs)) {
                    if (!nz(r.resourceNames).isEmpty()) {
                        for (String n : r.resourceNames) out.add(rule(List.of(g), List.of(res), List.of(v), List.of(n), List.of()));
                    } else {
                        out.add(rule(List.of(g), List.of(res), List.of(v), List.of(), List.of()));
                    }
                }
            }
        }
        for (String u : nz(r.nonResourceURLs)) {
            for (String v : nz(r.verbs)) out.add(rule(List.of(), List.of(), List.of(v), List.of(), List.of(u)));
        }
        return out;
    }

    /** Kubernetes' {@code ruleCovers}. */
    static boolean covers(Role.PolicyRule owner, Role.PolicyRule sub) {
        boolean verbs = nz(owner.verbs).contains("*") || nz(owner.verbs).containsAll(nz(sub.verbs));
        boolean groups = nz(owner.apiGroups).contains("*") || nz(owner.apiGroups).containsAll(nz(sub.apiGroups));
        boolean resources = resourcesCover(nz(owner.resources), nz(sub.resources));
        boolean urls = nz(sub.nonResourceURLs).stream().allMatch(p -> nz(owner.nonResourceURLs).stream().anyMatch(o -> urlCovers(o, p)));
        boolean names = nz(sub.resourceNames).isEmpty() ? nz(owner.resourceNames).isEmpty()
                : nz(owner.resourceNames).isEmpty() || nz(owner.resourceNames).containsAll(sub.resourceNames);
        return verbs && groups && resources && names && urls;
    }

    private static boolean resourcesCover(List<String> set, List<String> covers) {
        if (set.contains("*") || set.containsAll(covers)) return true;
        for (String path : covers) {
            if (set.contains(path)) continue;
            int slash = path.indexOf('/');
            if (slash < 0) return false;
            if (!set.contains("*/" + path.substring(slash + 1))) return false;
        }
        return true;
    }

    private static boolean urlCovers(String owner, String sub) {
        if (owner.equals(sub)) return true;
        if (!owner.endsWith("*")) return false;
        int end = owner.length();
        while (end > 0 && owner.charAt(end - 1) == '*') end--;
        return sub.startsWith(owner.substring(0, end));
    }

    /**
     * The missing rules as Kubernetes words them in an escalation error: rules for one group, one
     * resource, at most one name and no URLs are merged (their verbs joined), then each is written as
     * {@code CompactString} and the lines sorted.
     */
    public static List<String> describe(List<Role.PolicyRule> missing) {
        List<Role.PolicyRule> compacted = new ArrayList<>();
        Map<List<Object>, Role.PolicyRule> simple = new LinkedHashMap<>();
        for (Role.PolicyRule r : missing) {
            boolean isSimple = nz(r.apiGroups).size() == 1 && nz(r.resources).size() == 1 && nz(r.resourceNames).size() <= 1
                    && nz(r.nonResourceURLs).isEmpty() && !nz(r.verbs).isEmpty();
            if (isSimple) {
                List<Object> key = List.of(r.apiGroups.get(0), r.resources.get(0), nz(r.resourceNames).isEmpty() ? "" : r.resourceNames.get(0),
                        nz(r.resourceNames).isEmpty());
                Role.PolicyRule acc = simple.get(key);
                if (acc == null) simple.put(key, rule(r.apiGroups, r.resources, new ArrayList<>(r.verbs), nz(r.resourceNames), List.of()));
                else acc.verbs.addAll(r.verbs);
            } else {
                compacted.add(r);
            }
        }
        compacted.addAll(simple.values());
        TreeSet<String> lines = new TreeSet<>();
        for (Role.PolicyRule r : compacted) lines.add(compactString(r));
        return new ArrayList<>(lines);
    }

    /** Kubernetes' {@code CompactString}: {@code {APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}}. */
    public static String compactString(Role.PolicyRule r) {
        List<String> parts = new ArrayList<>();
        if (!nz(r.apiGroups).isEmpty()) parts.add("APIGroups:" + goQuoted(r.apiGroups));
        if (!nz(r.resources).isEmpty()) parts.add("Resources:" + goQuoted(r.resources));
        if (!nz(r.nonResourceURLs).isEmpty()) parts.add("NonResourceURLs:" + goQuoted(r.nonResourceURLs));
        if (!nz(r.resourceNames).isEmpty()) parts.add("ResourceNames:" + goQuoted(r.resourceNames));
        if (!nz(r.verbs).isEmpty()) parts.add("Verbs:" + goQuoted(r.verbs));
        return "{" + String.join(", ", parts) + "}";
    }

    /** Go's {@code %q} of a {@code []string}: {@code ["a" "b"]}. */
    public static String goQuoted(List<String> values) {
        List<String> q = new ArrayList<>();
        for (String v : values) q.add("\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return "[" + String.join(" ", q) + "]";
    }

    /** True when both rules list the same values (order ignored), for reconciling bootstrap roles. */
    public static boolean sameRule(Role.PolicyRule a, Role.PolicyRule b) {
        return set(a.verbs).equals(set(b.verbs)) && set(a.apiGroups).equals(set(b.apiGroups)) && set(a.resources).equals(set(b.resources))
                && set(a.resourceNames).equals(set(b.resourceNames)) && set(a.nonResourceURLs).equals(set(b.nonResourceURLs));
    }

    private static TreeSet<String> set(List<String> l) {
        return new TreeSet<>(nz(l));
    }

    static Role.PolicyRule rule(List<String> groups, List<String> resources, List<String> verbs, List<String> names, List<String> urls) {
        Role.PolicyRule r = new Role.PolicyRule();
        r.apiGroups = new ArrayList<>(groups);
        r.resources = new ArrayList<>(resources);
        r.verbs = new ArrayList<>(verbs);
        r.resourceNames = new ArrayList<>(names);
        r.nonResourceURLs = new ArrayList<>(urls);
        return r;
    }

    private static List<String> nz(List<String> l) {
        return l == null ? List.of() : l.stream().filter(Objects::nonNull).toList();
    }
}
