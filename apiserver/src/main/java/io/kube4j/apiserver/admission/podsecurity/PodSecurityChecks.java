package io.kube4j.apiserver.admission.podsecurity;

import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Level;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.LevelVersion;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Version;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Every baseline and restricted check of the Pod Security Standards as of Kubernetes 1.32, with their
 * versions, and the evaluator that picks the checks of a level:version in Kubernetes' order (baseline
 * checks by ID, then restricted ones by ID; a restricted check replaces the baseline check it overrides).
 *
 * <p>The checks read the JSON of a pod's (or pod template's) metadata and spec rather than the typed
 * {@link io.kube4j.api.PodSpec}: several fields they look at (hostPID, hostIPC, os, ephemeralContainers,
 * hostUsers, in-tree volume sources such as nfs) are not modelled and would be invisible in the typed view.
 *
 * <p>Kubernetes: {@code staging/src/k8s.io/pod-security-admission/policy/check_*.go}, {@code registry.go},
 * {@code checks.go}, {@code helpers.go}, {@code visitor.go} (release 1.32). The user-namespace relaxation
 * ({@code UserNamespacesPodSecurityStandards}, alpha and off in 1.32) is not applied.
 */
public final class PodSecurityChecks {
    private PodSecurityChecks() {
    }

    /** One check's verdict; reason and detail are Kubernetes' texts. */
    public record CheckResult(boolean allowed, String forbiddenReason, String forbiddenDetail) {
        static final CheckResult ALLOWED = new CheckResult(true, "", "");

        static CheckResult forbidden(String reason, String detail) {
            return new CheckResult(false, reason, detail);
        }
    }

    /** The failed checks of one evaluation, in check order. */
    public record Aggregate(List<String> reasons, List<String> details) {
        /** True when no check failed. */
        public boolean allowed() {
            return reasons.isEmpty();
        }

        /** The reasons joined by ", " (used for the warnings about existing pods). */
        public String forbiddenReason() {
            return String.join(", ", reasons);
        }

        /** {@code reason (detail), reason (detail)}: the text after {@code violates PodSecurity "x":}. */
        public String forbiddenDetail() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < reasons.size(); i++) {
                b.append(reasons.get(i));
                if (!details.get(i).isEmpty()) {
                    b.append(" (").append(details.get(i)).append(')');
                }
                if (i != reasons.size() - 1) {
                    b.append(", ");
                }
            }
            return b.toString();
        }

        /** AggregateCheckResults. */
        static Aggregate of(List<CheckResult> results) {
            List<String> reasons = new ArrayList<>();
            List<String> details = new ArrayList<>();
            for (CheckResult r : results) {
                if (!r.allowed()) {
                    reasons.add(r.forbiddenReason().isEmpty() ? "unknown forbidden reason" : r.forbiddenReason());
                    details.add(r.forbiddenDetail());
                }
            }
            return new Aggregate(reasons, details);
        }
    }

    /** A check function: (pod metadata, pod spec) to a result; both are JSON trees, possibly missing nodes. */
    interface CheckPod extends BiFunction<JsonNode, JsonNode, CheckResult> {
    }

    /** One implementation of a check, applying from {@code minimumVersion} on. */
    record VersionedCheck(Version minimumVersion, CheckPod check, List<String> overrides) {
    }

    /** A check: its ID, level and its implementations by version (increasing). */
    record Check(String id, Level level, List<VersionedCheck> versions) {
        /** The implementation that applies at {@code v}, or null when the check did not exist yet. */
        VersionedCheck at(Version v) {
            VersionedCheck found = null;
            for (VersionedCheck c : versions) {
                if (c.minimumVersion.compareTo(v) <= 0) {
                    found = c;
                }
            }
            return found;
        }
    }

    private static VersionedCheck v(int minor, CheckPod check, String... overrides) {
        return new VersionedCheck(Version.of(minor), check, List.of(overrides));
    }

    /** Every check of 1.32 (DefaultChecks). */
    static final List<Check> CHECKS = List.of(
            new Check("allowPrivilegeEscalation", Level.RESTRICTED, List.of(v(8, PodSecurityChecks::allowPrivilegeEscalation1_8), v(25, notWindows(PodSecurityChecks::allowPrivilegeEscalation1_8)))),
            new Check("appArmorProfile", Level.BASELINE, List.of(v(0, PodSecurityChecks::appArmorProfile))),
            new Check("capabilities_baseline", Level.BASELINE, List.of(v(0, PodSecurityChecks::capabilitiesBaseline))),
            new Check("capabilities_restricted", Level.RESTRICTED, List.of(
                    v(22, PodSecurityChecks::capabilitiesRestricted, "capabilities_baseline"),
                    v(25, notWindows(PodSecurityChecks::capabilitiesRestricted), "capabilities_baseline"))),
            new Check("hostNamespaces", Level.BASELINE, List.of(v(0, PodSecurityChecks::hostNamespaces))),
            new Check("hostPathVolumes", Level.BASELINE, List.of(v(0, PodSecurityChecks::hostPathVolumes))),
            new Check("hostPorts", Level.BASELINE, List.of(v(0, PodSecurityChecks::hostPorts))),
            new Check("privileged", Level.BASELINE, List.of(v(0, PodSecurityChecks::privileged))),
            new Check("procMount", Level.BASELINE, List.of(v(0, PodSecurityChecks::procMount))),
            new Check("restrictedVolumes", Level.RESTRICTED, List.of(v(0, PodSecurityChecks::restrictedVolumes, "hostPathVolumes"))),
            new Check("runAsNonRoot", Level.RESTRICTED, List.of(v(0, PodSecurityChecks::runAsNonRoot))),
            new Check("runAsUser", Level.RESTRICTED, List.of(v(23, PodSecurityChecks::runAsUser))),
            new Check("seLinuxOptions", Level.BASELINE, List.of(
                    v(0, (m, s) -> seLinuxOptions(s, PodSecurityChecks.SELINUX_TYPES_1_0)), v(31, (m, s) -> seLinuxOptions(s, PodSecurityChecks.SELINUX_TYPES_1_31)))),
            new Check("seccompProfile_baseline", Level.BASELINE, List.of(v(0, PodSecurityChecks::seccompProfileBaseline1_0), v(19, PodSecurityChecks::seccompProfileBaseline1_19))),
            new Check("seccompProfile_restricted", Level.RESTRICTED, List.of(
                    v(19, PodSecurityChecks::seccompProfileRestricted, "seccompProfile_baseline"),
                    v(25, notWindows(PodSecurityChecks::seccompProfileRestricted), "seccompProfile_baseline"))),
            new Check("sysctls", Level.BASELINE, List.of(
                    v(0, (m, s) -> sysctls(s, PodSecurityChecks.SYSCTLS_1_0)), v(27, (m, s) -> sysctls(s, PodSecurityChecks.SYSCTLS_1_27)),
                    v(29, (m, s) -> sysctls(s, PodSecurityChecks.SYSCTLS_1_29)), v(32, (m, s) -> sysctls(s, PodSecurityChecks.SYSCTLS_1_32)))),
            new Check("windowsHostProcess", Level.BASELINE, List.of(v(0, PodSecurityChecks::windowsHostProcess))));

    /** The newest version any check changed at; newer versions (and latest) evaluate as this one. */
    static final Version MAX_VERSION = CHECKS.stream().map(c -> c.versions().getLast().minimumVersion())
            .max(Comparator.naturalOrder()).orElseThrow();

    /** Baseline IDs sorted, then restricted IDs sorted: the order results (and messages) come in. */
    private static final List<Check> ORDERED = orderedChecks();

    private static List<Check> orderedChecks() {
        List<Check> baseline = new ArrayList<>(CHECKS.stream().filter(c -> c.level() == Level.BASELINE).toList());
        List<Check> restricted = new ArrayList<>(CHECKS.stream().filter(c -> c.level() == Level.RESTRICTED).toList());
        baseline.sort(Comparator.comparing(Check::id));
        restricted.sort(Comparator.comparing(Check::id));
        baseline.addAll(restricted);
        return List.copyOf(baseline);
    }

    /** EvaluatePod: the results of every check of {@code lv} (none for privileged), in Kubernetes' order. */
    public static List<CheckResult> evaluate(LevelVersion lv, JsonNode podMetadata, JsonNode podSpec) {
        if (lv.level() == Level.PRIVILEGED) {
            return List.of();
        }
        Version version = MAX_VERSION.compareTo(lv.version()) < 0 ? MAX_VERSION : lv.version();
        Map<String, VersionedCheck> applicable = new LinkedHashMap<>();
        Set<String> overridden = new TreeSet<>();
        for (Check c : ORDERED) {
            if (c.level() == Level.RESTRICTED && lv.level() != Level.RESTRICTED) {
                continue;
            }
            VersionedCheck at = c.at(version);
            if (at != null) {
                applicable.put(c.id(), at);
                if (c.level() == Level.RESTRICTED) {
                    overridden.addAll(at.overrides());
                }
            }
        }
        List<CheckResult> results = new ArrayList<>();
        for (Map.Entry<String, VersionedCheck> e : applicable.entrySet()) {
            if (!overridden.contains(e.getKey())) {
                results.add(e.getValue().check().apply(podMetadata, podSpec));
            }
        }
        return results;
    }

    /** The aggregate of {@link #evaluate}. */
    public static Aggregate aggregate(LevelVersion lv, JsonNode podMetadata, JsonNode podSpec) {
        return Aggregate.of(evaluate(lv, podMetadata, podSpec));
    }

    // ---- helpers (helpers.go, visitor.go) ------------------------------------------------------

    static String joinQuote(List<String> items) {
        return items.isEmpty() ? "" : "\"" + String.join("\", \"", items) + "\"";
    }

    static String joinQuote(SortedSet<String> items) {
        return joinQuote(new ArrayList<>(items));
    }

    static String pluralize(String singular, String plural, int count) {
        return count == 1 ? singular : plural;
    }

    /** A present, non-null object field, or null. */
    static JsonNode field(JsonNode node, String name) {
        JsonNode n = node == null ? null : node.get(name);
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    /** A present, non-null field's text, or "" (Go's zero value). */
    static String text(JsonNode node, String name) {
        JsonNode n = field(node, name);
        return n == null ? "" : n.asString("");
    }

    /** True when the field is a set boolean equal to {@code value}. */
    static boolean isBool(JsonNode node, String name, boolean value) {
        JsonNode n = field(node, name);
        return n != null && n.isBoolean() && n.asBoolean() == value;
    }

    /** visitContainers: init containers, containers, ephemeral containers. */
    static void visitContainers(JsonNode podSpec, Consumer<JsonNode> visitor) {
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            JsonNode cs = field(podSpec, list);
            if (cs != null && cs.isArray()) {
                for (JsonNode c : cs) {
                    visitor.accept(c);
                }
            }
        }
    }

    static String name(JsonNode container) {
        return text(container, "name");
    }

    static JsonNode securityContext(JsonNode node) {
        return field(node, "securityContext");
    }

    static boolean windows(JsonNode podSpec) {
        return "windows".equals(text(field(podSpec, "os"), "name"));
    }

    /** The 1.25 variants of several restricted checks: Windows pods are exempt. */
    static CheckPod notWindows(CheckPod check) {
        return (m, s) -> windows(s) ? CheckResult.ALLOWED : check.apply(m, s);
    }

    static String containers(List<String> names) {
        return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
    }

    // ---- the checks ------------------------------------------------------------------------------

    static CheckResult allowPrivilegeEscalation1_8(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            if (!isBool(securityContext(c), "allowPrivilegeEscalation", false)) {
                bad.add(name(c));
            }
        });
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("allowPrivilegeEscalation != false",
                containers(bad) + " must set securityContext.allowPrivilegeEscalation=false");
    }

    static CheckResult appArmorProfile(JsonNode meta, JsonNode spec) {
        List<String> badSetters = new ArrayList<>();
        SortedSet<String> badValues = new TreeSet<>();
        JsonNode podProfile = field(securityContext(spec), "appArmorProfile");
        if (podProfile != null && !allowedAppArmorType(text(podProfile, "type"))) {
            badSetters.add("pod");
            badValues.add(text(podProfile, "type"));
        }
        List<String> badContainers = new ArrayList<>();
        visitContainers(spec, c -> {
            JsonNode p = field(securityContext(c), "appArmorProfile");
            if (p != null && !allowedAppArmorType(text(p, "type"))) {
                badContainers.add(name(c));
                badValues.add(text(p, "type"));
            }
        });
        if (!badContainers.isEmpty()) {
            badSetters.add(containers(badContainers));
        }
        List<String> forbiddenAnnotations = new ArrayList<>();
        for (Map.Entry<String, String> a : annotations(meta).entrySet()) {
            if (a.getKey().startsWith("container.apparmor.security.beta.kubernetes.io/") && !allowedAppArmorAnnotation(a.getValue())) {
                forbiddenAnnotations.add(a.getKey() + "=" + goQuote(a.getValue()));
            }
        }
        List<String> badValueList = new ArrayList<>(badValues);
        if (!forbiddenAnnotations.isEmpty()) {
            forbiddenAnnotations.sort(Comparator.naturalOrder());
            badValueList.addAll(forbiddenAnnotations);
            badSetters.add(pluralize("annotation", "annotations", forbiddenAnnotations.size()));
        }
        if (badSetters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badValueList.size()),
                String.join(" and ", badSetters) + " must not set AppArmor profile type to " + joinQuote(badValueList));
    }

    private static boolean allowedAppArmorType(String type) {
        return type.equals("RuntimeDefault") || type.equals("Localhost");
    }

    private static boolean allowedAppArmorAnnotation(String v) {
        return v.isEmpty() || v.equals("runtime/default") || v.startsWith("localhost/");
    }

    static Map<String, String> annotations(JsonNode meta) {
        Map<String, String> out = new HashMap<>();
        JsonNode a = field(meta, "annotations");
        if (a != null && a.isObject()) {
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                out.put(e.getKey(), e.getValue().asString(""));
            }
        }
        return out;
    }

    /** Go's %q for the plain strings annotations hold: quotes, with backslash and quote escaped. */
    static String goQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static final Set<String> CAPABILITIES_ALLOWED_1_0 = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    static List<String> strings(JsonNode node, String name) {
        List<String> out = new ArrayList<>();
        JsonNode a = field(node, name);
        if (a != null && a.isArray()) {
            for (JsonNode n : a) {
                out.add(n.asString(""));
            }
        }
        return out;
    }

    static CheckResult capabilitiesBaseline(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        SortedSet<String> nonDefault = new TreeSet<>();
        visitContainers(spec, c -> {
            JsonNode caps = field(securityContext(c), "capabilities");
            if (caps != null) {
                boolean valid = true;
                for (String cap : strings(caps, "add")) {
                    if (!CAPABILITIES_ALLOWED_1_0.contains(cap)) {
                        valid = false;
                        nonDefault.add(cap);
                    }
                }
                if (!valid) {
                    bad.add(name(c));
                }
            }
        });
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("non-default capabilities",
                containers(bad) + " must not include " + joinQuote(nonDefault) + " in securityContext.capabilities.add");
    }

    static CheckResult capabilitiesRestricted(JsonNode meta, JsonNode spec) {
        List<String> missingDropAll = new ArrayList<>();
        List<String> addingForbidden = new ArrayList<>();
        SortedSet<String> forbiddenCaps = new TreeSet<>();
        visitContainers(spec, c -> {
            JsonNode caps = field(securityContext(c), "capabilities");
            if (caps == null) {
                missingDropAll.add(name(c));
                return;
            }
            if (!strings(caps, "drop").contains("ALL")) {
                missingDropAll.add(name(c));
            }
            boolean addedForbidden = false;
            for (String cap : strings(caps, "add")) {
                if (!cap.equals("NET_BIND_SERVICE")) {
                    addedForbidden = true;
                    forbiddenCaps.add(cap);
                }
            }
            if (addedForbidden) {
                addingForbidden.add(name(c));
            }
        });
        List<String> details = new ArrayList<>();
        if (!missingDropAll.isEmpty()) {
            details.add(containers(missingDropAll) + " must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        if (!addingForbidden.isEmpty()) {
            details.add(containers(addingForbidden) + " must not include " + joinQuote(forbiddenCaps) + " in securityContext.capabilities.add");
        }
        return details.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("unrestricted capabilities", String.join("; ", details));
    }

    static CheckResult hostNamespaces(JsonNode meta, JsonNode spec) {
        List<String> host = new ArrayList<>();
        if (isBool(spec, "hostNetwork", true)) {
            host.add("hostNetwork=true");
        }
        if (isBool(spec, "hostPID", true)) {
            host.add("hostPID=true");
        }
        if (isBool(spec, "hostIPC", true)) {
            host.add("hostIPC=true");
        }
        return host.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("host namespaces", String.join(", ", host));
    }

    static List<JsonNode> volumes(JsonNode spec) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode vs = field(spec, "volumes");
        if (vs != null && vs.isArray()) {
            vs.forEach(out::add);
        }
        return out;
    }

    static CheckResult hostPathVolumes(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        for (JsonNode vol : volumes(spec)) {
            if (field(vol, "hostPath") != null) {
                bad.add(text(vol, "name"));
            }
        }
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("hostPath volumes",
                pluralize("volume", "volumes", bad.size()) + " " + joinQuote(bad));
    }

    static CheckResult hostPorts(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        SortedSet<String> ports = new TreeSet<>();
        visitContainers(spec, c -> {
            boolean valid = true;
            JsonNode ps = field(c, "ports");
            if (ps != null && ps.isArray()) {
                for (JsonNode p : ps) {
                    int hostPort = p.path("hostPort").asInt(0);
                    if (hostPort != 0) {
                        valid = false;
                        ports.add(Integer.toString(hostPort));
                    }
                }
            }
            if (!valid) {
                bad.add(name(c));
            }
        });
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("hostPort",
                containers(bad) + " " + pluralize("uses", "use", bad.size()) + " " + pluralize("hostPort", "hostPorts", ports.size())
                        + " " + String.join(", ", ports));
    }

    static CheckResult privileged(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            if (isBool(securityContext(c), "privileged", true)) {
                bad.add(name(c));
            }
        });
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("privileged",
                containers(bad) + " must not set securityContext.privileged=true");
    }

    static CheckResult procMount(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        SortedSet<String> types = new TreeSet<>();
        visitContainers(spec, c -> {
            JsonNode pm = field(securityContext(c), "procMount");
            if (pm != null && !pm.asString("").equals("Default")) {
                bad.add(name(c));
                types.add(pm.asString(""));
            }
        });
        return bad.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("procMount",
                containers(bad) + " must not set securityContext.procMount to " + joinQuote(types));
    }

    private static final Set<String> ALLOWED_VOLUME_SOURCES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    /** The in-tree sources restrictedVolumes names, in the order its switch tests them. */
    private static final List<String> KNOWN_VOLUME_SOURCES = List.of("hostPath", "gcePersistentDisk", "awsElasticBlockStore",
            "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
            "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos");

    static CheckResult restrictedVolumes(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        SortedSet<String> badTypes = new TreeSet<>();
        for (JsonNode vol : volumes(spec)) {
            List<String> sources = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : vol.properties()) {
                if (!e.getKey().equals("name") && !e.getValue().isNull()) {
                    sources.add(e.getKey());
                }
            }
            // a volume without a source is defaulted to emptyDir by Kubernetes
            if (sources.isEmpty() || sources.stream().anyMatch(ALLOWED_VOLUME_SOURCES::contains)) {
                continue;
            }
            bad.add(text(vol, "name"));
            badTypes.add(KNOWN_VOLUME_SOURCES.stream().filter(sources::contains).findFirst().orElse("unknown"));
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("restricted volume types", pluralize("volume", "volumes", bad.size()) + " " + joinQuote(bad)
                + " " + pluralize("uses", "use", bad.size()) + " " + pluralize("restricted volume type", "restricted volume types", badTypes.size())
                + " " + joinQuote(badTypes));
    }

    static CheckResult runAsNonRoot(JsonNode meta, JsonNode spec) {
        List<String> badSetters = new ArrayList<>();
        boolean podRunAsNonRoot = false;
        JsonNode psc = securityContext(spec);
        if (field(psc, "runAsNonRoot") != null) {
            if (isBool(psc, "runAsNonRoot", false)) {
                badSetters.add("pod");
            } else {
                podRunAsNonRoot = true;
            }
        }
        List<String> explicitlyBad = new ArrayList<>();
        List<String> implicitlyBad = new ArrayList<>();
        boolean podSet = podRunAsNonRoot;
        visitContainers(spec, c -> {
            JsonNode sc = securityContext(c);
            if (field(sc, "runAsNonRoot") != null) {
                if (isBool(sc, "runAsNonRoot", false)) {
                    explicitlyBad.add(name(c));
                }
            } else if (!podSet) {
                implicitlyBad.add(name(c));
            }
        });
        if (!explicitlyBad.isEmpty()) {
            badSetters.add(containers(explicitlyBad));
        }
        if (!badSetters.isEmpty()) {
            return CheckResult.forbidden("runAsNonRoot != true", String.join(" and ", badSetters) + " must not set securityContext.runAsNonRoot=false");
        }
        if (!implicitlyBad.isEmpty()) {
            return CheckResult.forbidden("runAsNonRoot != true", "pod or " + containers(implicitlyBad) + " must set securityContext.runAsNonRoot=true");
        }
        return CheckResult.ALLOWED;
    }

    private static boolean runsAsRoot(JsonNode sc) {
        JsonNode u = field(sc, "runAsUser");
        return u != null && u.isNumber() && u.asLong() == 0;
    }

    static CheckResult runAsUser(JsonNode meta, JsonNode spec) {
        List<String> badSetters = new ArrayList<>();
        if (runsAsRoot(securityContext(spec))) {
            badSetters.add("pod");
        }
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            if (runsAsRoot(securityContext(c))) {
                bad.add(name(c));
            }
        });
        if (!bad.isEmpty()) {
            badSetters.add(containers(bad));
        }
        return badSetters.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("runAsUser=0", String.join(" and ", badSetters) + " must not set runAsUser=0");
    }

    static final Set<String> SELINUX_TYPES_1_0 = Set.of("", "container_t", "container_init_t", "container_kvm_t");
    static final Set<String> SELINUX_TYPES_1_31 = Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

    static CheckResult seLinuxOptions(JsonNode spec, Set<String> allowedTypes) {
        List<String> badSetters = new ArrayList<>();
        SortedSet<String> badTypes = new TreeSet<>();
        boolean[] setUserRole = new boolean[2];
        java.util.function.Predicate<JsonNode> valid = opts -> {
            boolean ok = true;
            String type = text(opts, "type");
            if (!allowedTypes.contains(type)) {
                ok = false;
                badTypes.add(type);
            }
            if (!text(opts, "user").isEmpty()) {
                ok = false;
                setUserRole[0] = true;
            }
            if (!text(opts, "role").isEmpty()) {
                ok = false;
                setUserRole[1] = true;
            }
            return ok;
        };
        JsonNode podOpts = field(securityContext(spec), "seLinuxOptions");
        if (podOpts != null && !valid.test(podOpts)) {
            badSetters.add("pod");
        }
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            JsonNode opts = field(securityContext(c), "seLinuxOptions");
            if (opts != null && !valid.test(opts)) {
                bad.add(name(c));
            }
        });
        if (!bad.isEmpty()) {
            badSetters.add(containers(bad));
        }
        if (badSetters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        List<String> badData = new ArrayList<>();
        if (!badTypes.isEmpty()) {
            badData.add(pluralize("type", "types", badTypes.size()) + " " + joinQuote(badTypes));
        }
        if (setUserRole[0]) {
            badData.add("user may not be set");
        }
        if (setUserRole[1]) {
            badData.add("role may not be set");
        }
        return CheckResult.forbidden("seLinuxOptions", String.join(" and ", badSetters)
                + " set forbidden securityContext.seLinuxOptions: " + String.join("; ", badData));
    }

    private static boolean validSeccomp(String type) {
        return type.equals("Localhost") || type.equals("RuntimeDefault");
    }

    private static boolean validSeccompAnnotation(String v) {
        return v.equals("runtime/default") || v.equals("docker/default") || v.startsWith("localhost/");
    }

    static CheckResult seccompProfileBaseline1_0(JsonNode meta, JsonNode spec) {
        SortedSet<String> forbidden = new TreeSet<>();
        Map<String, String> annotations = annotations(meta);
        String pod = annotations.get("seccomp.security.alpha.kubernetes.io/pod");
        if (pod != null && !validSeccompAnnotation(pod)) {
            forbidden.add("seccomp.security.alpha.kubernetes.io/pod=" + goQuote(pod));
        }
        visitContainers(spec, c -> {
            String key = "container.seccomp.security.alpha.kubernetes.io/" + name(c);
            String val = annotations.get(key);
            if (val != null && !validSeccompAnnotation(val)) {
                forbidden.add(key + "=" + goQuote(val));
            }
        });
        return forbidden.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("seccompProfile",
                "forbidden " + pluralize("annotation", "annotations", forbidden.size()) + " " + String.join(", ", forbidden));
    }

    static CheckResult seccompProfileBaseline1_19(JsonNode meta, JsonNode spec) {
        List<String> badSetters = new ArrayList<>();
        SortedSet<String> badValues = new TreeSet<>();
        JsonNode podProfile = field(securityContext(spec), "seccompProfile");
        if (podProfile != null && !validSeccomp(text(podProfile, "type"))) {
            badSetters.add("pod");
            badValues.add(text(podProfile, "type"));
        }
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            JsonNode p = field(securityContext(c), "seccompProfile");
            if (p != null && !validSeccomp(text(p, "type"))) {
                bad.add(name(c));
                badValues.add(text(p, "type"));
            }
        });
        if (!bad.isEmpty()) {
            badSetters.add(containers(bad));
        }
        return badSetters.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("seccompProfile",
                String.join(" and ", badSetters) + " must not set securityContext.seccompProfile.type to " + joinQuote(badValues));
    }

    static CheckResult seccompProfileRestricted(JsonNode meta, JsonNode spec) {
        List<String> badSetters = new ArrayList<>();
        SortedSet<String> badValues = new TreeSet<>();
        boolean podSeccompSet = false;
        JsonNode podProfile = field(securityContext(spec), "seccompProfile");
        if (podProfile != null) {
            if (!validSeccomp(text(podProfile, "type"))) {
                badSetters.add("pod");
                badValues.add(text(podProfile, "type"));
            } else {
                podSeccompSet = true;
            }
        }
        List<String> explicitlyBad = new ArrayList<>();
        List<String> implicitlyBad = new ArrayList<>();
        boolean podSet = podSeccompSet;
        visitContainers(spec, c -> {
            JsonNode p = field(securityContext(c), "seccompProfile");
            if (p != null) {
                if (!validSeccomp(text(p, "type"))) {
                    explicitlyBad.add(name(c));
                    badValues.add(text(p, "type"));
                }
            } else if (!podSet) {
                implicitlyBad.add(name(c));
            }
        });
        if (!explicitlyBad.isEmpty()) {
            badSetters.add(containers(explicitlyBad));
        }
        if (!badSetters.isEmpty()) {
            return CheckResult.forbidden("seccompProfile", String.join(" and ", badSetters)
                    + " must not set securityContext.seccompProfile.type to " + joinQuote(badValues));
        }
        if (!implicitlyBad.isEmpty()) {
            return CheckResult.forbidden("seccompProfile", "pod or " + containers(implicitlyBad)
                    + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        return CheckResult.ALLOWED;
    }

    static final Set<String> SYSCTLS_1_0 = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start");
    static final Set<String> SYSCTLS_1_27 = union(SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports");
    static final Set<String> SYSCTLS_1_29 = union(SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    static final Set<String> SYSCTLS_1_32 = union(SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem");

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> s = new TreeSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }

    static CheckResult sysctls(JsonNode spec, Set<String> allowed) {
        List<String> forbidden = new ArrayList<>();
        JsonNode list = field(securityContext(spec), "sysctls");
        if (list != null && list.isArray()) {
            for (JsonNode s : list) {
                String n = text(s, "name");
                if (!allowed.contains(n)) {
                    forbidden.add(n);
                }
            }
        }
        return forbidden.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("forbidden sysctls", String.join(", ", forbidden));
    }

    static CheckResult windowsHostProcess(JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        visitContainers(spec, c -> {
            if (isBool(field(securityContext(c), "windowsOptions"), "hostProcess", true)) {
                bad.add(name(c));
            }
        });
        List<String> setters = new ArrayList<>();
        if (isBool(field(securityContext(spec), "windowsOptions"), "hostProcess", true)) {
            setters.add("pod");
        }
        if (!bad.isEmpty()) {
            setters.add(containers(bad));
        }
        return setters.isEmpty() ? CheckResult.ALLOWED : CheckResult.forbidden("hostProcess",
                String.join(" and ", setters) + " must not set securityContext.windowsOptions.hostProcess=true");
    }
}
