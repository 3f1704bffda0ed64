package io.kube4j.apiserver.table;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.kube4j.apiserver.table.SwaggerDocs.*;

/**
 * Server-side printing: the columns of every resource kube4j serves and how to fill them, as Kubernetes 1.32's
 * {@code pkg/printers/internalversion/printers.go} defines them ({@code AddHandlers} for the column definitions,
 * the {@code printXxx} functions, here {@link RowPrinters}, for the cells). Kinds Kubernetes has no printer for
 * (limitranges, roles, clusterroles) get the apiserver's default table convertor
 * ({@code apiserver/pkg/registry/rest/table.go}): Name and Created At. The apiserver always prints wide
 * ({@code pkg/printers/storage}), so every row carries the priority-1 cells that {@code kubectl get -o wide} shows.
 */
public final class Printers {
    /** One column: priority 0 always shows, 1 only with {@code -o wide}; type string, integer, boolean or date. */
    public record Column(String name, String type, String format, int priority, String description) {
        static Column string(String name, String description) {
            return new Column(name, "string", "", 0, description);
        }

        static Column integer(String name, String description) {
            return new Column(name, "integer", "", 0, description);
        }

        static Column wide(String name, String description) {
            return new Column(name, "string", "", 1, description);
        }
    }

    /** A metav1.TableRowCondition (Kubernetes sets Completed on finished pods). */
    public record RowCondition(String type, String status, String reason, String message) {
    }

    /** Cells of one row, in column order: String, Long or Boolean. */
    @FunctionalInterface
    public interface Cells {
        List<Object> of(JsonNode obj, Instant now);
    }

    /** The columns of a resource, how to fill them, and the row's conditions. */
    public record Printer(List<Column> columns, Cells cells, Function<JsonNode, List<RowCondition>> conditions) {
        Printer(List<Column> columns, Cells cells) {
            this(columns, cells, o -> List.of());
        }
    }

    private static final Column NAME = new Column("Name", "string", "name", 0, SwaggerDocs.NAME);
    private static final Column AGE = Column.string("Age", CREATION_TIMESTAMP);
    private static final Column CONTAINERS = Column.wide("Containers", "Names of each container in the template.");
    private static final Column IMAGES = Column.wide("Images", "Images referenced by each container in the template.");

    /** rest.NewDefaultTableConvertor: what Kubernetes serves for kinds without a printer. */
    static final Printer DEFAULT_TABLE_CONVERTOR = new Printer(List.of(NAME,
            new Column("Created At", "date", "", 0, CREATION_TIMESTAMP)), RowPrinters::defaultTableConvertor);

    private static final Map<String, Printer> BY_RESOURCE = new HashMap<>();

    static {
        // core/v1
        register("pods", new Printer(List.of(NAME,
                Column.string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                Column.string("Status", "The aggregate status of the containers in this pod."),
                Column.string("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                AGE,
                Column.wide("IP", POD_STATUS_POD_IP),
                Column.wide("Node", POD_SPEC_NODE_NAME),
                Column.wide("Nominated Node", POD_STATUS_NOMINATED_NODE_NAME),
                Column.wide("Readiness Gates", POD_SPEC_READINESS_GATES)), RowPrinters::pod, RowPrinters::podConditions));
        register("podtemplates", new Printer(List.of(NAME,
                Column.string("Containers", "Names of each container in the template."),
                Column.string("Images", "Images referenced by each container in the template."),
                Column.string("Pod Labels", "The labels for the pod template.")), RowPrinters::podTemplate));
        register("replicationcontrollers", new Printer(List.of(NAME,
                Column.integer("Desired", RC_SPEC_REPLICAS),
                Column.integer("Current", RC_STATUS_REPLICAS),
                Column.integer("Ready", RC_STATUS_READY_REPLICAS),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", RC_SPEC_SELECTOR)), RowPrinters::replicationController));
        register("services", new Printer(List.of(NAME,
                Column.string("Type", SERVICE_SPEC_TYPE),
                Column.string("Cluster-IP", SERVICE_SPEC_CLUSTER_IP),
                Column.string("External-IP", SERVICE_SPEC_EXTERNAL_IPS),
                Column.string("Port(s)", SERVICE_SPEC_PORTS),
                AGE,
                Column.wide("Selector", SERVICE_SPEC_SELECTOR)), RowPrinters::service));
        register("endpoints", new Printer(List.of(NAME, Column.string("Endpoints", ENDPOINTS_SUBSETS), AGE), RowPrinters::endpoints));
        register("nodes", new Printer(List.of(NAME,
                Column.string("Status", "The status of the node"),
                Column.string("Roles", "The roles of the node"),
                AGE,
                Column.string("Version", NODE_INFO_KUBELET_VERSION),
                Column.wide("Internal-IP", NODE_STATUS_ADDRESSES),
                Column.wide("External-IP", NODE_STATUS_ADDRESSES),
                Column.wide("OS-Image", NODE_INFO_OS_IMAGE),
                Column.wide("Kernel-Version", NODE_INFO_KERNEL_VERSION),
                Column.wide("Container-Runtime", NODE_INFO_CONTAINER_RUNTIME_VERSION)), RowPrinters::node));
        register("events", new Printer(List.of(
                Column.string("Last Seen", EVENT_LAST_TIMESTAMP),
                Column.string("Type", EVENT_TYPE),
                Column.string("Reason", EVENT_REASON),
                Column.string("Object", EVENT_INVOLVED_OBJECT),
                Column.wide("Subobject", OBJECT_REFERENCE_FIELD_PATH),
                Column.wide("Source", EVENT_SOURCE),
                Column.string("Message", EVENT_MESSAGE),
                Column.wide("First Seen", EVENT_FIRST_TIMESTAMP),
                Column.wide("Count", EVENT_COUNT),
                new Column("Name", "string", "name", 1, SwaggerDocs.NAME)), RowPrinters::event));
        register("namespaces", new Printer(List.of(NAME, Column.string("Status", "The status of the namespace"), AGE), RowPrinters::namespace));
        register("secrets", new Printer(List.of(NAME,
                Column.string("Type", SECRET_TYPE),
                Column.string("Data", SECRET_DATA),
                AGE), RowPrinters::secret));
        register("serviceaccounts", new Printer(List.of(NAME, Column.string("Secrets", SERVICE_ACCOUNT_SECRETS), AGE), RowPrinters::serviceAccount));
        register("persistentvolumes", new Printer(List.of(NAME,
                Column.string("Capacity", PV_SPEC_CAPACITY),
                Column.string("Access Modes", PV_SPEC_ACCESS_MODES),
                Column.string("Reclaim Policy", PV_SPEC_RECLAIM_POLICY),
                Column.string("Status", PV_STATUS_PHASE),
                Column.string("Claim", PV_SPEC_CLAIM_REF),
                Column.string("StorageClass", "StorageClass of the pv"),
                Column.string("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
                Column.string("Reason", PV_STATUS_REASON),
                AGE,
                Column.wide("VolumeMode", PV_SPEC_VOLUME_MODE)), RowPrinters::persistentVolume));
        register("persistentvolumeclaims", new Printer(List.of(NAME,
                Column.string("Status", PVC_STATUS_PHASE),
                Column.string("Volume", PVC_SPEC_VOLUME_NAME),
                Column.string("Capacity", PVC_STATUS_CAPACITY),
                Column.string("Access Modes", PVC_STATUS_ACCESS_MODES),
                Column.string("StorageClass", "StorageClass of the pvc"),
                Column.string("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
                AGE,
                Column.wide("VolumeMode", PVC_SPEC_VOLUME_MODE)), RowPrinters::persistentVolumeClaim));
        register("configmaps", new Printer(List.of(NAME, Column.string("Data", CONFIG_MAP_DATA), AGE), RowPrinters::configMap));
        register("resourcequotas", new Printer(List.of(NAME,
                Column.string("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
                Column.string("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
                AGE), RowPrinters::resourceQuota));
        register("limitranges", DEFAULT_TABLE_CONVERTOR);

        // apps/v1
        register("deployments", new Printer(List.of(NAME,
                Column.string("Ready", "Number of the pod with ready state"),
                Column.string("Up-to-date", DEPLOYMENT_STATUS_UPDATED),
                Column.string("Available", DEPLOYMENT_STATUS_AVAILABLE),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", DEPLOYMENT_SPEC_SELECTOR)), RowPrinters::deployment));
        register("replicasets", new Printer(List.of(NAME,
                Column.integer("Desired", RS_SPEC_REPLICAS),
                Column.integer("Current", RS_STATUS_REPLICAS),
                Column.integer("Ready", RS_STATUS_READY_REPLICAS),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", RS_SPEC_SELECTOR)), RowPrinters::replicaSet));
        register("daemonsets", new Printer(List.of(NAME,
                Column.integer("Desired", DS_STATUS_DESIRED),
                Column.integer("Current", DS_STATUS_CURRENT),
                Column.integer("Ready", DS_STATUS_READY),
                Column.integer("Up-to-date", DS_STATUS_UPDATED),
                Column.integer("Available", DS_STATUS_AVAILABLE),
                Column.string("Node Selector", POD_SPEC_NODE_SELECTOR),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", DS_SPEC_SELECTOR)), RowPrinters::daemonSet));
        register("statefulsets", new Printer(List.of(NAME,
                Column.string("Ready", "Number of the pod with ready state"),
                AGE, CONTAINERS, IMAGES), RowPrinters::statefulSet));
        register("controllerrevisions", new Printer(List.of(NAME,
                Column.string("Controller", "Controller of the object"),
                Column.string("Revision", CONTROLLER_REVISION_REVISION),
                AGE), RowPrinters::controllerRevision));

        // batch/v1
        register("jobs", new Printer(List.of(NAME,
                Column.string("Status", "Status of the job."),
                Column.string("Completions", JOB_STATUS_SUCCEEDED),
                Column.string("Duration", "Time required to complete the job."),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", JOB_SPEC_SELECTOR)), RowPrinters::job));
        register("cronjobs", new Printer(List.of(NAME,
                Column.string("Schedule", CRON_JOB_SPEC_SCHEDULE),
                Column.string("Timezone", CRON_JOB_SPEC_TIME_ZONE),
                new Column("Suspend", "boolean", "", 0, CRON_JOB_SPEC_SUSPEND),
                Column.integer("Active", CRON_JOB_STATUS_ACTIVE),
                Column.string("Last Schedule", CRON_JOB_STATUS_LAST_SCHEDULE_TIME),
                AGE, CONTAINERS, IMAGES,
                Column.wide("Selector", JOB_SPEC_SELECTOR)), RowPrinters::cronJob));

        // policy/v1, scheduling.k8s.io/v1, coordination.k8s.io/v1
        register("poddisruptionbudgets", new Printer(List.of(NAME,
                Column.string("Min Available", "The minimum number of pods that must be available."),
                Column.string("Max Unavailable", "The maximum number of pods that may be unavailable."),
                Column.integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
                AGE), RowPrinters::podDisruptionBudget));
        register("priorityclasses", new Printer(List.of(NAME,
                Column.integer("Value", PRIORITY_CLASS_VALUE),
                new Column("Global-Default", "boolean", "", 0, PRIORITY_CLASS_GLOBAL_DEFAULT),
                AGE,
                // priority 0 in Kubernetes too, although its cell is only filled when printing wide
                Column.string("PreemptionPolicy", PRIORITY_CLASS_PREEMPTION_POLICY)), RowPrinters::priorityClass));
        // flowcontrol.apiserver.k8s.io/v1: every column a string, as Kubernetes declares them
        register("flowschemas", new Printer(List.of(NAME,
                Column.string("PriorityLevel", FS_PRIORITY_LEVEL),
                Column.string("MatchingPrecedence", FS_MATCHING_PRECEDENCE),
                Column.string("DistinguisherMethod", FS_DISTINGUISHER_METHOD),
                AGE,
                Column.string("MissingPL", "references a broken or non-existent PriorityLevelConfiguration")), RowPrinters::flowSchema));
        register("prioritylevelconfigurations", new Printer(List.of(NAME,
                Column.string("Type", PLC_TYPE),
                Column.string("NominalConcurrencyShares", PLC_NOMINAL_CONCURRENCY_SHARES),
                Column.string("Queues", PLC_QUEUES),
                Column.string("HandSize", PLC_HAND_SIZE),
                Column.string("QueueLengthLimit", PLC_QUEUE_LENGTH_LIMIT),
                AGE), RowPrinters::priorityLevelConfiguration));
        // certificates.k8s.io/v1
        register("certificatesigningrequests", new Printer(List.of(NAME, AGE,
                Column.string("SignerName", CSR_SPEC_SIGNER_NAME),
                Column.string("Requestor", CSR_SPEC_REQUEST),
                Column.string("RequestedDuration", CSR_SPEC_EXPIRATION_SECONDS),
                Column.string("Condition", CSR_STATUS_CONDITIONS)), RowPrinters::certificateSigningRequest));
        register("leases", new Printer(List.of(NAME, Column.string("Holder", LEASE_SPEC_HOLDER_IDENTITY), AGE), RowPrinters::lease));

        // discovery.k8s.io/v1, networking.k8s.io/v1, storage.k8s.io/v1
        register("endpointslices", new Printer(List.of(NAME,
                Column.string("AddressType", ENDPOINT_SLICE_ADDRESS_TYPE),
                Column.string("Ports", ENDPOINT_SLICE_PORTS),
                Column.string("Endpoints", ENDPOINT_SLICE_ENDPOINTS),
                AGE), RowPrinters::endpointSlice));
        register("ingresses", new Printer(List.of(NAME,
                Column.string("Class", "The name of the IngressClass resource that should be used for additional configuration"),
                Column.string("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
                Column.string("Address", "Address is a list containing ingress points for the load-balancer"),
                Column.string("Ports", "Ports of TLS configurations that open"),
                AGE), RowPrinters::ingress));
        register("ingressclasses", new Printer(List.of(NAME,
                Column.string("Controller", "Controller that is responsible for handling this class"),
                Column.string("Parameters", "A reference to a resource with additional parameters"),
                AGE), RowPrinters::ingressClass));
        register("networkpolicies", new Printer(List.of(NAME, Column.string("Pod-Selector", NETWORK_POLICY_SPEC_POD_SELECTOR), AGE), RowPrinters::networkPolicy));
        register("storageclasses", new Printer(List.of(NAME,
                Column.string("Provisioner", STORAGE_CLASS_PROVISIONER),
                Column.string("ReclaimPolicy", STORAGE_CLASS_RECLAIM_POLICY),
                Column.string("VolumeBindingMode", STORAGE_CLASS_VOLUME_BINDING_MODE),
                Column.string("AllowVolumeExpansion", STORAGE_CLASS_ALLOW_VOLUME_EXPANSION),
                AGE), RowPrinters::storageClass));

        // rbac.authorization.k8s.io/v1: Kubernetes prints bindings only; roles get the default convertor
        register("rolebindings", new Printer(List.of(NAME,
                Column.string("Role", ROLE_BINDING_ROLE_REF),
                AGE,
                Column.wide("Users", "Users in the roleBinding"),
                Column.wide("Groups", "Groups in the roleBinding"),
                Column.wide("ServiceAccounts", "ServiceAccounts in the roleBinding")), RowPrinters::roleBinding));
        register("clusterrolebindings", new Printer(List.of(NAME,
                Column.string("Role", CLUSTER_ROLE_BINDING_ROLE_REF),
                AGE,
                Column.wide("Users", "Users in the clusterRoleBinding"),
                Column.wide("Groups", "Groups in the clusterRoleBinding"),
                Column.wide("ServiceAccounts", "ServiceAccounts in the clusterRoleBinding")), RowPrinters::roleBinding));
        register("roles", DEFAULT_TABLE_CONVERTOR);
        register("clusterroles", DEFAULT_TABLE_CONVERTOR);

        // autoscaling/v2
        register("horizontalpodautoscalers", new Printer(List.of(NAME,
                Column.string("Reference", HPA_SPEC_SCALE_TARGET_REF),
                Column.string("Targets", HPA_SPEC_METRICS),
                Column.string("MinPods", HPA_SPEC_MIN_REPLICAS),
                Column.string("MaxPods", HPA_SPEC_MAX_REPLICAS),
                Column.string("Replicas", HPA_STATUS_CURRENT_REPLICAS),
                AGE), RowPrinters::horizontalPodAutoscaler));

        // admissionregistration.k8s.io/v1
        register("validatingadmissionpolicies", new Printer(List.of(NAME,
                Column.integer("Validations", "Validations indicates the number of validation rules defined in this configuration"),
                Column.string("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"),
                AGE), RowPrinters::validatingAdmissionPolicy));
        register("validatingadmissionpolicybindings", new Printer(List.of(NAME,
                Column.string("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
                Column.string("ParamRef", "ParamRef indicates the param resource which sets the configration param"),
                AGE), RowPrinters::validatingAdmissionPolicyBinding));
    }

    private Printers() {
    }

    private static void register(String resource, Printer printer) {
        if (BY_RESOURCE.put(resource, printer) != null) {
            throw new IllegalStateException("two printers for " + resource);
        }
    }

    /** The printer for a resource (by plural name); the default table convertor for one without its own. */
    public static Printer forResource(String resource) {
        return BY_RESOURCE.getOrDefault(resource, DEFAULT_TABLE_CONVERTOR);
    }

    /** Whether the resource has a printer registered here (its own, or the default convertor on purpose). */
    public static boolean isRegistered(String resource) {
        return BY_RESOURCE.containsKey(resource);
    }
}
