package io.kube4j.apiserver.table;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One representative object per kind, printed through {@link TableConverter} at a fixed instant, against the
 * columns and cells Kubernetes 1.32's pkg/printers/internalversion/printers.go gives for it (each case names the
 * Go function it follows; the values were worked out by hand from that function). Columns are written
 * {@code Name}, with {@code :integer}/{@code :boolean}/{@code :date} for non-string types and {@code *} for
 * priority 1 (shown by {@code -o wide}); cells are the JSON array of the row, numbers and booleans unquoted.
 */
class PrintersTest {
    /** Every object is created at 00:00 and printed at 01:00, so Age is {@code 60m}. */
    static final Instant NOW = Instant.parse("2025-01-01T01:00:00Z");
    static final String META = "'creationTimestamp':'2025-01-01T00:00:00Z'";

    record Case(String resource, String kubernetesFunction, String object, List<String> columns, String cells) {
        @Override
        public String toString() {
            return resource + " (" + kubernetesFunction + "): " + cells;
        }
    }

    static Case c(String resource, String function, String object, List<String> columns, String cells) {
        return new Case(resource, function, object.replace("META", META), columns, cells);
    }

    static final List<String> POD = List.of("Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*");
    static final List<String> PV = List.of("Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode*");
    static final List<String> PVC = List.of("Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode*");
    static final List<String> JOB = List.of("Name", "Status", "Completions", "Duration", "Age", "Containers*", "Images*", "Selector*");
    static final List<String> CRONJOB = List.of("Name", "Schedule", "Timezone", "Suspend:boolean", "Active:integer", "Last Schedule", "Age", "Containers*", "Images*", "Selector*");
    static final List<String> DEFAULT = List.of("Name", "Created At:date");
    static final List<String> PDB = List.of("Name", "Min Available", "Max Unavailable", "Allowed Disruptions:integer", "Age");
    static final List<String> SLICE = List.of("Name", "AddressType", "Ports", "Endpoints", "Age");
    static final List<String> INGRESS = List.of("Name", "Class", "Hosts", "Address", "Ports", "Age");
    static final List<String> BINDING = List.of("Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*");
    static final List<String> HPA = List.of("Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age");
    static final List<String> VAPB = List.of("Name", "PolicyName", "ParamRef", "Age");
    static final List<String> SERVICE = List.of("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*");
    static final List<String> EVENT = List.of("Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*", "Name*");

    static Stream<Case> cases() {
        return Stream.of(
                // printConfigMap: data and binaryData keys together
                c("configmaps", "printConfigMap", "{'metadata':{'name':'cfg',META},'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}",
                        List.of("Name", "Data", "Age"), "['cfg',3,'60m']"),
                // printSecret: type and number of data keys
                c("secrets", "printSecret", "{'metadata':{'name':'tls',META},'type':'kubernetes.io/tls','data':{'tls.crt':'YQ==','tls.key':'Yg=='}}",
                        List.of("Name", "Type", "Data", "Age"), "['tls','kubernetes.io/tls',2,'60m']"),
                // printServiceAccount: number of secrets
                c("serviceaccounts", "printServiceAccount", "{'metadata':{'name':'default',META},'secrets':[{'name':'default-token'}]}",
                        List.of("Name", "Secrets", "Age"), "['default',1,'60m']"),
                // printPersistentVolume: canonical capacity, RWO before RWX once each, beta class annotation over storageClassName
                c("persistentvolumes", "printPersistentVolume", "{'metadata':{'name':'pv1',META,'annotations':{'volume.beta.kubernetes.io/storage-class':'fast'}},"
                                + "'spec':{'capacity':{'storage':'1024Mi'},'accessModes':['ReadWriteMany','ReadWriteOnce','ReadWriteOnce'],'persistentVolumeReclaimPolicy':'Retain',"
                                + "'claimRef':{'namespace':'default','name':'data'},'storageClassName':'slow','volumeMode':'Filesystem'},'status':{'phase':'Bound'}}",
                        PV, "['pv1','1Gi','RWO,RWX','Retain','Bound','default/data','fast','<unset>','','60m','Filesystem']"),
                // printPersistentVolume: Terminating while deleted, reason shown, no claim
                c("persistentvolumes", "printPersistentVolume", "{'metadata':{'name':'pv2',META,'deletionTimestamp':'2025-01-01T00:30:00Z'},"
                                + "'spec':{'capacity':{'storage':'5Gi'},'accessModes':['ReadWriteOncePod'],'persistentVolumeReclaimPolicy':'Delete','volumeAttributesClassName':'gold'},"
                                + "'status':{'phase':'Failed','reason':'Recycler'}}",
                        PV, "['pv2','5Gi','RWOP','Delete','Terminating','','','gold','Recycler','60m','<unset>']"),
                // printPersistentVolumeClaim: bound claim shows status capacity and access modes
                c("persistentvolumeclaims", "printPersistentVolumeClaim", "{'metadata':{'name':'data',META},'spec':{'volumeName':'pv1','storageClassName':'standard',"
                                + "'volumeAttributesClassName':'gold','volumeMode':'Block','resources':{'requests':{'storage':'1Gi'}}},"
                                + "'status':{'phase':'Bound','accessModes':['ReadWriteOncePod'],'capacity':{'storage':'500Mi'}}}",
                        PVC, "['data','Bound','pv1','500Mi','RWOP','standard','gold','60m','Block']"),
                // printPersistentVolumeClaim: unbound: no capacity nor access modes; deleted: Terminating
                c("persistentvolumeclaims", "printPersistentVolumeClaim", "{'metadata':{'name':'pending',META,'deletionTimestamp':'2025-01-01T00:30:00Z'},"
                                + "'spec':{'resources':{'requests':{'storage':'1Gi'}}},'status':{'phase':'Pending'}}",
                        PVC, "['pending','Terminating','','','','','<unset>','60m','<unset>']"),
                // printReplicationController: selector is a plain label map
                c("replicationcontrollers", "printReplicationController", "{'metadata':{'name':'rc',META},'spec':{'replicas':3,'selector':{'tier':'fe','app':'web'},"
                                + "'template':{'spec':{'containers':[{'name':'a','image':'nginx'},{'name':'b','image':'busybox'}]}}},'status':{'replicas':3,'readyReplicas':2}}",
                        List.of("Name", "Desired:integer", "Current:integer", "Ready:integer", "Age", "Containers*", "Images*", "Selector*"),
                        "['rc',3,3,2,'60m','a,b','nginx,busybox','app=web,tier=fe']"),
                // rest.defaultTableConvertor: LimitRange has no printer in Kubernetes
                c("limitranges", "defaultTableConvertor", "{'metadata':{'name':'limits',META},'spec':{'limits':[{'type':'Container'}]}}",
                        DEFAULT, "['limits','2025-01-01T00:00:00Z']"),
                // printResourceQuota: sorted hard resources, limits.* in Limit, missing usage prints 0
                c("resourcequotas", "printResourceQuota", "{'metadata':{'name':'quota',META},'status':{"
                                + "'hard':{'pods':'10','requests.cpu':'1','limits.memory':'2Gi','requests.memory':'1Gi','limits.cpu':'2'},"
                                + "'used':{'pods':'3','requests.cpu':'500m','requests.memory':'512Mi','limits.cpu':'1'}}}",
                        List.of("Name", "Request", "Limit", "Age"),
                        "['quota','pods: 3/10, requests.cpu: 500m/1, requests.memory: 512Mi/1Gi','limits.cpu: 1/2, limits.memory: 0/2Gi','60m']"),
                // printPodTemplate: no age column; labels sorted
                c("podtemplates", "printPodTemplate", "{'metadata':{'name':'tmpl',META},'template':{'metadata':{'labels':{'b':'2','a':'1'}},"
                                + "'spec':{'containers':[{'name':'c','image':'img'}]}}}",
                        List.of("Name", "Containers", "Images", "Pod Labels"), "['tmpl','c','img','a=1,b=2']"),
                // printDaemonSet
                c("daemonsets", "printDaemonSet", "{'metadata':{'name':'ds',META},'spec':{'selector':{'matchLabels':{'app':'ds'}},"
                                + "'template':{'spec':{'nodeSelector':{'kubernetes.io/os':'linux'},'containers':[{'name':'agent','image':'agent:1'}]}}},"
                                + "'status':{'desiredNumberScheduled':3,'currentNumberScheduled':3,'numberReady':2,'updatedNumberScheduled':3,'numberAvailable':2}}",
                        List.of("Name", "Desired:integer", "Current:integer", "Ready:integer", "Up-to-date:integer", "Available:integer", "Node Selector", "Age",
                                "Containers*", "Images*", "Selector*"),
                        "['ds',3,3,2,3,2,'kubernetes.io/os=linux','60m','agent','agent:1','app=ds']"),
                // printStatefulSet: ready/desired
                c("statefulsets", "printStatefulSet", "{'metadata':{'name':'db',META},'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'db','image':'postgres:16'}]}}},"
                                + "'status':{'readyReplicas':1}}",
                        List.of("Name", "Ready", "Age", "Containers*", "Images*"), "['db','1/3','60m','db','postgres:16']"),
                // printControllerRevision: controller as kind.group/name, lower-cased
                c("controllerrevisions", "printControllerRevision", "{'metadata':{'name':'db-7d4b9c',META,'ownerReferences':["
                                + "{'apiVersion':'v1','kind':'Pod','name':'other'},{'apiVersion':'apps/v1','kind':'StatefulSet','name':'db','controller':true}]},'revision':2}",
                        List.of("Name", "Controller", "Revision", "Age"), "['db-7d4b9c','statefulset.apps/db',2,'60m']"),
                c("controllerrevisions", "printControllerRevision", "{'metadata':{'name':'orphan',META},'revision':1}",
                        List.of("Name", "Controller", "Revision", "Age"), "['orphan','<none>',1,'60m']"),
                // printJob: Complete wins over other conditions; duration completion - start
                c("jobs", "printJob", "{'metadata':{'name':'pi',META},'spec':{'completions':1,'parallelism':1,"
                                + "'selector':{'matchLabels':{'batch.kubernetes.io/controller-uid':'abc'}},'template':{'spec':{'containers':[{'name':'pi','image':'perl:5.34'}]}}},"
                                + "'status':{'succeeded':1,'startTime':'2025-01-01T00:00:00Z','completionTime':'2025-01-01T00:00:42Z',"
                                + "'conditions':[{'type':'SuccessCriteriaMet','status':'True'},{'type':'Complete','status':'True'}]}}",
                        JOB, "['pi','Complete','1/1','42s','60m','pi','perl:5.34','batch.kubernetes.io/controller-uid=abc']"),
                // printJob: no completions, parallelism 3: 0/1 of 3; running for 60s
                c("jobs", "printJob", "{'metadata':{'name':'work',META},'spec':{'parallelism':3,'template':{'spec':{'containers':[{'name':'w','image':'busybox'}]}}},"
                                + "'status':{'startTime':'2025-01-01T00:59:00Z'}}",
                        JOB, "['work','Running','0/1 of 3','60s','60m','w','busybox','<none>']"),
                // printJob: suspended before start: no duration
                c("jobs", "printJob", "{'metadata':{'name':'later',META},'spec':{'completions':2,'parallelism':1,'template':{'spec':{'containers':[{'name':'w','image':'busybox'}]}}},"
                                + "'status':{'conditions':[{'type':'Suspended','status':'True'}]}}",
                        JOB, "['later','Suspended','0/2','','60m','w','busybox','<none>']"),
                // printJob: deletion outranks Suspended and FailureTarget
                c("jobs", "printJob", "{'metadata':{'name':'gone',META,'deletionTimestamp':'2025-01-01T00:59:00Z'},'spec':{'completions':1,'parallelism':1,"
                                + "'template':{'spec':{'containers':[{'name':'w','image':'busybox'}]}}},'status':{'conditions':[{'type':'FailureTarget','status':'True'}]}}",
                        JOB, "['gone','Terminating','0/1','','60m','w','busybox','<none>']"),
                c("jobs", "printJob", "{'metadata':{'name':'bad',META},'spec':{'completions':1,'parallelism':1,"
                                + "'template':{'spec':{'containers':[{'name':'w','image':'busybox'}]}}},'status':{'conditions':[{'type':'FailureTarget','status':'True'}]}}",
                        JOB, "['bad','FailureTarget','0/1','','60m','w','busybox','<none>']"),
                // printCronJob
                c("cronjobs", "printCronJob", "{'metadata':{'name':'hello',META},'spec':{'schedule':'*/5 * * * *','timeZone':'Etc/UTC','suspend':false,"
                                + "'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'hello','image':'busybox'}]}}}}},"
                                + "'status':{'active':[{'name':'hello-1'},{'name':'hello-2'}],'lastScheduleTime':'2025-01-01T00:55:00Z'}}",
                        CRONJOB, "['hello','*/5 * * * *','Etc/UTC','False',2,'5m','60m','hello','busybox','<none>']"),
                c("cronjobs", "printCronJob", "{'metadata':{'name':'bare',META},'spec':{'schedule':'@daily','jobTemplate':{'spec':{'template':{'spec':{'containers':[]}}}}}}",
                        CRONJOB, "['bare','@daily','<none>','<unset>',0,'<none>','60m','','','<none>']"),
                // printPodDisruptionBudget: IntOrString bounds, N/A when unset
                c("poddisruptionbudgets", "printPodDisruptionBudget", "{'metadata':{'name':'pdb',META},'spec':{'minAvailable':2},'status':{'disruptionsAllowed':1}}",
                        PDB, "['pdb','2','N/A',1,'60m']"),
                c("poddisruptionbudgets", "printPodDisruptionBudget", "{'metadata':{'name':'pct',META},'spec':{'maxUnavailable':'25%'},'status':{}}",
                        PDB, "['pct','N/A','25%',0,'60m']"),
                // printPriorityClass: PreemptionPolicy is a priority-0 column in Kubernetes
                c("priorityclasses", "printPriorityClass", "{'metadata':{'name':'high',META},'value':1000000,'globalDefault':true,'preemptionPolicy':'Never'}",
                        List.of("Name", "Value:integer", "Global-Default:boolean", "Age", "PreemptionPolicy"), "['high',1000000,true,'60m','Never']"),
                // printFlowSchema: no distinguisher prints <none>, MissingPL is the Dangling condition's status ("?" without it)
                c("flowschemas", "printFlowSchema", "{'metadata':{'name':'probes',META},'spec':{'priorityLevelConfiguration':{'name':'exempt'},'matchingPrecedence':2},"
                                + "'status':{'conditions':[{'type':'Dangling','status':'False'}]}}",
                        List.of("Name", "PriorityLevel", "MatchingPrecedence", "DistinguisherMethod", "Age", "MissingPL"), "['probes','exempt',2,'<none>','60m','False']"),
                c("flowschemas", "printFlowSchema", "{'metadata':{'name':'catch-all',META},'spec':{'priorityLevelConfiguration':{'name':'catch-all'},'matchingPrecedence':10000,"
                                + "'distinguisherMethod':{'type':'ByUser'}}}",
                        List.of("Name", "PriorityLevel", "MatchingPrecedence", "DistinguisherMethod", "Age", "MissingPL"), "['catch-all','catch-all',10000,'ByUser','60m','?']"),
                // printPriorityLevelConfiguration: an exempt level prints <none> for shares and queuing, a rejecting one for queuing
                c("prioritylevelconfigurations", "printPriorityLevelConfiguration", "{'metadata':{'name':'exempt',META},'spec':{'type':'Exempt','exempt':{'nominalConcurrencyShares':0}}}",
                        List.of("Name", "Type", "NominalConcurrencyShares", "Queues", "HandSize", "QueueLengthLimit", "Age"), "['exempt','Exempt','<none>','<none>','<none>','<none>','60m']"),
                c("prioritylevelconfigurations", "printPriorityLevelConfiguration", "{'metadata':{'name':'catch-all',META},'spec':{'type':'Limited','limited':{'nominalConcurrencyShares':5,'limitResponse':{'type':'Reject'}}}}",
                        List.of("Name", "Type", "NominalConcurrencyShares", "Queues", "HandSize", "QueueLengthLimit", "Age"), "['catch-all','Limited',5,'<none>','<none>','<none>','60m']"),
                c("prioritylevelconfigurations", "printPriorityLevelConfiguration", "{'metadata':{'name':'global-default',META},'spec':{'type':'Limited','limited':{'nominalConcurrencyShares':20,"
                                + "'limitResponse':{'type':'Queue','queuing':{'queues':128,'handSize':6,'queueLengthLimit':50}}}}}",
                        List.of("Name", "Type", "NominalConcurrencyShares", "Queues", "HandSize", "QueueLengthLimit", "Age"), "['global-default','Limited',20,128,6,50,'60m']"),
                // printEndpointSlice: three ports at most, a nameless port without number prints *
                c("endpointslices", "printEndpointSlice", "{'metadata':{'name':'web-abc',META},'addressType':'IPv4',"
                                + "'ports':[{'name':'http','port':80},{'name':'https','port':443},{'name':'x'},{'port':9090}],"
                                + "'endpoints':[{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2','10.0.0.3']}]}",
                        SLICE, "['web-abc','IPv4','80,443,x + 1 more...','10.0.0.1,10.0.0.2,10.0.0.3','60m']"),
                c("endpointslices", "printEndpointSlice", "{'metadata':{'name':'empty',META},'addressType':'IPv6','ports':[{}],'endpoints':[]}",
                        SLICE, "['empty','IPv6','*','<unset>','60m']"),
                // printStorageClass: (default) by annotation; Delete and Immediate... when unset
                c("storageclasses", "printStorageClass", "{'metadata':{'name':'local-path',META,'annotations':{'storageclass.kubernetes.io/is-default-class':'true'}},"
                                + "'provisioner':'rancher.io/local-path','volumeBindingMode':'WaitForFirstConsumer'}",
                        List.of("Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"),
                        "['local-path (default)','rancher.io/local-path','Delete','WaitForFirstConsumer',false,'60m']"),
                // printIngress: three hosts at most, empty hosts skipped, sorted unique LB addresses, 80, 443 with TLS
                c("ingresses", "printIngress", "{'metadata':{'name':'web',META},'spec':{'ingressClassName':'nginx','tls':[{'hosts':['a.example.com']}],'rules':["
                                + "{'host':'a.example.com'},{},{'host':'b.example.com'},{'host':'c.example.com'},{'host':'d.example.com'}]},"
                                + "'status':{'loadBalancer':{'ingress':[{'ip':'192.0.2.10'},{'hostname':'lb.example.com'},{'ip':'192.0.2.10'}]}}}",
                        INGRESS, "['web','nginx','a.example.com,b.example.com,c.example.com + 2 more...','192.0.2.10,lb.example.com','80, 443','60m']"),
                c("ingresses", "printIngress", "{'metadata':{'name':'catchall',META},'spec':{'defaultBackend':{'service':{'name':'s','port':{'number':80}}}}}",
                        INGRESS, "['catchall','<none>','*','','80','60m']"),
                // printIngressClass: Kind.apiGroup/name
                c("ingressclasses", "printIngressClass", "{'metadata':{'name':'nginx',META},'spec':{'controller':'k8s.io/ingress-nginx',"
                                + "'parameters':{'apiGroup':'k8s.example.com','kind':'IngressParameters','name':'external-lb'}}}",
                        List.of("Name", "Controller", "Parameters", "Age"), "['nginx','k8s.io/ingress-nginx','IngressParameters.k8s.example.com/external-lb','60m']"),
                // printNetworkPolicy: selector requirements sorted by key, set values sorted
                c("networkpolicies", "printNetworkPolicy", "{'metadata':{'name':'db',META},'spec':{'podSelector':{'matchLabels':{'role':'db'},"
                                + "'matchExpressions':[{'key':'env','operator':'In','values':['prod','dev']},{'key':'canary','operator':'DoesNotExist'}]}}}",
                        List.of("Name", "Pod-Selector", "Age"), "['db','!canary,env in (dev,prod),role=db','60m']"),
                c("networkpolicies", "printNetworkPolicy", "{'metadata':{'name':'all',META},'spec':{'podSelector':{}}}",
                        List.of("Name", "Pod-Selector", "Age"), "['all','<none>','60m']"),
                // rest.defaultTableConvertor: Role and ClusterRole have no printer in Kubernetes
                c("roles", "defaultTableConvertor", "{'metadata':{'name':'reader',META},'rules':[]}", DEFAULT, "['reader','2025-01-01T00:00:00Z']"),
                c("clusterroles", "defaultTableConvertor", "{'metadata':{'name':'view','creationTimestamp':'2025-01-01T00:00:00.000Z'}}", DEFAULT, "['view','2025-01-01T00:00:00Z']"),
                // printRoleBinding: Kind/name, then users, groups, namespace/name service accounts
                c("rolebindings", "printRoleBinding", "{'metadata':{'name':'read',META},'roleRef':{'apiGroup':'rbac.authorization.k8s.io','kind':'ClusterRole','name':'view'},"
                                + "'subjects':[{'kind':'User','name':'jane'},{'kind':'Group','name':'devs'},{'kind':'ServiceAccount','name':'builder','namespace':'ci'},{'kind':'User','name':'joe'}]}",
                        BINDING, "['read','ClusterRole/view','60m','jane, joe','devs','ci/builder']"),
                // printClusterRoleBinding
                c("clusterrolebindings", "printClusterRoleBinding", "{'metadata':{'name':'cluster-admin',META},'roleRef':{'kind':'ClusterRole','name':'cluster-admin'},"
                                + "'subjects':[{'kind':'Group','name':'system:masters'}]}",
                        BINDING, "['cluster-admin','ClusterRole/cluster-admin','60m','','system:masters','']"),
                // printHorizontalPodAutoscaler / formatHPAMetrics: two metrics shown, statuses matched by index; a DecimalSI
                // byte count stays a plain number (Quantity.String of 62914560 is not 60Mi)
                c("horizontalpodautoscalers", "printHorizontalPodAutoscaler", "{'metadata':{'name':'web',META},'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},"
                                + "'minReplicas':1,'maxReplicas':10,'metrics':["
                                + "{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':50}}},"
                                + "{'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','averageValue':'100Mi'}}},"
                                + "{'type':'Pods','pods':{'metric':{'name':'pps'},'target':{'type':'AverageValue','averageValue':'1k'}}}]},"
                                + "'status':{'currentReplicas':2,'currentMetrics':["
                                + "{'type':'Resource','resource':{'name':'cpu','current':{'averageUtilization':12,'averageValue':'120m'}}},"
                                + "{'type':'Resource','resource':{'name':'memory','current':{'averageValue':'62914560'}}}]}}",
                        HPA, "['web','Deployment/web','cpu: 12%/50%, memory: 62914560/100Mi + 1 more...','1',10,2,'60m']"),
                c("horizontalpodautoscalers", "printHorizontalPodAutoscaler", "{'metadata':{'name':'queue',META},'spec':{'scaleTargetRef':{'kind':'Deployment','name':'worker'},"
                                + "'maxReplicas':5,'metrics':["
                                + "{'type':'External','external':{'metric':{'name':'queue'},'target':{'type':'AverageValue','averageValue':'30'}}},"
                                + "{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization'}}}]},"
                                + "'status':{'currentMetrics':[{'type':'External','external':{'current':{'averageValue':'15'}}}]}}",
                        HPA, "['queue','Deployment/worker','15/30 (avg), cpu: <unknown>/<auto>','<unset>',5,0,'60m']"),
                c("horizontalpodautoscalers", "printHorizontalPodAutoscaler", "{'metadata':{'name':'none',META},'spec':{'scaleTargetRef':{'kind':'StatefulSet','name':'db'},'maxReplicas':3}}",
                        HPA, "['none','StatefulSet/db','<none>','<unset>',3,0,'60m']"),
                // printValidatingAdmissionPolicy
                c("validatingadmissionpolicies", "printValidatingAdmissionPolicy", "{'metadata':{'name':'demo',META},'spec':{'paramKind':{'apiVersion':'v1','kind':'ConfigMap'},"
                                + "'validations':[{'expression':'true'},{'expression':'1 < 2'}]}}",
                        List.of("Name", "Validations:integer", "ParamKind", "Age"), "['demo',2,'v1/ConfigMap','60m']"),
                c("validatingadmissionpolicies", "printValidatingAdmissionPolicy", "{'metadata':{'name':'plain',META},'spec':{'validations':[{'expression':'true'}]}}",
                        List.of("Name", "Validations:integer", "ParamKind", "Age"), "['plain',1,'<unset>','60m']"),
                // printValidatingAdmissionPolicyBinding: namespace/name, */name, the selector's Go String(), <unset>
                c("validatingadmissionpolicybindings", "printValidatingAdmissionPolicyBinding", "{'metadata':{'name':'b1',META},'spec':{'policyName':'demo','paramRef':{'name':'limits','namespace':'default'}}}",
                        VAPB, "['b1','demo','default/limits','60m']"),
                c("validatingadmissionpolicybindings", "printValidatingAdmissionPolicyBinding", "{'metadata':{'name':'b2',META},'spec':{'policyName':'demo','paramRef':{'name':'limits'}}}",
                        VAPB, "['b2','demo','*/limits','60m']"),
                c("validatingadmissionpolicybindings", "printValidatingAdmissionPolicyBinding", "{'metadata':{'name':'b3',META},'spec':{'policyName':'demo','paramRef':{"
                                + "'selector':{'matchLabels':{'env':'test'},'matchExpressions':[{'key':'tier','operator':'In','values':['a','b']}]}}}}",
                        VAPB, "['b3','demo','&LabelSelector{MatchLabels:map[string]string{env: test,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:tier,Operator:In,Values:[a b],},},}','60m']"),
                c("validatingadmissionpolicybindings", "printValidatingAdmissionPolicyBinding", "{'metadata':{'name':'b4',META},'spec':{'policyName':'demo'}}",
                        VAPB, "['b4','demo','<unset>','60m']"),

                // ---- kinds kube4j printed before, checked again against 1.32 ----
                // printPod: a ready sidecar (restartable init container) counts in Ready; restarts of sidecars and containers, with the last restart's age
                c("pods", "printPod", "{'metadata':{'name':'web',META},'spec':{'nodeName':'n1','readinessGates':[{'conditionType':'example.com/lb'}],"
                                + "'initContainers':[{'name':'init','image':'busybox'},{'name':'proxy','image':'envoy','restartPolicy':'Always'}],'containers':[{'name':'app','image':'app'}]},"
                                + "'status':{'phase':'Running','podIP':'10.1.0.7','podIPs':[{'ip':'10.1.0.7'},{'ip':'fd00::7'}],"
                                + "'conditions':[{'type':'Initialized','status':'True'},{'type':'Ready','status':'True'},{'type':'example.com/lb','status':'True'}],"
                                + "'initContainerStatuses':[{'name':'init','restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                                + "{'name':'proxy','started':true,'ready':true,'restartCount':1,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T00:50:00Z'}},'state':{'running':{}}}],"
                                + "'containerStatuses':[{'name':'app','ready':true,'restartCount':2,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T00:59:00Z'}},'state':{'running':{}}}]}}",
                        POD, "['web','2/2','Running','3 (60s ago)','60m','10.1.0.7','n1','<none>','1/1']"),
                // printPod: a failing init container names the pod's status and its restarts
                c("pods", "printPod", "{'metadata':{'name':'init',META},'spec':{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{'name':'app'}]},"
                                + "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{'terminated':{'exitCode':0}}},"
                                + "{'name':'i2','restartCount':4,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T00:58:00Z'}},'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}",
                        POD, "['init','0/1','Init:CrashLoopBackOff','4 (2m ago)','60m','<none>','<none>','<none>','<none>']"),
                // printPod: SchedulingGated from the PodScheduled condition
                c("pods", "printPod", "{'metadata':{'name':'gated',META},'spec':{'containers':[{'name':'a'}]},"
                                + "'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':'SchedulingGated'}]}}",
                        POD, "['gated','0/1','SchedulingGated','0','60m','<none>','<none>','<none>','<none>']"),
                // printPod: a deleted pod in a terminal phase is not Terminating
                c("pods", "printPod", "{'metadata':{'name':'dead',META,'deletionTimestamp':'2025-01-01T00:59:00Z'},'spec':{'nodeName':'n2','containers':[{'name':'a'}]},"
                                + "'status':{'phase':'Failed','containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':137}}}]}}",
                        POD, "['dead','0/1','ExitCode:137','0','60m','<none>','n2','<none>','<none>']"),
                // printNode: first InternalIP only, roles sorted, empty roles skipped
                c("nodes", "printNode", "{'metadata':{'name':'n1',META,'labels':{'node-role.kubernetes.io/worker':'','node-role.kubernetes.io/control-plane':'','kubernetes.io/role':''}},"
                                + "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'MemoryPressure','status':'False'},{'type':'Ready','status':'True'}],"
                                + "'addresses':[{'type':'Hostname','address':'n1'},{'type':'InternalIP','address':'10.0.0.2'},{'type':'InternalIP','address':'fd00::2'}],"
                                + "'nodeInfo':{'kubeletVersion':'v1.32.0','osImage':'Debian GNU/Linux 12','kernelVersion':'6.1.0','containerRuntimeVersion':'containerd://1.7.0'}}}",
                        List.of("Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*"),
                        "['n1','Ready,SchedulingDisabled','control-plane,worker','60m','v1.32.0','10.0.0.2','<none>','Debian GNU/Linux 12','6.1.0','containerd://1.7.0']"),
                // printDeployment: Up-to-date and Available are string columns with numeric cells
                c("deployments", "printDeployment", "{'metadata':{'name':'web',META},'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},"
                                + "'template':{'spec':{'containers':[{'name':'a','image':'nginx'}]}}},'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}",
                        List.of("Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"),
                        "['web','2/3',3,2,'60m','a','nginx','app=web']"),
                // printReplicaSet
                c("replicasets", "printReplicaSet", "{'metadata':{'name':'web-abc',META},'spec':{'replicas':3,'selector':{'matchLabels':{'pod-template-hash':'abc','app':'web'}},"
                                + "'template':{'spec':{'containers':[{'name':'a','image':'nginx'}]}}},'status':{'replicas':3,'readyReplicas':3}}",
                        List.of("Name", "Desired:integer", "Current:integer", "Ready:integer", "Age", "Containers*", "Images*", "Selector*"),
                        "['web-abc',3,3,3,'60m','a','nginx','app=web,pod-template-hash=abc']"),
                // printService / getServiceExternalIP: load balancer addresses then external IPs
                c("services", "printService", "{'metadata':{'name':'lb',META},'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],"
                                + "'externalIPs':['198.51.100.7'],'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,'protocol':'UDP'}],'selector':{'app':'web'}},"
                                + "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.5'}]}}}",
                        SERVICE, "['lb','LoadBalancer','10.96.0.10','203.0.113.5,198.51.100.7','80:30080/TCP,53/UDP','60m','app=web']"),
                c("services", "printService", "{'metadata':{'name':'ext',META},'spec':{'type':'ExternalName','externalName':'db.example.com'}}",
                        SERVICE, "['ext','ExternalName','<none>','db.example.com','<none>','60m','<none>']"),
                // printEndpoints / formatEndpoints: every address for each port in turn, three at most
                c("endpoints", "printEndpoints", "{'metadata':{'name':'web',META},'subsets':[{'addresses':[{'ip':'10.1.0.1'},{'ip':'10.1.0.2'}],"
                                + "'ports':[{'name':'http','port':80},{'name':'https','port':443}]}]}",
                        List.of("Name", "Endpoints", "Age"), "['web','10.1.0.1:80,10.1.0.2:80,10.1.0.1:443 + 1 more...','60m']"),
                // printEvent (wide)
                c("events", "printEvent", "{'metadata':{'name':'web.17a',META},'involvedObject':{'kind':'Pod','name':'web','fieldPath':'spec.containers{app}'},"
                                + "'reason':'BackOff','message':' Back-off restarting failed container \\n','source':{'component':'kubelet','host':'n1'},"
                                + "'firstTimestamp':'2025-01-01T00:30:00Z','lastTimestamp':'2025-01-01T00:59:00Z','count':7,'type':'Warning'}",
                        EVENT, "['60s','Warning','BackOff','pod/web','spec.containers{app}','kubelet, n1','Back-off restarting failed container','30m',7,'web.17a']"),
                // printEvent: events.k8s.io-style event: eventTime, reporting controller and instance, count 1
                c("events", "printEvent", "{'metadata':{'name':'p.1',META},'involvedObject':{'kind':'Pod','name':'p'},'reason':'Scheduled','message':'ok','type':'Normal',"
                                + "'eventTime':'2025-01-01T00:58:00.000000Z','reportingComponent':'default-scheduler','reportingInstance':'default-scheduler-n1'}",
                        EVENT, "['2m','Normal','Scheduled','pod/p','','default-scheduler, default-scheduler-n1','ok','2m',1,'p.1']"),
                // printNamespace, printLease
                c("namespaces", "printNamespace", "{'metadata':{'name':'default',META},'status':{'phase':'Active'}}",
                        List.of("Name", "Status", "Age"), "['default','Active','60m']"),
                c("leases", "printLease", "{'metadata':{'name':'kube-scheduler',META},'spec':{'holderIdentity':'n1_abc'}}",
                        List.of("Name", "Holder", "Age"), "['kube-scheduler','n1_abc','60m']"),
                // printCertificateSigningRequest, extractCSRStatus
                c("certificatesigningrequests", "printCertificateSigningRequest", "{'metadata':{'name':'node-csr-x',META},'spec':{'signerName':"
                                + "'kubernetes.io/kube-apiserver-client-kubelet','username':'system:bootstrap:abcdef','expirationSeconds':86400},"
                                + "'status':{'conditions':[{'type':'Approved','status':'True'}],'certificate':'Zm9v'}}",
                        List.of("Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"),
                        "['node-csr-x','60m','kubernetes.io/kube-apiserver-client-kubelet','system:bootstrap:abcdef','24h','Approved,Issued']"));
    }

    static JsonNode json(String s) {
        return Json.tree(s.replace('\'', '"'));
    }

    static JsonNode print(String resource, String object) {
        ResourceType rt = ResourceTypes.byResource(resource).orElseThrow();
        JsonNode list = Json.tree("{\"items\":[" + object.replace('\'', '"') + "]}");
        return TableConverter.toTable(rt, list, "None", true, NOW);
    }

    static List<String> columns(JsonNode table) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : table.path("columnDefinitions")) {
            String type = c.path("type").asString();
            out.add(c.path("name").asString() + (type.equals("string") ? "" : ":" + type) + (c.path("priority").asInt() > 0 ? "*" : ""));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void printsLikeKubernetes(Case tc) {
        JsonNode table = print(tc.resource(), tc.object());

        assertThat(columns(table)).as("columns of %s", tc.resource()).containsExactlyElementsOf(tc.columns());
        // compared as JSON text: numbers and booleans must be JSON numbers and booleans, whatever their Java width
        assertThat(table.path("rows").get(0).path("cells").toString()).as("cells of %s", tc).isEqualTo(json(tc.cells()).toString());
    }

    @Test
    void everyServedResourceHasItsOwnPrinter() {
        List<String> missing = ResourceTypes.ALL.stream().map(ResourceType::resource).filter(r -> !Printers.isRegistered(r)).toList();

        assertThat(missing).as("resources in ResourceTypes.ALL without a printer in Printers").isEmpty();
    }

    @Test
    void everyServedResourceHasATestCase() {
        List<String> tested = cases().map(Case::resource).distinct().toList();

        assertThat(tested).containsExactlyInAnyOrderElementsOf(ResourceTypes.ALL.stream().map(ResourceType::resource).toList());
    }

    @Test
    void everyPrinterFillsOneCellPerColumn() {
        cases().forEach(tc -> {
            JsonNode table = print(tc.resource(), tc.object());
            assertThat(table.path("rows").get(0).path("cells").size()).as(tc.resource()).isEqualTo(table.path("columnDefinitions").size());
        });
    }

    @Test
    void columnsCarryKubernetesFormatsAndDescriptions() {
        JsonNode pods = print("pods", "{'metadata':{'name':'p'}}");
        JsonNode name = pods.path("columnDefinitions").get(0);
        JsonNode restarts = pods.path("columnDefinitions").get(3);
        JsonNode pvCapacity = print("persistentvolumes", "{'metadata':{'name':'pv'}}").path("columnDefinitions").get(1);
        JsonNode eventName = print("events", "{'metadata':{'name':'e'}}").path("columnDefinitions").get(9);

        assertThat(name.path("format").asString()).isEqualTo("name");
        assertThat(name.path("description").asString()).startsWith("Name must be unique within a namespace.")
                .endsWith("More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names");
        assertThat(restarts.path("type").asString()).isEqualTo("string");
        assertThat(restarts.path("description").asString())
                .isEqualTo("The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.");
        assertThat(pvCapacity.path("description").asString())
                .isEqualTo("capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity");
        assertThat(eventName.path("format").asString()).isEqualTo("name");
        assertThat(eventName.path("priority").asInt()).isEqualTo(1);
    }

    @Test
    void finishedPodsCarryTheCompletedRowCondition() {
        JsonNode succeeded = print("pods", "{'metadata':{'name':'done'},'status':{'phase':'Succeeded'}}").path("rows").get(0);
        JsonNode failed = print("pods", "{'metadata':{'name':'bad'},'status':{'phase':'Failed'}}").path("rows").get(0);
        JsonNode running = print("pods", "{'metadata':{'name':'up'},'status':{'phase':'Running'}}").path("rows").get(0);

        assertThat(succeeded.path("conditions")).isEqualTo(json("[{'type':'Completed','status':'True','reason':'Succeeded','message':'The pod has completed successfully.'}]"));
        assertThat(failed.path("conditions")).isEqualTo(json("[{'type':'Completed','status':'True','reason':'Failed','message':'The pod failed.'}]"));
        assertThat(running.has("conditions")).isFalse();
    }

    @Test
    void unknownResourcesGetTheDefaultTableConvertor() {
        assertThat(Printers.forResource("widgets")).isSameAs(Printers.DEFAULT_TABLE_CONVERTOR);
        assertThat(Printers.isRegistered("widgets")).isFalse();
    }
}
