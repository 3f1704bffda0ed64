package io.kube4j.controllermanager.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which controllers run: kube-controller-manager's {@code --controllers} ({@code kube4j.controller-manager.controllers},
 * default {@code *}). {@code *} enables every on-by-default controller, {@code foo} enables the controller named
 * {@code foo}, {@code -foo} disables it; the first entry naming a controller wins. {@code bootstrap-signer-controller}
 * and {@code token-cleaner-controller} are off by default, as in kube-controller-manager: kubeadm turns them on
 * ({@code --controllers=*,bootstrapsigner,tokencleaner}) and so do kube4j's compose file and all-in-one.
 *
 * <p>Names are Kubernetes 1.32's canonical ones ({@code cmd/kube-controller-manager/names/controller_names.go}) or
 * their older aliases ({@code ControllerDescriptor.GetAliases}: {@code replicaset}, {@code tokencleaner}, ...).
 * Every Kubernetes controller name is accepted, including those kube4j does not have (then nothing runs for it);
 * any other name fails start-up with Kubernetes' message {@code "foo" is not in the list of known controllers}
 * ({@code GenericControllerManagerConfigurationOptions.Validate}).
 *
 * <p>Kubernetes: {@code IsControllerEnabled} in {@code cmd/kube-controller-manager/app/controllermanager.go}
 * (via {@code genericcontrollermanager.IsControllerEnabled}).
 */
public final class ControllerSelection {
    /** Kubernetes 1.32's canonical controller names that are off unless named. */
    public static final Set<String> DISABLED_BY_DEFAULT = Set.of("bootstrap-signer-controller", "token-cleaner-controller");

    // canonical name -> its aliases (kube-controller-manager's NewControllerDescriptors, 1.32)
    private static final Map<String, List<String>> KNOWN = Map.ofEntries(
            Map.entry("serviceaccount-token-controller", List.of("serviceaccount-token")),
            Map.entry("endpoints-controller", List.of("endpoint")),
            Map.entry("endpointslice-controller", List.of("endpointslice")),
            Map.entry("endpointslice-mirroring-controller", List.of("endpointslicemirroring")),
            Map.entry("replicationcontroller-controller", List.of("replicationcontroller")),
            Map.entry("pod-garbage-collector-controller", List.of("podgc")),
            Map.entry("resourcequota-controller", List.of("resourcequota")),
            Map.entry("namespace-controller", List.of("namespace")),
            Map.entry("serviceaccount-controller", List.of("serviceaccount")),
            Map.entry("garbage-collector-controller", List.of("garbagecollector")),
            Map.entry("daemonset-controller", List.of("daemonset")),
            Map.entry("job-controller", List.of("job")),
            Map.entry("deployment-controller", List.of("deployment")),
            Map.entry("replicaset-controller", List.of("replicaset")),
            Map.entry("horizontal-pod-autoscaler-controller", List.of("horizontalpodautoscaling")),
            Map.entry("disruption-controller", List.of("disruption")),
            Map.entry("statefulset-controller", List.of("statefulset")),
            Map.entry("cronjob-controller", List.of("cronjob")),
            Map.entry("certificatesigningrequest-signing-controller", List.of("csrsigning")),
            Map.entry("certificatesigningrequest-approving-controller", List.of("csrapproving")),
            Map.entry("certificatesigningrequest-cleaner-controller", List.of("csrcleaner")),
            Map.entry("ttl-controller", List.of("ttl")),
            Map.entry("bootstrap-signer-controller", List.of("bootstrapsigner")),
            Map.entry("token-cleaner-controller", List.of("tokencleaner")),
            Map.entry("node-ipam-controller", List.of("nodeipam")),
            Map.entry("node-lifecycle-controller", List.of("nodelifecycle")),
            Map.entry("taint-eviction-controller", List.of()),
            Map.entry("persistentvolume-binder-controller", List.of("persistentvolume-binder")),
            Map.entry("persistentvolume-attach-detach-controller", List.of("attachdetach")),
            Map.entry("persistentvolume-expander-controller", List.of("persistentvolume-expander")),
            Map.entry("clusterrole-aggregation-controller", List.of("clusterrole-aggregation")),
            Map.entry("persistentvolumeclaim-protection-controller", List.of("pvc-protection")),
            Map.entry("persistentvolume-protection-controller", List.of("pv-protection")),
            Map.entry("ttl-after-finished-controller", List.of("ttl-after-finished")),
            Map.entry("root-ca-certificate-publisher-controller", List.of("root-ca-cert-publisher")),
            Map.entry("ephemeral-volume-controller", List.of("ephemeral-volume")),
            Map.entry("storageversion-garbage-collector-controller", List.of("storage-version-gc")),
            Map.entry("resourceclaim-controller", List.of("resource-claim-controller")),
            Map.entry("legacy-serviceaccount-token-cleaner-controller", List.of("legacy-service-account-token-cleaner")),
            Map.entry("validatingadmissionpolicy-status-controller", List.of()),
            Map.entry("service-cidr-controller", List.of()),
            Map.entry("storage-version-migrator-controller", List.of()),
            // the cloud controllers kube-controller-manager still knows by name (run by a cloud-controller-manager)
            Map.entry("service-lb-controller", List.of("service")),
            Map.entry("node-route-controller", List.of("route")),
            Map.entry("cloud-node-lifecycle-controller", List.of("cloud-node-lifecycle")));

    // kube4j's short controller names (Controller.name()) that are not a Kubernetes alias themselves
    private static final Map<String, String> KUBE4J_NAMES = Map.of("endpoints", "endpoints-controller");

    private final List<String> entries;

    private ControllerSelection(List<String> entries) {
        this.entries = entries;
    }

    /**
     * Parses {@code --controllers}: each entry is {@code *}, a name or alias, or {@code -} and a name or alias.
     *
     * @throws IllegalArgumentException naming every unknown entry as kube-controller-manager does
     *                                  ({@code "foo" is not in the list of known controllers})
     */
    public static ControllerSelection parse(List<String> controllers) {
        List<String> errors = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        for (String raw : controllers) {
            String entry = raw.trim();
            if (entry.equals("*")) {
                canonical.add(entry);
                continue;
            }
            boolean disable = entry.startsWith("-");
            String name = disable ? entry.substring(1) : entry;
            String known = canonicalName(name);
            if (known == null) {
                errors.add("\"" + name + "\" is not in the list of known controllers");
            } else {
                canonical.add(disable ? "-" + known : known);
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", errors));
        }
        return new ControllerSelection(List.copyOf(canonical));
    }

    /** Kubernetes' canonical name for a canonical name or alias (or kube4j's short name), or null when unknown. */
    public static String canonicalName(String name) {
        if (KNOWN.containsKey(name)) {
            return name;
        }
        if (KUBE4J_NAMES.containsKey(name)) {
            return KUBE4J_NAMES.get(name);
        }
        for (Map.Entry<String, List<String>> e : KNOWN.entrySet()) {
            if (e.getValue().contains(name)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Whether the controller runs.
     *
     * @param name a canonical name, an alias or kube4j's {@link Controller#name()}
     * @throws IllegalArgumentException for a name Kubernetes does not know (a kube4j bug, not user input)
     */
    public boolean isEnabled(String name) {
        String canonical = canonicalName(name);
        if (canonical == null) {
            throw new IllegalArgumentException("controller " + name + " has no Kubernetes name");
        }
        boolean star = false;
        for (String entry : entries) {
            if (entry.equals(canonical)) {
                return true;
            }
            if (entry.equals("-" + canonical)) {
                return false;
            }
            star |= entry.equals("*");
        }
        return star && !DISABLED_BY_DEFAULT.contains(canonical);
    }
}
