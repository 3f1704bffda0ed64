package io.kube4j.apiserver.admission;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Level;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.LevelVersion;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.ParsedPolicy;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Policy;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityChecks;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityChecks.Aggregate;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.warning.RequestWarnings;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The PodSecurity admission plugin (validating), always on: a namespace's
 * {@code pod-security.kubernetes.io/enforce|audit|warn} labels (with {@code -version}) pick a Pod Security
 * Standards level; with the default configuration (privileged:latest everywhere) it has no effect.
 * <ul>
 *   <li>Pods: a create (or an update that changes an image or adds a container) violating the enforce
 *       level is refused 403 {@code pods "x" is forbidden: violates PodSecurity "restricted:latest": ...};
 *       an admitted pod violating the warn level gets a {@code would violate PodSecurity ...} warning.</li>
 *   <li>Workload resources (ReplicationControllers, PodTemplates, ReplicaSets, Deployments, StatefulSets,
 *       DaemonSets, Jobs, CronJobs): only the warning, for their pod template; never denied.</li>
 *   <li>Namespaces: invalid label values are refused 422 (on update only if they changed); raising the
 *       enforce level warns about the existing pods that would violate it (at most 3000 pods checked).</li>
 * </ul>
 * Audit annotations are not produced (kube4j has no audit log); there are no exemptions (Kubernetes'
 * default configuration has none).
 * Kubernetes: {@code staging/src/k8s.io/pod-security-admission/admission/admission.go} and
 * {@code plugin/pkg/admission/security/podsecurity/admission.go}.
 */
@Component
@Order(420)
public class PodSecurityAdmission implements Admission {
    /** defaultNamespaceMaxPodsToCheck. */
    static final int NAMESPACE_MAX_PODS_TO_CHECK = 3000;

    /** The resources whose pod template is evaluated for warnings (defaultPodSpecResources). */
    static final Set<ResourceType> POD_CONTROLLERS = Set.of(ResourceTypes.REPLICATIONCONTROLLERS, ResourceTypes.PODTEMPLATES,
            ResourceTypes.REPLICASETS, ResourceTypes.DEPLOYMENTS, ResourceTypes.STATEFULSETS, ResourceTypes.DAEMONSETS,
            ResourceTypes.JOBS, ResourceTypes.CRONJOBS);

    // NamespaceGetter: the namespace object by name, or null
    private final Function<String, ObjectNode> namespaces;
    // PodLister: the pods of a namespace
    private final Function<String, List<ObjectNode>> pods;
    // where warnings go: the current request's Warning headers
    private final Consumer<String> warnings;
    private final Policy defaults = Policy.DEFAULT;

    @Autowired
    public PodSecurityAdmission(WatchCache cache, Storage storage) {
        this(name -> {
            String key = Registry.key(ResourceTypes.NAMESPACES, null, name);
            ObjectNode ns = cache.get(key);
            return ns != null ? ns : storage.get(key).map(s -> (ObjectNode) Json.tree(s.value())).orElse(null);
        }, ns -> cache.snapshot(Registry.prefix(ResourceTypes.PODS, ns), o -> true).items(), RequestWarnings::add);
    }

    /** For tests: the namespace getter, pod lister and warning sink given. */
    public PodSecurityAdmission(Function<String, ObjectNode> namespaces, Function<String, List<ObjectNode>> pods, Consumer<String> warnings) {
        this.namespaces = namespaces;
        this.pods = pods;
        this.warnings = warnings;
    }

    @Override
    public void validate(Attributes a) {
        if (a.type() == ResourceTypes.NAMESPACES) {
            validateNamespace(a);
        } else if (a.type() == ResourceTypes.PODS) {
            validatePod(a);
        } else if (POD_CONTROLLERS.contains(a.type())) {
            validatePodController(a);
        }
    }

    /**
     * The {@code pods/ephemeralcontainers} subresource is evaluated like the pod itself (Kubernetes'
     * ValidatePod continues for subresource "" and "ephemeralcontainers" only): a debug container cannot
     * bring in what the namespace's level forbids.
     */
    @Override
    public void validateSubresourceOrDelete(Attributes a) {
        if (a.type() == ResourceTypes.PODS && a.operation() == Operation.UPDATE && "ephemeralcontainers".equals(a.subresource())) {
            validatePod(a);
        }
    }

    private static Map<String, String> labels(JsonNode obj) {
        Map<String, String> out = new HashMap<>();
        JsonNode l = obj == null ? null : obj.path("metadata").get("labels");
        if (l != null && l.isObject()) {
            for (Map.Entry<String, JsonNode> e : l.properties()) {
                out.put(e.getKey(), e.getValue().asString(""));
            }
        }
        return out;
    }

    private ParsedPolicy policy(JsonNode namespace) {
        return PodSecurityApi.policyToEvaluate(labels(namespace), defaults);
    }

    /** ValidateNamespace. */
    void validateNamespace(Attributes a) {
        ParsedPolicy next = policy(a.object());
        if (a.operation() == Operation.CREATE) {
            if (!next.errors().isEmpty()) {
                throw invalid(a, next.errors());
            }
            return;
        }
        ParsedPolicy old = policy(a.old());
        if (!next.errors().isEmpty() && (old.errors().isEmpty() || !next.errors().equals(old.errors()))) {
            throw invalid(a, next.errors());
        }
        LevelVersion newEnforce = next.policy().enforce();
        LevelVersion oldEnforce = old.policy().enforce();
        if (newEnforce.equals(oldEnforce) || newEnforce.level() == Level.PRIVILEGED) {
            return;
        }
        // same version and not stricter: nothing new can be violated
        if (newEnforce.version().equals(oldEnforce.version()) && newEnforce.level().compareTo(oldEnforce.level()) < 1) {
            return;
        }
        evaluatePodsInNamespace(a.name(), newEnforce).forEach(warnings);
    }

    private static ApiError invalid(Attributes a, List<PodSecurityApi.LabelError> errors) {
        FieldErrors errs = new FieldErrors();
        for (PodSecurityApi.LabelError e : errors) {
            errs.invalid(e.field(), e.value(), e.detail());
        }
        return ApiError.invalid("", "Namespace", a.name(), errs.causes());
    }

    /** EvaluatePodsInNamespace: the warnings about existing pods violating a new enforce level. */
    List<String> evaluatePodsInNamespace(String namespace, LevelVersion enforce) {
        List<ObjectNode> all = prioritizePods(pods.apply(namespace));
        int total = all.size();
        List<ObjectNode> checked = total > NAMESPACE_MAX_PODS_TO_CHECK ? all.subList(0, NAMESPACE_MAX_PODS_TO_CHECK) : all;
        // reason -> first pod name (alphabetically) and count, in the order reasons were first seen
        Map<String, String> firstPod = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (ObjectNode pod : checked) {
            Aggregate r = PodSecurityChecks.aggregate(enforce, pod.path("metadata"), pod.path("spec"));
            if (!r.allowed()) {
                String warning = r.forbiddenReason();
                String name = pod.path("metadata").path("name").asString("");
                firstPod.merge(warning, name, (x, y) -> y.compareTo(x) < 0 ? y : x);
                count.merge(warning, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        if (checked.size() < total) {
            out.add("new PodSecurity enforce level only checked against the first " + checked.size() + " of " + total + " existing pods");
        }
        if (!firstPod.isEmpty()) {
            out.add("existing pods in namespace \"" + namespace + "\" violate the new PodSecurity enforce level \"" + enforce + "\"");
        }
        List<String> podWarnings = new ArrayList<>();
        for (Map.Entry<String, String> e : firstPod.entrySet()) {
            int c = count.get(e.getKey());
            podWarnings.add(switch (c) {
                case 1 -> e.getValue() + ": " + e.getKey();
                case 2 -> e.getValue() + " (and 1 other pod): " + e.getKey();
                default -> e.getValue() + " (and " + (c - 1) + " other pods): " + e.getKey();
            });
        }
        podWarnings.sort(null);
        out.addAll(podWarnings);
        return out;
    }

    /** prioritizePods: one pod per controller first, then the other replicas, so distinct problems surface. */
    static List<ObjectNode> prioritizePods(List<ObjectNode> pods) {
        List<ObjectNode> first = new ArrayList<>();
        List<ObjectNode> duplicates = new ArrayList<>();
        Set<String> seenControllers = new HashSet<>();
        for (ObjectNode pod : pods) {
            String controller = null;
            for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
                if (ref.path("controller").asBoolean(false)) {
                    controller = ref.path("uid").asString("");
                    break;
                }
            }
            if (controller == null || seenControllers.add(controller)) {
                first.add(pod);
            } else {
                duplicates.add(pod);
            }
        }
        first.addAll(duplicates);
        return first;
    }

    /** ValidatePod. */
    void validatePod(Attributes a) {
        ObjectNode ns = namespaces.apply(a.namespace());
        if (ns == null) {
            throw ApiError.internal("failed to lookup namespace \"" + a.namespace() + "\"");
        }
        ParsedPolicy p = policy(ns);
        if (p.errors().isEmpty() && p.policy().fullyPrivileged()) {
            return;
        }
        if (a.operation() == Operation.UPDATE && !isSignificantPodUpdate(a.object(), a.old())) {
            return;
        }
        evaluatePod(a, p.policy(), a.object().path("metadata"), a.object().path("spec"), true);
    }

    /** ValidatePodController: warnings only, for the pod template. */
    void validatePodController(Attributes a) {
        ObjectNode ns = namespaces.apply(a.namespace());
        if (ns == null) {
            return;
        }
        ParsedPolicy p = policy(ns);
        if (p.errors().isEmpty() && p.policy().warn().level() == Level.PRIVILEGED && p.policy().audit().level() == Level.PRIVILEGED) {
            return;
        }
        JsonNode template = a.type() == ResourceTypes.PODTEMPLATES ? a.object().path("template")
                : a.type() == ResourceTypes.CRONJOBS ? a.object().path("spec").path("jobTemplate").path("spec").path("template")
                : a.object().path("spec").path("template");
        if (template.isMissingNode() || template.isNull()) {
            return;
        }
        evaluatePod(a, p.policy(), template.path("metadata"), template.path("spec"), false);
    }

    /** EvaluatePod: enforce (pods only) denies; warn adds a warning when the object is admitted. */
    private void evaluatePod(Attributes a, Policy policy, JsonNode meta, JsonNode spec, boolean enforce) {
        Map<LevelVersion, Aggregate> cached = new HashMap<>();
        if (enforce) {
            Aggregate result = PodSecurityChecks.aggregate(policy.enforce(), meta, spec);
            if (!result.allowed()) {
                throw ApiError.forbidden("", "pods", a.name(),
                        "violates PodSecurity \"" + policy.enforce() + "\": " + result.forbiddenDetail());
            }
            cached.put(policy.enforce(), result);
        }
        Aggregate warn = cached.get(policy.warn());
        if (warn == null) {
            warn = PodSecurityChecks.aggregate(policy.warn(), meta, spec);
        }
        if (!warn.allowed()) {
            warnings.accept("would violate PodSecurity \"" + policy.warn() + "\": " + warn.forbiddenDetail());
        }
    }

    /** isSignificantPodUpdate: only image changes and added containers can change a pod's security. */
    static boolean isSignificantPodUpdate(JsonNode pod, JsonNode old) {
        JsonNode spec = pod.path("spec");
        JsonNode oldSpec = old.path("spec");
        for (String list : List.of("containers", "initContainers")) {
            if (spec.path(list).size() != oldSpec.path(list).size()) {
                return true;
            }
            for (int i = 0; i < spec.path(list).size(); i++) {
                if (!Objects.equals(spec.path(list).get(i).path("image").asString(""), oldSpec.path(list).get(i).path("image").asString(""))) {
                    return true;
                }
            }
        }
        for (JsonNode c : spec.path("ephemeralContainers")) {
            JsonNode oldC = null;
            for (JsonNode oc : oldSpec.path("ephemeralContainers")) {
                if (oc.path("name").asString("").equals(c.path("name").asString(""))) {
                    oldC = oc;
                    break;
                }
            }
            if (oldC == null || !c.path("image").asString("").equals(oldC.path("image").asString(""))) {
                return true;
            }
        }
        return false;
    }
}
