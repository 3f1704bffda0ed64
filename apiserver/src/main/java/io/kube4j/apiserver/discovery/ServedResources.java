package io.kube4j.apiserver.discovery;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategies;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What discovery and OpenAPI advertise: every served resource with its verbs and subresources, grouped
 * by API group and version, in a stable order (core first). Subresources that answer with another
 * kind (scale, binding) name it, as kubectl needs for {@code scale}.
 */
@Component
public final class ServedResources {
    /** The verbs of every main resource. */
    public static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /**
     * A subresource: its name, the kind it reads and writes, and its verbs.
     *
     * @param group   group of {@code kind} (may differ from the parent's, e.g. autoscaling for scale)
     * @param version version of {@code kind}
     */
    public record Subresource(String name, String group, String version, String kind, List<String> verbs) {
    }

    /** One group-version and its resources. */
    public record GroupVersion(String group, String version, List<ResourceType> resources) {
        /** {@code v1} or {@code apps/v1}. */
        public String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** The path of the group-version without the leading slash: {@code api/v1}, {@code apis/apps/v1}. */
        public String path() {
            return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
        }
    }

    /**
     * Resources that are not stored and take only {@code create} (Kubernetes' review APIs), served by
     * their own controllers and listed in discovery only: authentication.k8s.io/v1 SelfSubjectReview
     * and TokenReview.
     */
    public static final ResourceType SELFSUBJECTREVIEWS = new ResourceType("authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview",
            "SelfSubjectReview", false, null, List.of(), List.of());
    public static final ResourceType TOKENREVIEWS = new ResourceType("authentication.k8s.io", "v1", "tokenreviews", "tokenreview",
            "TokenReview", false, null, List.of(), List.of());
    /** The create-only group-versions, in Kubernetes' discovery order. */
    public static final List<GroupVersion> CREATE_ONLY = List.of(
            new GroupVersion("authentication.k8s.io", "v1", List.of(SELFSUBJECTREVIEWS, TOKENREVIEWS)));

    private final Strategies strategies;

    public ServedResources(Strategies strategies) {
        this.strategies = strategies;
    }

    /**
     * The group-versions served, core first, then the named groups in the order of {@link ResourceTypes#ALL};
     * a group's stored version (the preferred one) comes before the other versions served as views
     * ({@link ResourceTypes#VIEWS}: autoscaling v2, then v1).
     */
    public static List<GroupVersion> groupVersions() {
        Map<String, Map<String, List<ResourceType>>> by = new LinkedHashMap<>();
        by.put("", new LinkedHashMap<>());
        for (ResourceType rt : ResourceTypes.ALL) {
            by.computeIfAbsent(rt.group(), g -> new LinkedHashMap<>()).computeIfAbsent(rt.version(), v -> new ArrayList<>()).add(rt);
        }
        for (ResourceType rt : ResourceTypes.VIEWS) {
            by.computeIfAbsent(rt.group(), g -> new LinkedHashMap<>()).computeIfAbsent(rt.version(), v -> new ArrayList<>()).add(rt);
        }
        List<GroupVersion> out = new ArrayList<>();
        by.forEach((g, versions) -> versions.forEach((v, list) -> out.add(new GroupVersion(g, v, List.copyOf(list)))));
        // the resource metrics API last, as an aggregated API server's group comes after the built-in ones
        out.add(new GroupVersion(ResourceTypes.NODEMETRICS.group(), ResourceTypes.NODEMETRICS.version(), ResourceTypes.METRICS));
        return out;
    }

    /** The verbs of a served resource: all of {@link #VERBS}, or get and list for the read-only metrics. */
    public static List<String> verbs(ResourceType rt) {
        if (createOnly(rt)) {
            return List.of("create");
        }
        return readOnly(rt) ? List.of("get", "list") : VERBS;
    }

    /** Whether {@code rt} is built on read (metrics.k8s.io) rather than stored. */
    public static boolean readOnly(ResourceType rt) {
        return ResourceTypes.METRICS.contains(rt);
    }

    /** Whether {@code rt} is a create-only review resource ({@link #CREATE_ONLY}). */
    public static boolean createOnly(ResourceType rt) {
        return CREATE_ONLY.stream().anyMatch(gv -> gv.resources().contains(rt));
    }

    /** What discovery lists: {@link #all()} and the create-only review APIs. */
    public List<GroupVersion> discoverable() {
        List<GroupVersion> out = new ArrayList<>(all());
        out.addAll(CREATE_ONLY);
        return out;
    }

    /** The served versions of {@code group}, preferred first. */
    public static List<GroupVersion> versionsOf(String group) {
        return groupVersions().stream().filter(gv -> gv.group().equals(group)).toList();
    }

    /** The group-version with this group and version, or null. */
    public static GroupVersion find(String group, String version) {
        for (GroupVersion gv : groupVersions()) {
            if (gv.group().equals(group) && gv.version().equals(version)) {
                return gv;
            }
        }
        return null;
    }

    /**
     * Everything served now: the built-in group-versions ({@link #groupVersions()}), then
     * apiextensions.k8s.io, then the custom resources' group-versions (groups by name, versions in
     * Kubernetes' version priority: v2 before v1 before v1beta2 before v1alpha1).
     */
    public List<GroupVersion> all() {
        List<GroupVersion> out = new ArrayList<>(groupVersions());
        ResourceType crd = io.kube4j.apiserver.crd.CustomResourceDefinitionStrategy.TYPE;
        out.add(new GroupVersion(crd.group(), crd.version(), List.of(crd)));
        Map<String, Map<String, List<ResourceType>>> custom = new java.util.TreeMap<>();
        for (ResourceType rt : strategies.dynamicTypes()) {
            custom.computeIfAbsent(rt.group(), g -> new java.util.TreeMap<>(ServedResources::compareKubeVersions))
                    .computeIfAbsent(rt.version(), v -> new ArrayList<>()).add(rt);
        }
        custom.forEach((g, versions) -> versions.forEach((v, list) -> {
            list.sort(java.util.Comparator.comparing(ResourceType::resource));
            out.add(new GroupVersion(g, v, List.copyOf(list)));
        }));
        return out;
    }

    /** The served group-version with this group and version, or null. */
    public GroupVersion served(String group, String version) {
        for (GroupVersion gv : all()) {
            if (gv.group().equals(group) && gv.version().equals(version)) {
                return gv;
            }
        }
        return null;
    }

    /** The dynamic resource (a CRD or a custom resource) at group/version/resource, or null. */
    public ResourceType dynamicType(String group, String version, String resource) {
        ResourceType crd = io.kube4j.apiserver.crd.CustomResourceDefinitionStrategy.TYPE;
        if (crd.group().equals(group) && crd.version().equals(version) && crd.resource().equals(resource)) {
            return crd;
        }
        return strategies.dynamicType(group, version, resource);
    }

    private static final java.util.regex.Pattern KUBE_VERSION = java.util.regex.Pattern.compile("^v(\\d+)(?:(alpha|beta)(\\d+))?$");

    /**
     * CompareKubeAwareVersionStrings, as an ascending order where the highest priority comes first: GA
     * before beta before alpha, higher numbers first; versions not like {@code v1beta2} last, by name.
     */
    public static int compareKubeVersions(String a, String b) {
        java.util.regex.Matcher ma = KUBE_VERSION.matcher(a);
        java.util.regex.Matcher mb = KUBE_VERSION.matcher(b);
        boolean ka = ma.matches();
        boolean kb = mb.matches();
        if (!ka || !kb) {
            return ka == kb ? a.compareTo(b) : ka ? -1 : 1;
        }
        int stage = Integer.compare(stage(mb.group(2)), stage(ma.group(2)));
        if (stage != 0) {
            return stage;
        }
        int major = Integer.compare(Integer.parseInt(mb.group(1)), Integer.parseInt(ma.group(1)));
        if (major != 0) {
            return major;
        }
        return ma.group(3) == null ? 0 : Integer.compare(Integer.parseInt(mb.group(3)), Integer.parseInt(ma.group(3)));
    }

    private static int stage(String s) {
        return s == null ? 2 : s.equals("beta") ? 1 : 0;
    }

    /** The subresources of {@code rt}, as its {@link Strategy} declares them, in name order. */
    public List<Subresource> subresources(ResourceType rt) {
        if (readOnly(rt) || createOnly(rt)) {
            return List.of();
        }
        Strategy strategy = strategies.of(rt);
        List<String> names = new ArrayList<>(strategy.subresources());
        if (strategy.hasStatusSubresource()) {
            names.add("status");
        }
        names.sort(null);
        List<Subresource> out = new ArrayList<>();
        for (String name : names) {
            out.add(describe(rt, name));
        }
        return out;
    }

    /** Whether {@code rt} serves subresource {@code name}. */
    public boolean serves(ResourceType rt, String name) {
        if (readOnly(rt)) {
            return false;
        }
        Strategy strategy = strategies.of(rt);
        return name.equals("status") ? strategy.hasStatusSubresource() : strategy.subresources().contains(name);
    }

    /** The kind and verbs of each subresource kube4j knows (Kubernetes' discovery documents). */
    private static Subresource describe(ResourceType rt, String name) {
        List<String> rw = List.of("get", "patch", "update");
        return switch (name) {
            case "status" -> new Subresource("status", rt.group(), rt.version(), rt.kind(), rw);
            case "scale" -> new Subresource("scale", "autoscaling", "v1", "Scale", rw);
            case "binding" -> new Subresource("binding", "", "v1", "Binding", List.of("create"));
            case "eviction" -> new Subresource("eviction", "policy", "v1", "Eviction", List.of("create"));
            case "log" -> new Subresource("log", "", "v1", "Pod", List.of("get"));
            case "exec" -> new Subresource("exec", "", "v1", "PodExecOptions", List.of("create", "get"));
            case "attach" -> new Subresource("attach", "", "v1", "PodAttachOptions", List.of("create", "get"));
            case "portforward" -> new Subresource("portforward", "", "v1", "PodPortForwardOptions", List.of("create", "get"));
            case "token" -> new Subresource("token", "authentication.k8s.io", "v1", "TokenRequest", List.of("create"));
            case "ephemeralcontainers" -> new Subresource("ephemeralcontainers", "", "v1", "Pod", rw);
            case "approval" -> new Subresource("approval", rt.group(), rt.version(), rt.kind(), rw);
            case "finalize" -> new Subresource("finalize", rt.group(), rt.version(), rt.kind(), List.of("update"));
            default -> throw new IllegalStateException("undescribed subresource " + rt.resource() + "/" + name);
        };
    }
}
