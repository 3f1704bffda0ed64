package io.kube4j.apiserver.validation;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.Endpoints;
import io.kube4j.api.IntOrString;
import io.kube4j.api.KubeObject;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.Probe;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.labels.Selector;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Validation per kind, as Kubernetes' ValidateXxx: every problem found, each with its field path. */
public final class Validation {
    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> SERVICE_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private Validation() {
    }

    /** The largest ConfigMap or Secret payload (MaxSecretSize, 1 MiB). */
    public static final long MAX_CONFIG_SIZE = 1024 * 1024;
    private static final java.util.regex.Pattern CONFIG_MAP_KEY = java.util.regex.Pattern.compile("^[-._a-zA-Z0-9]+$");

    /** IsConfigMapKey: a key of a ConfigMap or Secret. */
    public static void configMapKey(FieldErrors errs, String field, String key) {
        if (key == null || key.isEmpty() || key.length() > 253 || !CONFIG_MAP_KEY.matcher(key).matches()) {
            errs.invalid(field, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
        } else if (key.equals(".") || key.equals("..") || key.startsWith("..")) {
            errs.invalid(field, key, "must not be '.' or '..' or start with '..'");
        }
    }

    /** How {@code metadata.name} must look for a kind (Kubernetes' ValidateNameFunc of its strategy). */
    public enum NameRule {
        /** DNS-1123 subdomain: most kinds. */
        SUBDOMAIN,
        /** DNS-1123 label: Namespaces. */
        LABEL,
        /** DNS-1035 label: Services. */
        DNS1035,
        /** Any name that is a valid path segment (ValidatePathSegmentName): RBAC roles and bindings, e.g. {@code system:kube-scheduler}. */
        PATH_SEGMENT
    }

    /** ObjectMeta: name per {@code rule}, labels, annotation keys and total size (ValidateObjectMeta). */
    public static void metadata(FieldErrors errs, KubeObject obj, NameRule rule) {
        ObjectMeta m = obj.metadata;
        switch (rule) {
            case LABEL -> errs.dns1123Label("metadata.name", m.name);
            case DNS1035 -> errs.dns1035Label("metadata.name", m.name);
            case SUBDOMAIN -> errs.dns1123Subdomain("metadata.name", m.name);
            case PATH_SEGMENT -> pathSegment(errs, m.name);
        }
        errs.labels("metadata.labels", m.labels);
        if (m.annotations != null) {
            long size = 0;
            for (Map.Entry<String, String> a : m.annotations.entrySet()) {
                errs.qualifiedKey("metadata.annotations", a.getKey());
                size += a.getKey().length() + (a.getValue() == null ? 0 : a.getValue().length());
            }
            if (size > 256 * 1024) {
                errs.invalid("metadata.annotations", "", "Too long: must have at most 262144 bytes");
            }
        }
    }

    /** IsValidPathSegmentName: not "." or "..", no "/" or "%". */
    private static void pathSegment(FieldErrors errs, String name) {
        if (name == null || name.isEmpty()) {
            errs.required("metadata.name", "name or generateName is required");
        } else if (name.equals(".") || name.equals("..")) {
            errs.invalid("metadata.name", name, "may not be '" + name + "'");
        } else if (name.contains("/") || name.contains("%")) {
            errs.invalid("metadata.name", name, "may not contain '" + (name.contains("/") ? "/" : "%") + "'");
        }
    }

    /** An update may not change the uid. */
    public static void metadataUpdate(FieldErrors errs, KubeObject now, KubeObject old) {
        immutable(errs, "metadata.uid", now.metadata.uid, old.metadata.uid);
        // ValidateObjectMetaUpdate: once deletion has started, finalizers may only be removed
        if (old.metadata.deletionTimestamp != null) {
            List<String> added = now.metadata.finalizers.stream().filter(f -> !old.metadata.finalizers.contains(f)).toList();
            if (!added.isEmpty()) {
                errs.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{"
                        + String.join(", ", added.stream().map(f -> "\"" + f + "\"").toList()) + "}");
            }
        }
    }

    /** A workload's selector may not change (apps/v1 ValidateDeploymentUpdate, ValidateReplicaSetUpdate). */
    public static void immutableSelector(FieldErrors errs, LabelSelector now, LabelSelector old) {
        if (!Objects.equals(io.kube4j.json.Json.write(now), io.kube4j.json.Json.write(old))) {
            errs.invalid("spec.selector", Selector.from(now).toString(), "field is immutable");
        }
    }

    /** ValidatePod: the pod spec. */
    public static void pod(FieldErrors errs, Pod p) {
        podSpec(errs, "spec", p.spec);
    }

    /**
     * ValidatePodUpdate: the node may change only through binding; only a few fields are mutable;
     * {@code activeDeadlineSeconds} may be set or lowered, never raised or removed.
     */
    public static void podUpdate(FieldErrors errs, Pod now, Pod old) {
        if (activeDeadlineUpdate(errs, now.spec.activeDeadlineSeconds, old.spec.activeDeadlineSeconds)) {
            podChange(errs, now, old);
        }
    }

    /**
     * ValidatePodStatusUpdate's ValidateContainerStateTransition: a terminated container that its pod's
     * restartPolicy will not restart may not go back to waiting or running. (Kubernetes 1.32 has no such rule for
     * the pod's phase: the kubelet keeps terminal phases, the apiserver does not check them.)
     */
    public static void podStatusUpdate(FieldErrors errs, Pod now, Pod old) {
        podIPs(errs, now);
        if (now.status != null && old.status != null) {
            String policy = old.spec.restartPolicy == null ? "Always" : old.spec.restartPolicy;
            containerStateTransition(errs, "status.containerStatuses", now.status.containerStatuses, old.status.containerStatuses, policy);
        }
    }

    /** The activeDeadlineSeconds part of ValidatePodUpdate; false when validation stops there. */
    private static boolean activeDeadlineUpdate(FieldErrors errs, Long now, Long old) {
        String field = "spec.activeDeadlineSeconds";
        if (now != null) {
            if (now < 0 || now > Integer.MAX_VALUE) {
                errs.invalid(field, now, "must be between 0 and 2147483647, inclusive");
                return false;
            }
            if (old != null && old < now) {
                errs.invalid(field, now, "must be less than or equal to previous value");
                return false;
            }
        } else if (old != null) {
            // field.ErrorBody prints a nil pointer as the string "null", quoted
            errs.invalid(field, "null", "must not update from a positive integer to nil value");
        }
        return true;
    }

    /** ValidateContainerStateTransition: only restartPolicy Always (and OnFailure after a failure) may leave terminated. */
    private static void containerStateTransition(FieldErrors errs, String path, List<io.kube4j.api.ContainerStatus> now,
                                                 List<io.kube4j.api.ContainerStatus> old, String restartPolicy) {
        if (restartPolicy.equals("Always") || now == null || old == null) {
            return;
        }
        for (int i = 0; i < old.size(); i++) {
            io.kube4j.api.ContainerStatus o = old.get(i);
            if (o.state == null || o.state.terminated == null) {
                continue;
            }
            if (o.state.terminated.exitCode != 0 && restartPolicy.equals("OnFailure")) {
                continue;
            }
            for (io.kube4j.api.ContainerStatus n : now) {
                if (Objects.equals(o.name, n.name) && (n.state == null || n.state.terminated == null)) {
                    errs.forbidden(path + "[" + i + "].state", "may not be transitioned to non-terminated state");
                }
            }
        }
    }

    /** validatePodIPs (ValidatePodStatusUpdate): podIP is podIPs[0] after conversion; each must be an IP. */
    private static void podIPs(FieldErrors errs, Pod p) {
        if (p.status == null) {
            return;
        }
        List<String> ips = new ArrayList<>();
        p.status.podIPs.forEach(ip -> ips.add(ip.ip));
        if (ips.isEmpty() && p.status.podIP != null && !p.status.podIP.isEmpty()) {
            ips.add(p.status.podIP);
        }
        for (int i = 0; i < ips.size(); i++) {
            errs.ip("status.podIPs[" + i + "]", ips.get(i));
        }
    }

    /** ValidateReplicaSet. */
    public static void replicaSet(FieldErrors errs, ReplicaSet rs) {
        replicas(errs, "spec.replicas", rs.spec.replicas);
        selectorAndTemplate(errs, rs.spec.selector, rs.spec.template);
    }

    /** ValidateNode: its taints. */
    public static void node(FieldErrors errs, Node n) {
        for (int i = 0; i < n.spec.taints.size(); i++) {
            taint(errs, "spec.taints[" + i + "]", n.spec.taints.get(i));
        }
        // podCIDR is converted into podCIDRs[0] before validation in Kubernetes, hence the path
        List<String> cidrs = !n.spec.podCIDRs.isEmpty() ? n.spec.podCIDRs
                : n.spec.podCIDR == null || n.spec.podCIDR.isEmpty() ? List.of() : List.of(n.spec.podCIDR);
        for (int i = 0; i < cidrs.size(); i++) {
            errs.cidr("spec.podCIDRs[" + i + "]", cidrs.get(i));
        }
    }

    private static void immutable(FieldErrors errs, String field, Object now, Object before) {
        if (before != null && now != null && !now.equals(before)) {
            errs.invalid(field, now, "field is immutable");
        }
    }

    /** Replicas, when set, are non-negative. */
    public static void replicas(FieldErrors errs, String field, Integer replicas) {
        if (replicas != null && replicas < 0) {
            errs.invalid(field, replicas, "must be greater than or equal to 0");
        }
    }

    /**
     * ValidateLabelSelector (apimachinery metav1/validation): matchLabels as labels; each expression's
     * operator In/NotIn with values, Exists/DoesNotExist without, its key a qualified name and its
     * values label values. Returns whether the selector is valid.
     */
    public static boolean labelSelector(FieldErrors errs, String path, LabelSelector s) {
        if (s == null) {
            return true;
        }
        int before = errs.causes().size();
        errs.labels(path + ".matchLabels", s.matchLabels);
        for (int i = 0; i < s.matchExpressions.size(); i++) {
            LabelSelector.Requirement r = s.matchExpressions.get(i);
            String rp = path + ".matchExpressions[" + i + "]";
            List<String> values = r.values == null ? List.of() : r.values;
            switch (r.operator == null ? "" : r.operator) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        errs.required(rp + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        errs.forbidden(rp + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }
                }
                default -> errs.invalid(rp + ".operator", r.operator, "not a valid selector operator");
            }
            errs.qualifiedKey(rp + ".key", r.key == null ? "" : r.key);
            for (int j = 0; j < values.size(); j++) {
                errs.labelValue(rp + ".values[" + j + "]", values.get(j));
            }
        }
        return errs.causes().size() == before;
    }

    /** A workload's selector and pod template (ValidatePodTemplateSpecForReplicaSet). */
    public static void selectorAndTemplate(FieldErrors errs, LabelSelector selector, PodTemplateSpec template) {
        Selector sel = null;
        if (selector == null || (selector.matchLabels.isEmpty() && selector.matchExpressions.isEmpty())) {
            errs.required("spec.selector", null);
        } else if (labelSelector(errs, "spec.selector", selector)) {
            try {
                sel = Selector.from(selector);
            } catch (IllegalArgumentException e) {
                errs.invalid("spec.selector", "", e.getMessage());
            }
        }
        if (template == null) {
            errs.required("spec.template", null);
            return;
        }
        errs.labels("spec.template.metadata.labels", template.metadata.labels);
        if (sel != null && !sel.matches(template.metadata.labels)) {
            errs.invalid("spec.template.metadata.labels", io.kube4j.json.Json.write(template.metadata.labels), "`selector` does not match template `labels`");
        }
        podSpec(errs, "spec.template.spec", template.spec);
        if (template.spec != null && template.spec.restartPolicy != null && !"Always".equals(template.spec.restartPolicy)) {
            errs.notSupported("spec.template.spec.restartPolicy", template.spec.restartPolicy, List.of("Always"));
        }
    }

    /** A selector given as a plain label map (ReplicationController), matching its template. */
    public static void mapSelectorAndTemplate(FieldErrors errs, Map<String, String> selector, PodTemplateSpec template) {
        if (selector == null || selector.isEmpty()) {
            errs.required("spec.selector", null);
        } else {
            errs.labels("spec.selector", selector);
        }
        if (template == null) {
            errs.required("spec.template", null);
            return;
        }
        errs.labels("spec.template.metadata.labels", template.metadata.labels);
        if (selector != null && !selector.isEmpty()) {
            Map<String, String> labels = template.metadata.labels == null ? Map.of() : template.metadata.labels;
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    errs.invalid("spec.template.metadata.labels", io.kube4j.json.Json.write(template.metadata.labels), "`selector` does not match template `labels`");
                    break;
                }
            }
        }
        podSpec(errs, "spec.template.spec", template.spec);
        if (template.spec != null && template.spec.restartPolicy != null && !"Always".equals(template.spec.restartPolicy)) {
            errs.notSupported("spec.template.spec.restartPolicy", template.spec.restartPolicy, List.of("Always"));
        }
    }

    /** An IntOrString that is a non-negative int or a valid percentage (ValidatePositiveIntOrPercent); -1 when absent or invalid. */
    public static int nonNegativeIntOrPercent(FieldErrors errs, String field, IntOrString v) {
        return percentOrInt(errs, field, v);
    }

    /** ValidateDeployment. */
    public static void deployment(FieldErrors errs, Deployment d) {
        replicas(errs, "spec.replicas", d.spec.replicas);
        selectorAndTemplate(errs, d.spec.selector, d.spec.template);
        Deployment.DeploymentStrategy st = d.spec.strategy;
        if (st != null && st.type != null) {
            if (!List.of("RollingUpdate", "Recreate").contains(st.type)) {
                errs.notSupported("spec.strategy.type", st.type, List.of("Recreate", "RollingUpdate"));
            } else if ("Recreate".equals(st.type) && st.rollingUpdate != null) {
                errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
            } else if (st.rollingUpdate != null) {
                int surge = percentOrInt(errs, "spec.strategy.rollingUpdate.maxSurge", st.rollingUpdate.maxSurge);
                int unavailable = percentOrInt(errs, "spec.strategy.rollingUpdate.maxUnavailable", st.rollingUpdate.maxUnavailable);
                if (surge == 0 && unavailable == 0) {
                    errs.invalid("spec.strategy.rollingUpdate.maxUnavailable", 0, "may not be 0 when `maxSurge` is 0");
                }
            }
        }
        if (d.spec.revisionHistoryLimit != null && d.spec.revisionHistoryLimit < 0) {
            errs.invalid("spec.revisionHistoryLimit", d.spec.revisionHistoryLimit, "must be greater than or equal to 0");
        }
    }

    private static int percentOrInt(FieldErrors errs, String field, IntOrString v) {
        if (v == null) {
            return -1;
        }
        try {
            int n = v.scaledValue(100, true);
            if (n < 0) {
                errs.invalid(field, v.toJson(), "must be greater than or equal to 0");
            }
            if (!v.isInt() && n > 100) {
                errs.invalid(field, v.toJson(), "must not be greater than 100%");
            }
            return n;
        } catch (NumberFormatException e) {
            errs.invalid(field, v.toJson(), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
            return -1;
        }
    }

    /** A pod spec under {@code path} (spec, or spec.template.spec). */
    /** ValidatePodSpec at {@code path} (pods and pod templates). */
    public static void podSpec(FieldErrors errs, String path, PodSpec spec) {
        if (spec == null) {
            errs.required(path, null);
            return;
        }
        if (spec.containers.isEmpty()) {
            errs.required(path + ".containers", null);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.initContainers.size(); i++) {
            container(errs, path + ".initContainers[" + i + "]", spec.initContainers.get(i), names, spec);
            initContainer(errs, path + ".initContainers[" + i + "]", spec.initContainers.get(i));
        }
        for (int i = 0; i < spec.containers.size(); i++) {
            Container c = spec.containers.get(i);
            String cp = path + ".containers[" + i + "]";
            container(errs, cp, c, names, spec);
            containerProbes(errs, cp, c);
            // validateContainers: a container-level restartPolicy is only for (sidecar) init containers in 1.32
            if (c.restartPolicy != null) {
                errs.forbidden(cp + ".restartPolicy", "may not be set for non-init containers");
            }
        }
        ephemeralContainers(errs, path + ".ephemeralContainers", spec, names);
        // ValidatePodSpec: InclusiveRangeError(1, math.MaxInt32)
        if (spec.activeDeadlineSeconds != null && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > Integer.MAX_VALUE)) {
            errs.invalid(path + ".activeDeadlineSeconds", spec.activeDeadlineSeconds, "must be between 1 and 2147483647, inclusive");
        }
        if (spec.restartPolicy != null && !RESTART_POLICIES.contains(spec.restartPolicy)) {
            errs.notSupported(path + ".restartPolicy", spec.restartPolicy, RESTART_POLICIES);
        }
        if (spec.terminationGracePeriodSeconds != null && spec.terminationGracePeriodSeconds < 0) {
            errs.invalid(path + ".terminationGracePeriodSeconds", spec.terminationGracePeriodSeconds, "must be greater than or equal to 0");
        }
        errs.labels(path + ".nodeSelector", spec.nodeSelector);
        Set<String> volumes = new HashSet<>();
        for (int i = 0; i < spec.volumes.size(); i++) {
            String v = spec.volumes.get(i).name;
            errs.dns1123Label(path + ".volumes[" + i + "].name", v);
            if (v != null && !volumes.add(v)) {
                errs.duplicate(path + ".volumes[" + i + "].name", v);
            }
        }
        for (int i = 0; i < spec.tolerations.size(); i++) {
            toleration(errs, path + ".tolerations[" + i + "]", spec.tolerations.get(i));
        }
    }

    /**
     * validateEphemeralContainers: each is a container (validateContainerCommon) with a name unique among all
     * the pod's containers, a targetContainerName naming a regular or init container, no field outside Kubernetes'
     * allowedEphemeralContainerFields (ports, resources, resizePolicy, restartPolicy, probes, lifecycle: "cannot be
     * set for an Ephemeral Container", in the Go struct's field order) and no subPath on its mounts (subPathExpr is not modelled).
     */
    private static void ephemeralContainers(FieldErrors errs, String path, PodSpec spec, Set<String> names) {
        if (spec.ephemeralContainers.isEmpty()) {
            return;
        }
        Set<String> others = new HashSet<>();
        spec.initContainers.forEach(c -> others.add(c.name));
        spec.containers.forEach(c -> others.add(c.name));
        String notForEphemeral = "cannot be set for an Ephemeral Container";
        for (int i = 0; i < spec.ephemeralContainers.size(); i++) {
            io.kube4j.api.EphemeralContainer ec = spec.ephemeralContainers.get(i);
            String p = path + "[" + i + "]";
            container(errs, p, ec, names, spec);
            if (ec.image != null && ec.image.length() != ec.image.strip().length()) {
                errs.invalid(p + ".image", ec.image, "must not have leading or trailing whitespace");
            }
            if (ec.targetContainerName != null && !ec.targetContainerName.isEmpty() && !others.contains(ec.targetContainerName)) {
                errs.notFound(p + ".targetContainerName", ec.targetContainerName);
            }
            if (!ec.ports.isEmpty()) {
                errs.forbidden(p + ".ports", notForEphemeral);
            }
            if (ec.resources != null && (!ec.resources.limits.isEmpty() || !ec.resources.requests.isEmpty())) {
                errs.forbidden(p + ".resources", notForEphemeral);
            }
            if (ec.unknownFields.get("resizePolicy") instanceof List<?> l && !l.isEmpty()) {
                errs.forbidden(p + ".resizePolicy", notForEphemeral);
            }
            if (ec.restartPolicy != null) {
                errs.forbidden(p + ".restartPolicy", notForEphemeral);
            }
            if (ec.livenessProbe != null) {
                errs.forbidden(p + ".livenessProbe", notForEphemeral);
            }
            if (ec.readinessProbe != null) {
                errs.forbidden(p + ".readinessProbe", notForEphemeral);
            }
            if (ec.startupProbe != null) {
                errs.forbidden(p + ".startupProbe", notForEphemeral);
            }
            if (ec.lifecycle != null) {
                errs.forbidden(p + ".lifecycle", notForEphemeral);
            }
            for (int m = 0; m < ec.volumeMounts.size(); m++) {
                Container.VolumeMount vm = ec.volumeMounts.get(m);
                if (vm.subPath != null && !vm.subPath.isEmpty()) {
                    errs.forbidden(p + ".volumeMounts[" + m + "].subPath", notForEphemeral);
                }
            }
        }
    }

    /**
     * ValidatePodEphemeralContainersUpdate (the pods/ephemeralcontainers subresource): the new pod's spec must be
     * valid, a static (mirror) pod takes none, and the ephemeral containers already there may be neither removed
     * nor changed (matched by name, as a patch may reorder them).
     */
    public static void podEphemeralContainersUpdate(FieldErrors errs, Pod now, Pod old) {
        if (old.metadata.annotations != null && old.metadata.annotations.containsKey("kubernetes.io/config.mirror")) {
            errs.forbidden("", "static pods do not support ephemeral containers");
            return;
        }
        podSpec(errs, "spec", now.spec);
        Map<String, io.kube4j.api.EphemeralContainer> byName = new java.util.HashMap<>();
        now.spec.ephemeralContainers.forEach(c -> byName.put(c.name, c));
        for (io.kube4j.api.EphemeralContainer o : old.spec.ephemeralContainers) {
            io.kube4j.api.EphemeralContainer n = byName.get(o.name);
            if (n == null) {
                errs.forbidden("spec.ephemeralContainers", "existing ephemeral containers \"" + o.name + "\" may not be removed\n");
            } else if (!io.kube4j.json.Json.write(o).equals(io.kube4j.json.Json.write(n))) {
                // Kubernetes appends a go-cmp diff of the two; the JSON of both stands in for it
                errs.forbidden("spec.ephemeralContainers[" + o.name + "]", "existing ephemeral containers \"" + o.name + "\" may not be changed\n"
                        + io.kube4j.json.Json.write(o) + "\n" + io.kube4j.json.Json.write(n));
            }
        }
    }

    private static void container(FieldErrors errs, String path, Container c, Set<String> names, PodSpec spec) {
        errs.dns1123Label(path + ".name", c.name);
        if (c.name != null && !names.add(c.name)) {
            errs.duplicate(path + ".name", c.name);
        }
        if (c.image == null || c.image.isBlank()) {
            errs.required(path + ".image", null);
        }
        if (c.imagePullPolicy != null && !PULL_POLICIES.contains(c.imagePullPolicy)) {
            errs.notSupported(path + ".imagePullPolicy", c.imagePullPolicy, PULL_POLICIES);
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < c.ports.size(); i++) {
            Container.ContainerPort p = c.ports.get(i);
            String pp = path + ".ports[" + i + "]";
            errs.port(pp + ".containerPort", p.containerPort);
            if (p.hostPort != null && p.hostPort != 0 && (p.hostPort < 1 || p.hostPort > 65535)) {
                errs.invalid(pp + ".hostPort", p.hostPort, "must be between 1 and 65535, inclusive");
            }
            if (p.protocol != null && !PROTOCOLS.contains(p.protocol)) {
                errs.notSupported(pp + ".protocol", p.protocol, PROTOCOLS);
            }
            if (p.name != null && !p.name.isEmpty()) {
                if (p.name.length() > 15 || !FieldErrors.DNS1123_LABEL.matcher(p.name).matches() || !p.name.matches(".*[a-z].*")) {
                    errs.invalid(pp + ".name", p.name, "must be no more than 15 characters, contain only lowercase alphanumerics and '-', and contain at least one letter");
                } else if (!portNames.add(p.name)) {
                    errs.duplicate(pp + ".name", p.name);
                }
            }
        }
        for (int i = 0; i < c.env.size(); i++) {
            String n = c.env.get(i).name;
            if (n == null || n.isEmpty()) {
                errs.required(path + ".env[" + i + "].name", null);
            }
        }
        if (c.resources != null) {
            c.resources.requests.forEach((res, q) -> {
                Quantity limit = c.resources.limits.get(res);
                if (q.exact().signum() < 0) {
                    errs.invalid(path + ".resources.requests[" + res + "]", q.toString(), "must be greater than or equal to 0");
                }
                if (limit != null && q.compareTo(limit) > 0) {
                    errs.invalid(path + ".resources.requests", q.toString(), "must be less than or equal to " + res + " limit of " + limit);
                }
            });
        }
        Set<String> volumes = new HashSet<>();
        spec.volumes.forEach(v -> volumes.add(v.name));
        for (int i = 0; i < c.volumeMounts.size(); i++) {
            Container.VolumeMount m = c.volumeMounts.get(i);
            if (m.name == null || !volumes.contains(m.name)) {
                errs.invalid(path + ".volumeMounts[" + i + "].name", m.name, "not found");
            }
            if (m.mountPath == null || m.mountPath.isEmpty()) {
                errs.required(path + ".volumeMounts[" + i + "].mountPath", null);
            }
        }
    }

    /**
     * validateInitContainers (Kubernetes 1.32): {@code restartPolicy} may only be {@code Always} (a sidecar); an
     * init container that is not a sidecar may not have lifecycle hooks or probes; a sidecar's are validated as
     * a regular container's.
     */
    private static void initContainer(FieldErrors errs, String path, Container c) {
        if (c.restartPolicy != null && !c.restartPolicy.equals("Always")) {
            errs.notSupported(path + ".restartPolicy", c.restartPolicy, List.of("Always"));
        }
        if ("Always".equals(c.restartPolicy)) {
            containerProbes(errs, path, c);
            return;
        }
        String notSidecar = "may not be set for init containers without restartPolicy=Always";
        if (c.lifecycle != null) {
            errs.forbidden(path + ".lifecycle", notSidecar);
        }
        if (c.livenessProbe != null) {
            errs.forbidden(path + ".livenessProbe", notSidecar);
        }
        if (c.readinessProbe != null) {
            errs.forbidden(path + ".readinessProbe", notSidecar);
        }
        if (c.startupProbe != null) {
            errs.forbidden(path + ".startupProbe", notSidecar);
        }
    }

    /**
     * validateLivenessProbe / validateReadinessProbe / validateStartupProbe: liveness and startup probes need
     * {@code successThreshold} 1; a readiness probe may not carry {@code terminationGracePeriodSeconds}.
     */
    private static void containerProbes(FieldErrors errs, String path, Container c) {
        probe(errs, path + ".livenessProbe", c.livenessProbe);
        probe(errs, path + ".readinessProbe", c.readinessProbe);
        probe(errs, path + ".startupProbe", c.startupProbe);
        successThresholdOne(errs, path + ".livenessProbe", c.livenessProbe);
        successThresholdOne(errs, path + ".startupProbe", c.startupProbe);
        if (c.readinessProbe != null && c.readinessProbe.terminationGracePeriodSeconds != null) {
            errs.invalid(path + ".readinessProbe.terminationGracePeriodSeconds", c.readinessProbe.terminationGracePeriodSeconds,
                    "must not be set for readinessProbes");
        }
    }

    private static void successThresholdOne(FieldErrors errs, String path, Probe p) {
        if (p != null && p.successThreshold != null && p.successThreshold != 1) {
            errs.invalid(path + ".successThreshold", p.successThreshold, "must be 1");
        }
    }

    private static void probe(FieldErrors errs, String path, Probe p) {
        if (p == null) {
            return;
        }
        int handlers = (p.exec != null ? 1 : 0) + (p.httpGet != null ? 1 : 0) + (p.tcpSocket != null ? 1 : 0) + (p.grpc != null ? 1 : 0);
        if (handlers == 0) {
            errs.required(path, "must specify a handler type");
        } else if (handlers > 1) {
            errs.forbidden(path, "may not specify more than 1 handler type");
        }
        if (p.httpGet != null && p.httpGet.port == null) {
            errs.required(path + ".httpGet.port", null);
        }
        if (p.tcpSocket != null && p.tcpSocket.port == null) {
            errs.required(path + ".tcpSocket.port", null);
        }
        if (p.periodSeconds != null && p.periodSeconds < 1) {
            errs.invalid(path + ".periodSeconds", p.periodSeconds, "must be greater than or equal to 1");
        }
        // validateGRPCAction: ValidatePortNumOrName on the number
        if (p.grpc != null && (p.grpc.port == null || p.grpc.port < 1 || p.grpc.port > 65535)) {
            errs.invalid(path + ".grpc.port", p.grpc.port, "must be between 1 and 65535, inclusive");
        }
        // validateProbe: a probe-level grace period must be positive
        if (p.terminationGracePeriodSeconds != null && p.terminationGracePeriodSeconds <= 0) {
            errs.invalid(path + ".terminationGracePeriodSeconds", p.terminationGracePeriodSeconds, "must be greater than 0");
        }
    }

    private static void toleration(FieldErrors errs, String path, Toleration t) {
        String op = t.operator == null ? "Equal" : t.operator;
        if (!List.of("Equal", "Exists").contains(op)) {
            errs.notSupported(path + ".operator", t.operator, List.of("Equal", "Exists"));
        }
        if ("Exists".equals(op) && t.value != null && !t.value.isEmpty()) {
            errs.invalid(path + ".operator", t.operator, "value must be empty when `operator` is 'Exists'");
        }
        if ((t.key == null || t.key.isEmpty()) && !"Exists".equals(op)) {
            errs.invalid(path + ".operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
        }
        if (t.effect != null && !t.effect.isEmpty() && !TAINT_EFFECTS.contains(t.effect)) {
            errs.notSupported(path + ".effect", t.effect, TAINT_EFFECTS);
        }
    }

    private static void taint(FieldErrors errs, String path, Taint t) {
        if (t.key == null || t.key.isEmpty()) {
            errs.required(path + ".key", null);
        } else {
            errs.qualifiedKey(path + ".key", t.key);
        }
        if (t.effect == null || !TAINT_EFFECTS.contains(t.effect)) {
            errs.notSupported(path + ".effect", t.effect, TAINT_EFFECTS);
        }
    }

    private static void podChange(FieldErrors errs, Pod now, Pod old) {
        // pods are mostly immutable: Kubernetes allows only images, activeDeadlineSeconds and added tolerations to change
        if (old.spec.nodeName != null && !Objects.equals(old.spec.nodeName, now.spec.nodeName)) {
            errs.forbidden("spec.nodeName", "pod updates may not change the node; use pods/binding to assign a node");
            return;
        }
        if (old.spec.nodeName == null && now.spec.nodeName != null) {
            errs.forbidden("spec.nodeName", "pod updates may not set the node; use pods/binding to assign a node");
            return;
        }
        // validateOnlyDeletedSchedulingGates: gates may be removed, never added or changed
        List<String> before = old.spec.schedulingGates.stream().map(g -> g.name).toList();
        for (int i = 0; i < now.spec.schedulingGates.size(); i++) {
            if (!before.contains(now.spec.schedulingGates.get(i).name)) {
                errs.forbidden("spec.schedulingGates", "only deletion is allowed, but found new scheduling gate '" + now.spec.schedulingGates.get(i).name + "'");
                return;
            }
        }
        PodSpec a = io.kube4j.json.Json.copy(now.spec);
        PodSpec b = io.kube4j.json.Json.copy(old.spec);
        for (PodSpec s : List.of(a, b)) {
            s.containers.forEach(c -> c.image = null);
            s.initContainers.forEach(c -> c.image = null);
            s.activeDeadlineSeconds = null;
            s.tolerations.clear();
            s.schedulingGates.clear();
        }
        if (!io.kube4j.json.Json.write(a).equals(io.kube4j.json.Json.write(b))) {
            errs.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)");
        }
    }

    /** ValidateService. */
    public static void service(FieldErrors errs, Service s) {
        String type = s.spec.type == null ? "ClusterIP" : s.spec.type;
        if (!SERVICE_TYPES.contains(type)) {
            errs.notSupported("spec.type", type, SERVICE_TYPES);
        }
        errs.labels("spec.selector", s.spec.selector);
        boolean headless = "None".equals(s.spec.clusterIP);
        if (s.spec.ports.isEmpty() && !"ExternalName".equals(type) && !headless) {
            errs.required("spec.ports", null);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < s.spec.ports.size(); i++) {
            Service.ServicePort p = s.spec.ports.get(i);
            String path = "spec.ports[" + i + "]";
            if (s.spec.ports.size() > 1 && (p.name == null || p.name.isEmpty())) {
                errs.required(path + ".name", null);
            } else if (p.name != null && !p.name.isEmpty()) {
                errs.dns1123Label(path + ".name", p.name);
                if (!names.add(p.name)) {
                    errs.duplicate(path + ".name", p.name);
                }
            }
            errs.port(path + ".port", p.port);
            if (p.protocol != null && !PROTOCOLS.contains(p.protocol)) {
                errs.notSupported(path + ".protocol", p.protocol, PROTOCOLS);
            }
            if (p.targetPort != null && p.targetPort.isInt() && (p.targetPort.intValue() < 1 || p.targetPort.intValue() > 65535)) {
                errs.invalid(path + ".targetPort", p.targetPort.intValue(), "must be between 1 and 65535, inclusive");
            }
            if (p.nodePort != null && p.nodePort != 0 && "ClusterIP".equals(type)) {
                errs.forbidden(path + ".nodePort", "may not be used when `type` is 'ClusterIP'");
            }
        }
        // kube4j's service network is single-stack IPv4 (kube4j.services.cluster-ip-range): another family is not configured
        for (int i = 0; i < s.spec.ipFamilies.size(); i++) {
            String family = s.spec.ipFamilies.get(i);
            if (!List.of("IPv4", "IPv6").contains(family)) {
                errs.notSupported("spec.ipFamilies[" + i + "]", family, List.of("IPv4", "IPv6"));
            } else if (!family.equals("IPv4")) {
                errs.invalid("spec.ipFamilies[" + i + "]", family, "not configured on this cluster");
            }
        }
        if (s.spec.ipFamilyPolicy != null && !List.of("SingleStack", "PreferDualStack", "RequireDualStack").contains(s.spec.ipFamilyPolicy)) {
            errs.notSupported("spec.ipFamilyPolicy", s.spec.ipFamilyPolicy, List.of("PreferDualStack", "RequireDualStack", "SingleStack"));
        } else if ("RequireDualStack".equals(s.spec.ipFamilyPolicy)) {
            errs.invalid("spec.ipFamilyPolicy", s.spec.ipFamilyPolicy, "this cluster is not configured for dual-stack services");
        }
        if (s.spec.sessionAffinity != null && !List.of("None", "ClientIP").contains(s.spec.sessionAffinity)) {
            errs.notSupported("spec.sessionAffinity", s.spec.sessionAffinity, List.of("ClientIP", "None"));
        }
    }

    /** ValidateEndpoints. */
    public static void endpoints(FieldErrors errs, Endpoints e) {
        for (int i = 0; i < e.subsets.size(); i++) {
            Endpoints.EndpointSubset ss = e.subsets.get(i);
            for (int j = 0; j < ss.addresses.size(); j++) {
                errs.ip("subsets[" + i + "].addresses[" + j + "].ip", ss.addresses.get(j).ip);
            }
            for (int j = 0; j < ss.ports.size(); j++) {
                errs.port("subsets[" + i + "].ports[" + j + "].port", ss.ports.get(j).port);
            }
        }
    }
}
