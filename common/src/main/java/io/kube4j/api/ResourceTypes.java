package io.kube4j.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every resource kube4j serves. */
public final class ResourceTypes {
    public static final ResourceType NAMESPACES = core("namespaces", "namespace", "Namespace", false, Namespace.class, List.of("ns"), List.of());
    public static final ResourceType NODES = core("nodes", "node", "Node", false, Node.class, List.of("no"), List.of());
    public static final ResourceType PODS = core("pods", "pod", "Pod", true, Pod.class, List.of("po"), List.of("all"));
    public static final ResourceType SERVICES = core("services", "service", "Service", true, Service.class, List.of("svc"), List.of("all"));
    public static final ResourceType ENDPOINTS = core("endpoints", "endpoints", "Endpoints", true, Endpoints.class, List.of("ep"), List.of());
    public static final ResourceType EVENTS = core("events", "event", "Event", true, Event.class, List.of("ev"), List.of());
    public static final ResourceType REPLICASETS = new ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ReplicaSet.class, List.of("rs"), List.of("all"));
    public static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "deployments", "deployment", "Deployment", true, Deployment.class, List.of("deploy"), List.of("all"));
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, Lease.class, List.of(), List.of());

    public static final ResourceType CONFIGMAPS = core("configmaps", "configmap", "ConfigMap", true, ConfigMap.class, List.of("cm"), List.of());
    public static final ResourceType SECRETS = core("secrets", "secret", "Secret", true, Secret.class, List.of(), List.of());
    public static final ResourceType SERVICEACCOUNTS = core("serviceaccounts", "serviceaccount", "ServiceAccount", true, ServiceAccount.class, List.of("sa"), List.of());
    public static final ResourceType PERSISTENTVOLUMES = core("persistentvolumes", "persistentvolume", "PersistentVolume", false, PersistentVolume.class, List.of("pv"), List.of());
    public static final ResourceType PERSISTENTVOLUMECLAIMS = core("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, PersistentVolumeClaim.class, List.of("pvc"), List.of());
    public static final ResourceType REPLICATIONCONTROLLERS = core("replicationcontrollers", "replicationcontroller", "ReplicationController", true, ReplicationController.class, List.of("rc"), List.of("all"));
    public static final ResourceType LIMITRANGES = core("limitranges", "limitrange", "LimitRange", true, LimitRange.class, List.of("limits"), List.of());
    public static final ResourceType RESOURCEQUOTAS = core("resourcequotas", "resourcequota", "ResourceQuota", true, ResourceQuota.class, List.of("quota"), List.of());
    public static final ResourceType PODTEMPLATES = core("podtemplates", "podtemplate", "PodTemplate", true, PodTemplate.class, List.of(), List.of());
    public static final ResourceType DAEMONSETS = new ResourceType("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, DaemonSet.class, List.of("ds"), List.of("all"));
    public static final ResourceType STATEFULSETS = new ResourceType("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, StatefulSet.class, List.of("sts"), List.of("all"));
    public static final ResourceType CONTROLLERREVISIONS = new ResourceType("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, ControllerRevision.class, List.of(), List.of());
    public static final ResourceType JOBS = new ResourceType("batch", "v1", "jobs", "job", "Job", true, Job.class, List.of(), List.of("all"));
    public static final ResourceType CRONJOBS = new ResourceType("batch", "v1", "cronjobs", "cronjob", "CronJob", true, CronJob.class, List.of("cj"), List.of("all"));
    public static final ResourceType PODDISRUPTIONBUDGETS = new ResourceType("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, PodDisruptionBudget.class, List.of("pdb"), List.of());
    public static final ResourceType PRIORITYCLASSES = new ResourceType("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", false, PriorityClass.class, List.of("pc"), List.of());
    public static final ResourceType ENDPOINTSLICES = new ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, EndpointSlice.class, List.of(), List.of());
    public static final ResourceType STORAGECLASSES = new ResourceType("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, StorageClass.class, List.of("sc"), List.of());
    public static final ResourceType INGRESSES = new ResourceType("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, Ingress.class, List.of("ing"), List.of());
    public static final ResourceType INGRESSCLASSES = new ResourceType("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, IngressClass.class, List.of(), List.of());
    public static final ResourceType NETWORKPOLICIES = new ResourceType("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, NetworkPolicy.class, List.of("netpol"), List.of());
    public static final ResourceType ROLES = rbac("roles", "role", "Role", true, Role.class);
    public static final ResourceType CLUSTERROLES = rbac("clusterroles", "clusterrole", "ClusterRole", false, ClusterRole.class);
    public static final ResourceType ROLEBINDINGS = rbac("rolebindings", "rolebinding", "RoleBinding", true, RoleBinding.class);
    public static final ResourceType CLUSTERROLEBINDINGS = rbac("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, ClusterRoleBinding.class);
    public static final ResourceType HORIZONTALPODAUTOSCALERS = new ResourceType("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, HorizontalPodAutoscaler.class, List.of("hpa"), List.of("all"));
    public static final ResourceType VALIDATINGADMISSIONPOLICIES = new ResourceType("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "validatingadmissionpolicy", "ValidatingAdmissionPolicy", false, ValidatingAdmissionPolicy.class, List.of(), List.of("api-extensions"));
    public static final ResourceType VALIDATINGADMISSIONPOLICYBINDINGS = new ResourceType("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", "ValidatingAdmissionPolicyBinding", false, ValidatingAdmissionPolicyBinding.class, List.of(), List.of("api-extensions"));

    public static final ResourceType FLOWSCHEMAS = new ResourceType("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "flowschema", "FlowSchema", false, FlowSchema.class, List.of(), List.of());
    public static final ResourceType PRIORITYLEVELCONFIGURATIONS = new ResourceType("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "prioritylevelconfiguration", "PriorityLevelConfiguration", false, PriorityLevelConfiguration.class, List.of(), List.of());
    public static final ResourceType CERTIFICATESIGNINGREQUESTS = new ResourceType("certificates.k8s.io", "v1", "certificatesigningrequests", "certificatesigningrequest",
            "CertificateSigningRequest", false, CertificateSigningRequest.class, List.of("csr"), List.of());
    /** Every served resource; discovery lists groups in the order their first resource appears here. */
    public static final List<ResourceType> ALL = List.of(NAMESPACES, NODES, PODS, SERVICES, ENDPOINTS, EVENTS,
            CONFIGMAPS, SECRETS, SERVICEACCOUNTS, PERSISTENTVOLUMES, PERSISTENTVOLUMECLAIMS, REPLICATIONCONTROLLERS, LIMITRANGES, RESOURCEQUOTAS, PODTEMPLATES,
            REPLICASETS, DEPLOYMENTS, DAEMONSETS, STATEFULSETS, CONTROLLERREVISIONS,
            LEASES, JOBS, CRONJOBS, PODDISRUPTIONBUDGETS, PRIORITYCLASSES, ENDPOINTSLICES, STORAGECLASSES,
            INGRESSES, INGRESSCLASSES, NETWORKPOLICIES, ROLES, CLUSTERROLES, ROLEBINDINGS, CLUSTERROLEBINDINGS,
            HORIZONTALPODAUTOSCALERS, VALIDATINGADMISSIONPOLICIES, VALIDATINGADMISSIONPOLICYBINDINGS,
            FLOWSCHEMAS, PRIORITYLEVELCONFIGURATIONS, CERTIFICATESIGNINGREQUESTS);

    /** events.k8s.io/v1 Event: served as a view of the stored core/v1 Event. */
    public static final ResourceType EVENTS_V1 = new ResourceType("events.k8s.io", "v1", "events", "event", "Event", true, EventsV1Event.class, List.of("ev"), List.of());
    /** autoscaling/v1 HorizontalPodAutoscaler: served as a view of the stored autoscaling/v2 one. */
    public static final ResourceType HORIZONTALPODAUTOSCALERS_V1 = new ResourceType("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler",
            "HorizontalPodAutoscaler", true, AutoscalingV1HorizontalPodAutoscaler.class, List.of("hpa"), List.of("all"));
    /**
     * Other versions of stored kinds, each converted to and from the one version the kind is stored in (an
     * entry of {@link #ALL} with the same resource name); not stored, watched or collected on their own.
     */
    public static final List<ResourceType> VIEWS = List.of(EVENTS_V1, HORIZONTALPODAUTOSCALERS_V1);

    /**
     * The resource metrics API (metrics.k8s.io/v1beta1), read-only (get, list) and not stored: the apiserver
     * builds it from the kubelets, as metrics-server does. Not in {@link #ALL}, which the generic registry serves.
     */
    public static final ResourceType NODEMETRICS = new ResourceType("metrics.k8s.io", "v1beta1", "nodes", "", "NodeMetrics", false, NodeMetrics.class, List.of(), List.of());
    public static final ResourceType PODMETRICS = new ResourceType("metrics.k8s.io", "v1beta1", "pods", "", "PodMetrics", true, PodMetrics.class, List.of(), List.of());
    public static final List<ResourceType> METRICS = List.of(NODEMETRICS, PODMETRICS);

    private static final Map<String, ResourceType> BY_RESOURCE = ALL.stream().collect(Collectors.toMap(ResourceType::resource, Function.identity()));
    private static final Map<Class<?>, ResourceType> BY_CLASS = java.util.stream.Stream.concat(ALL.stream(), VIEWS.stream())
            .collect(Collectors.toMap(ResourceType::type, Function.identity()));

    private ResourceTypes() {
    }

    private static ResourceType core(String resource, String singular, String kind, boolean namespaced, Class<? extends KubeObject> type, List<String> shortNames, List<String> categories) {
        return new ResourceType("", "v1", resource, singular, kind, namespaced, type, shortNames, categories);
    }

    private static ResourceType rbac(String resource, String singular, String kind, boolean namespaced, Class<? extends KubeObject> type) {
        return new ResourceType("rbac.authorization.k8s.io", "v1", resource, singular, kind, namespaced, type, List.of(), List.of());
    }

    /** The resource with this plural name (resource names are unique across kube4j's groups). */
    public static Optional<ResourceType> byResource(String resource) {
        return Optional.ofNullable(BY_RESOURCE.get(resource));
    }

    /** The view served at {@code group}/{@code version}/{@code resource}, if that is one of {@link #VIEWS}. */
    public static Optional<ResourceType> view(String group, String version, String resource) {
        return VIEWS.stream().filter(v -> v.group().equals(group) && v.version().equals(version) && v.resource().equals(resource)).findFirst();
    }

    /** The resource whose Java type is {@code type}. */
    public static ResourceType of(Class<? extends KubeObject> type) {
        ResourceType rt = BY_CLASS.get(type);
        if (rt == null) {
            throw new IllegalArgumentException("not a served resource type: " + type.getName());
        }
        return rt;
    }
}
