package io.kube4j.e2e;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes documentation's example manifests ({@code ../shared/corpus/k8s-website-examples}, 312
 * files), each applied with kubectl into its own namespace of a cluster of three hollow nodes (2 CPU
 * each, as {@code expectations.yaml} assumes), then checked against what a Kubernetes 1.32 cluster does
 * with it: every object accepted or refused as there, pods Running/Succeeded or staying Pending,
 * Deployments fully or partly available, Services with a ClusterIP and endpoints. Files are run in
 * small batches (a file with large requests alone) so that one file's pods never crowd out
 * another's, and files sharing a cluster-scoped object or a static volume pool never run together (a real
 * cluster would mix them up too). An object of an API group no 1.32 cluster serves without a CRD (and for
 * which the corpus has none: Gateway API, VolumeSnapshot) must be refused by kubectl with "no matches for
 * kind", as there; {@link #CORRECTIONS} lists where expectations.yaml's default is not what 1.32 does.
 * At least {@link #MIN_PASS_RATE} of the files that 1.32 can serve must pass (the issue's goal is
 * 95%); the failures are printed with
 * their reasons, and so are the files whose API 1.32 does not serve ({@code k8s_132}), which pass
 * either way.
 */
class CorpusIT {
    static final Duration SETTLE = Duration.ofSeconds(Long.getLong("kube4j.corpus.settle-seconds", 40));
    static final int BATCH = Integer.getInteger("kube4j.corpus.batch", 24);
    /** The share of counted files that must behave as on Kubernetes 1.32 (see the assertion). */
    static final double MIN_PASS_RATE = 0.95;

    /**
     * The API groups a default Kubernetes 1.32 kube-apiserver serves (its built-in groups,
     * {@code pkg/controlplane/instance.go} and the apiextensions/aggregator servers). An object of any other
     * group exists on a 1.32 cluster only once a CustomResourceDefinition for it is installed; without one,
     * kubectl refuses it with {@code no matches for kind "..." in version "..."}.
     */
    static final Set<String> BUILT_IN_GROUPS_132 = Set.of("", "admissionregistration.k8s.io", "apiextensions.k8s.io",
            "apiregistration.k8s.io", "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
            "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
            "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io",
            "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io");

    /**
     * Where {@code expectations.yaml} says less than what a default 1.32 cluster does (its default, "accepted
     * and running", is wrong for these files); merged over its entries. Each with the reason.
     */
    static final Map<String, Map<String, Object>> CORRECTIONS = Map.of(
            // the docs expand $ITEM with sed before applying; as it is, the name is not a DNS-1123 subdomain
            // and 1.32 answers 422 "metadata.name: Invalid value: \"process-item-$ITEM\": a lowercase RFC 1123 subdomain ..."
            "application/job/job-tmpl.yaml", Map.of("expect", Map.of("Job/process-item-$ITEM", "rejected")),
            // the container exits 42, which the podFailurePolicy's first rule turns into FailJob: the docs'
            // point is that the Job ends Failed with reason PodFailurePolicy (pkg/controller/job)
            "controllers/job-pod-failure-policy-example.yaml", Map.of("expect", Map.of("Job/job-pod-failure-policy-example", "failed:PodFailurePolicy")),
            // StorageClass "fast" names provisioner k8s.io/minikube-hostpath, which no default cluster runs: the
            // claims stay Pending ("waiting for a volume to be created, either by external provisioner ..."), so do the pods
            "application/cassandra/cassandra-statefulset.yaml", Map.of("expect", Map.of("StatefulSet/cassandra", "pending")),
            // StorageClass "my-storage-class" does not exist and no PersistentVolume has that class: the claims
            // stay Pending (ProvisioningFailed: storageclass.storage.k8s.io "my-storage-class" not found), so do the pods
            "controllers/statefulset.yaml", Map.of("expect", Map.of("StatefulSet/web", "pending")));

    static Cluster cluster;
    static ApiClient api;
    static Path corpus;
    static Map<String, Map<String, Object>> expectations;
    // the admin's client of the secure cluster, made once the cluster is up
    static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        corpus = findCorpus();
        expectations = readExpectations(corpus.resolveSibling("expectations.yaml"));
        cluster = new Cluster("node-a", "node-b", "node-c").insecure().startControlPlane(List.of());
        for (String node : List.of("node-a", "node-b", "node-c")) {
            cluster.startHollowKubelet(node, "2", "8Gi");
        }
        api = cluster.api;
        http = cluster.adminHttp();
        // what a real cluster runs before any user pod, and what the expectations assume: CoreDNS's two replicas
        // (100m CPU and 70Mi each, on different nodes), so a node has less than its 2 CPUs to give
        post("/apis/apps/v1/namespaces/kube-system/deployments", """
                {"metadata":{"name":"coredns","labels":{"k8s-app":"kube-dns"}},"spec":{"replicas":2,
                 "selector":{"matchLabels":{"k8s-app":"kube-dns"}},"template":{"metadata":{"labels":{"k8s-app":"kube-dns"}},
                 "spec":{"priorityClassName":"system-cluster-critical","affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
                 [{"labelSelector":{"matchLabels":{"k8s-app":"kube-dns"}},"topologyKey":"kubernetes.io/hostname"}]}},
                 "containers":[{"name":"coredns","image":"registry.k8s.io/coredns/coredns:v1.11.3",
                 "resources":{"requests":{"cpu":"100m","memory":"70Mi"},"limits":{"memory":"170Mi"}}}]}}}}""");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** {@code shared/corpus/k8s-website-examples}, beside the checkout; the test fails (never skips) without it. */
    static Path findCorpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path c = dir.resolveSibling("shared").resolve("corpus").resolve("k8s-website-examples");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("../shared/corpus/k8s-website-examples not found above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> readExpectations(Path file) throws IOException {
        Map<String, Object> raw = Json.yaml().readValue(Files.readString(file), Map.class);
        Map<String, Map<String, Object>> out = new TreeMap<>();
        raw.forEach((k, v) -> out.put(k, v == null ? Map.of() : (Map<String, Object>) v));
        CORRECTIONS.forEach((path, correction) -> {
            Map<String, Object> merged = new LinkedHashMap<>(out.getOrDefault(path, Map.of()));
            Map<String, Object> expect = new LinkedHashMap<>((Map<String, Object>) merged.getOrDefault("expect", Map.of()));
            expect.putAll((Map<String, Object>) correction.get("expect"));
            merged.put("expect", expect);
            out.put(path, merged);
        });
        return out;
    }

    /** One object of a manifest. */
    record Obj(String kind, String apiVersion, String name, String namespace, JsonNode doc) {
        String id() {
            return kind + "/" + name;
        }
    }

    /** One corpus file under test, its namespace and setup files, and the verdict. */
    static final class Case {
        final String path;
        final String namespace;
        final List<String> setup;
        final Map<String, String> expect;
        final String k8s132;
        final List<Obj> objects;
        /** The objects of the setup files, applied first in the same namespace. */
        final List<Obj> setupObjects = new ArrayList<>();
        String applyOutput = "";
        final List<String> problems = new ArrayList<>();

        Case(String path, int index, Map<String, Object> exp) {
            this.path = path;
            this.namespace = "corpus-" + index;
            @SuppressWarnings("unchecked") List<String> s = (List<String>) exp.getOrDefault("setup", List.of());
            this.setup = s;
            Map<String, String> e = new LinkedHashMap<>();
            Object ex = exp.get("expect");
            if (ex instanceof Map<?, ?> m) {
                m.forEach((k, v) -> e.put(String.valueOf(k), String.valueOf(v)));
            }
            this.expect = e;
            this.k8s132 = exp.get("k8s_132") == null ? null : String.valueOf(exp.get("k8s_132"));
            this.objects = objects(corpus.resolve(path), namespace);
            for (String f : setup) {
                setupObjects.addAll(objects(corpus.resolve(f), namespace));
            }
        }

        /**
         * What this file shares with every other file on the cluster, so two files naming the same one must
         * not run at the same time (a real cluster would mix them up too): its cluster-scoped objects and its
         * setup's ({@code PersistentVolume/task-pv-volume}, {@code StorageClass/fast}), and the static volume
         * pools its volumes and claims draw from ({@code pool/manual}: any claim of a class binds any free
         * volume of that class, whichever namespace the claim is in).
         */
        List<String> sharedKeys() {
            List<String> keys = new ArrayList<>();
            for (Obj o : clusterScoped()) {
                keys.add(o.id());
            }
            // a namespace the file creates or names for itself: files naming the same one never run side by side
            // (one's clean-up would delete the other's namespace)
            for (String ns : namespacesNamed()) {
                keys.add("Namespace/" + ns);
            }
            // an object in a namespace every cluster has (kube-system, kube-public): two files creating the same one
            // would meet as AlreadyExists (bootstrap-token-secret-base64.yaml and -literal.yaml: kube-system/bootstrap-token-5emitj)
            List<String> named = namespacesNamed();
            for (Obj o : allObjects()) {
                if (o.namespace() != null && !o.namespace().equals(namespace) && !named.contains(o.namespace())) {
                    keys.add(o.kind() + "/" + o.namespace() + "/" + o.name());
                }
            }
            for (Obj o : allObjects()) {
                String cls = switch (o.kind()) {
                    case "PersistentVolume", "PersistentVolumeClaim" -> o.doc().path("spec").path("storageClassName").asString("");
                    default -> "";
                };
                if (!cls.isEmpty()) {
                    keys.add("pool/" + cls);
                }
                for (JsonNode t : o.doc().path("spec").path("volumeClaimTemplates")) {
                    String c = t.path("spec").path("storageClassName").asString("");
                    if (!c.isEmpty()) {
                        keys.add("pool/" + c);
                    }
                }
            }
            return keys.stream().distinct().toList();
        }

        /** The file's and its setup's objects. */
        List<Obj> allObjects() {
            List<Obj> all = new ArrayList<>(setupObjects);
            all.addAll(objects);
            return all;
        }

        /** The cluster-scoped objects of the file and its setup (namespaces apart: see {@link #ownNamespaces()}). */
        List<Obj> clusterScoped() {
            return allObjects().stream().filter(o -> !o.kind().equals("Namespace")
                    && typeOf(o.apiVersion(), o.kind()).map(rt -> !rt.namespaced()).orElse(false)).toList();
        }

        boolean sharesWith(Case other) {
            List<String> mine = sharedKeys();
            return other.sharedKeys().stream().anyMatch(mine::contains);
        }

        boolean heavy() {
            return objects.stream().anyMatch(o -> requestsMuch(o.doc()));
        }

        /** The CPU its pods and pod templates request together (replicas counted). */
        double cpu() {
            return objects.stream().mapToDouble(o -> cpuOf(o.doc())).sum();
        }

        /** Namespaces the file's objects name that it does not create itself and the cluster does not have from the start. */
        List<String> ownNamespaces() {
            List<String> created = objects.stream().filter(o -> o.kind().equals("Namespace")).map(Obj::name).toList();
            return objects.stream().map(Obj::namespace).filter(ns -> ns != null && !ns.equals(namespace) && !created.contains(ns)
                    && !List.of("default", "kube-system", "kube-public", "kube-node-lease").contains(ns)).distinct().toList();
        }

        /** The namespaces the file creates and those it names without creating them ({@link #ownNamespaces()}). */
        List<String> namespacesNamed() {
            List<String> all = new ArrayList<>(ownNamespaces());
            objects.stream().filter(o -> o.kind().equals("Namespace")).map(Obj::name).forEach(all::add);
            return all.stream().distinct().toList();
        }

        /** The file's objects name their own namespace (then it is applied without -n). */
        boolean ownNamespace() {
            return objects.stream().anyMatch(o -> o.doc().path("metadata").has("namespace") && !"default".equals(o.doc().path("metadata").path("namespace").asString("")));
        }
    }

    static List<Obj> objects(Path file, String defaultNs) {
        List<Obj> out = new ArrayList<>();
        try {
            String text = Files.readString(file);
            for (String part : text.split("(?m)^---\\s*$")) {
                if (part.isBlank() || part.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                    continue;
                }
                JsonNode doc;
                try {
                    doc = Json.yaml().readTree(part);
                } catch (RuntimeException e) {
                    continue;
                }
                if (doc == null || !doc.isObject() || !doc.has("kind")) {
                    continue;
                }
                List<JsonNode> docs = new ArrayList<>();
                if (doc.path("kind").asString().equals("List")) {
                    doc.path("items").forEach(docs::add);
                } else {
                    docs.add(doc);
                }
                for (JsonNode d : docs) {
                    String kind = d.path("kind").asString();
                    Optional<ResourceType> rt = typeOf(d.path("apiVersion").asString(), kind);
                    String ns = d.path("metadata").path("namespace").asString(null);
                    if ("default".equals(ns)) {
                        ns = null;
                    }
                    if (ns == null && rt.map(ResourceType::namespaced).orElse(true)) {
                        ns = defaultNs;
                    }
                    if (rt.isPresent() && !rt.get().namespaced()) {
                        ns = null;
                    }
                    out.add(new Obj(kind, d.path("apiVersion").asString(), d.path("metadata").path("name").asString(""), ns, d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Optional<ResourceType> typeOf(String apiVersion, String kind) {
        // the stored kinds and the other versions served as views of them (autoscaling/v1, events.k8s.io/v1)
        Optional<ResourceType> builtIn = Stream.concat(ResourceTypes.ALL.stream(), ResourceTypes.VIEWS.stream())
                .filter(rt -> rt.kind().equals(kind) && rt.apiVersion().equals(apiVersion)).findFirst();
        return builtIn.isPresent() ? builtIn : discovered(apiVersion, kind);
    }

    /** Kinds served now that kube4j has no Java type for (CRDs and custom resources), found by discovery. */
    static final Map<String, ResourceType> DISCOVERED = new java.util.concurrent.ConcurrentHashMap<>();

    static Optional<ResourceType> discovered(String apiVersion, String kind) {
        ResourceType known = DISCOVERED.get(apiVersion + "/" + kind);
        if (known != null || cluster == null || apiVersion == null || !apiVersion.contains("/")) {
            return Optional.ofNullable(known);
        }
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        for (JsonNode r : get("/apis/" + apiVersion).path("resources")) {
            if (r.path("kind").asString("").equals(kind) && !r.path("name").asString("").contains("/")) {
                ResourceType rt = new ResourceType(group, version, r.path("name").asString(), r.path("singularName").asString(""), kind,
                        r.path("namespaced").asBoolean(), io.kube4j.api.KubeObject.class, List.of(), List.of());
                DISCOVERED.put(apiVersion + "/" + kind, rt); // only what is served: a CRD applied later is looked up again
                return Optional.of(rt);
            }
        }
        return Optional.empty();
    }

    /** The corpus files that define CRDs, by the group/kind they define. */
    static final Map<String, String> CRD_FILES = new TreeMap<>();

    /**
     * A file of custom resources is applied after the file with its CRD, as the docs do (kubectl apply the
     * definition, then the resources): the CRD file is applied first and waited for until Established.
     */
    static synchronized void applyCrdsOf(Case c) throws IOException, InterruptedException {
        for (Obj o : c.objects) {
            String group = o.apiVersion() == null || !o.apiVersion().contains("/") ? "" : o.apiVersion().substring(0, o.apiVersion().indexOf('/'));
            String file = CRD_FILES.get(group + "/" + o.kind());
            if (file != null && !file.equals(c.path) && typeOf(o.apiVersion(), o.kind()).isEmpty()) {
                kubectl(List.of("apply", "-f", corpus.resolve(file).toString()));
                for (Obj crd : objects(corpus.resolve(file), null)) {
                    if (crd.kind().equals("CustomResourceDefinition")) {
                        kubectl(List.of("wait", "--for=condition=Established", "crd/" + crd.name(), "--timeout=10s"));
                    }
                }
            }
        }
    }

    static double cpuOf(JsonNode doc) {
        double cpu = 0;
        for (JsonNode cs : doc.findValues("containers")) {
            for (JsonNode c : cs) {
                JsonNode req = c.path("resources").path("requests");
                cpu += cpu(req.path("cpu").asString(c.path("resources").path("limits").path("cpu").asString("0")));
            }
        }
        return cpu * Math.max(1, doc.path("spec").path("replicas").asInt(1));
    }

    /** A pod template or pod asking for half a CPU or more, or 1Gi or more, in total: run it alone. */
    static boolean requestsMuch(JsonNode doc) {
        List<JsonNode> containers = new ArrayList<>();
        doc.findValues("containers").forEach(cs -> cs.forEach(containers::add));
        int replicas = Math.max(1, doc.path("spec").path("replicas").asInt(1));
        double cpu = 0;
        double mem = 0;
        for (JsonNode c : containers) {
            JsonNode req = c.path("resources").path("requests");
            JsonNode lim = c.path("resources").path("limits");
            cpu += cpu(req.path("cpu").asString(lim.path("cpu").asString("0")));
            mem += mem(req.path("memory").asString(lim.path("memory").asString("0")));
        }
        return cpu * replicas >= 0.5 || mem * replicas >= 1024.0 * 1024 * 1024;
    }

    static double cpu(String q) {
        try {
            return io.kube4j.quantity.Quantity.parse(q).exact().doubleValue();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static double mem(String q) {
        return cpu(q);
    }

    @Test
    void theDocumentationExamplesBehaveAsOnKubernetes132() throws Exception {
        List<Case> cases = new ArrayList<>();
        List<String> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            // -Dcorpus.only=<folder prefix> runs a part of the corpus (e.g. customresourcedefinition/) while working on it
            String only = System.getProperty("corpus.only", "");
            files = s.filter(p -> p.toString().endsWith(".yaml")).map(p -> corpus.relativize(p).toString()).filter(f -> f.startsWith(only)).sorted().toList();
        }
        Set<String> groups = new java.util.HashSet<>();
        for (String f : files) {
            for (Obj o : objects(corpus.resolve(f), "default")) {
                if (o.kind().equals("CustomResourceDefinition")) {
                    groups.add(o.doc().path("spec").path("group").asString(""));
                }
            }
        }
        crdGroups = Set.copyOf(groups);
        int i = 0;
        for (String f : files) {
            cases.add(new Case(f, i++, expectations.getOrDefault(f, Map.of())));
        }
        for (Case c : cases) {
            for (Obj o : c.objects) {
                if (o.kind().equals("CustomResourceDefinition")) {
                    JsonNode spec = o.doc().path("spec");
                    CRD_FILES.put(spec.path("group").asString("") + "/" + spec.path("names").path("kind").asString(""), c.path);
                }
            }
        }
        List<List<Case>> batches = new ArrayList<>();
        List<Case> light = new ArrayList<>();
        for (Case c : cases) {
            if (c.heavy()) {
                batches.add(List.of(c));
            } else {
                light.add(c);
            }
        }
        // light files share a batch while they ask for at most 2.5 of the cluster's 6 CPUs together
        List<Case> current = new ArrayList<>();
        double cpu = 0;
        for (Case c : light) {
            boolean shares = current.stream().anyMatch(c::sharesWith);
            if (!current.isEmpty() && (current.size() == BATCH || cpu + c.cpu() > 2.5 || shares)) {
                batches.add(current);
                current = new ArrayList<>();
                cpu = 0;
            }
            current.add(c);
            cpu += c.cpu();
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        long t0 = System.nanoTime();
        int n = 0;
        for (List<Case> batch : batches) {
            run(batch);
            n++;
            long bad = batch.stream().filter(c -> c.k8s132 == null && !c.problems.isEmpty()).count();
            System.out.printf("corpus batch %d/%d (%d files, %d failing) at %d s%n", n, batches.size(), batch.size(), bad,
                    Duration.ofNanos(System.nanoTime() - t0).toSeconds());
        }
        List<Case> counted = cases.stream().filter(c -> c.k8s132 == null).toList();
        List<Case> failed = counted.stream().filter(c -> !c.problems.isEmpty()).toList();
        StringBuilder report = new StringBuilder();
        report.append(String.format("corpus: %d files, %d counted, %d passed (%.1f%%), %d failed; %d not served by 1.32; %d batches in %d s%n",
                cases.size(), counted.size(), counted.size() - failed.size(), 100.0 * (counted.size() - failed.size()) / counted.size(), failed.size(),
                cases.size() - counted.size(), batches.size(), Duration.ofNanos(System.nanoTime() - t0).toSeconds()));
        for (Case c : failed) {
            report.append("  FAIL ").append(c.path).append(": ").append(String.join("; ", c.problems)).append('\n');
        }
        for (Case c : cases) {
            if (c.k8s132 != null) {
                report.append("  (1.32 does not serve) ").append(c.path).append(": ").append(c.k8s132)
                        .append(c.problems.isEmpty() ? "" : " [kube4j: " + String.join("; ", c.problems) + "]").append('\n');
            }
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "corpus-report.txt"), report.toString());
        // The issue's target, 95%: measured 99.7% (300 of 301) in 309 s on this machine (2 cores, other tests running);
        // what fails is listed in the report.
        assertThat(counted.size() - failed.size()).as(report.toString()).isGreaterThanOrEqualTo((int) Math.ceil(counted.size() * MIN_PASS_RATE));
    }

    /** Applies a batch, waits until every expectation holds or {@link #SETTLE} passes, records problems, cleans up. */
    void run(List<Case> batch) throws Exception {
        long t0 = System.nanoTime();
        // a heavy file starts on empty nodes, and a namespace another file named again must be gone first
        List<String> reused = draining.stream().flatMap(c -> c.ownNamespaces().stream()).toList();
        boolean sharesWithDraining = batch.stream().anyMatch(c -> draining.stream().anyMatch(c::sharesWith));
        if (sharesWithDraining || batch.stream().anyMatch(Case::heavy) || batch.stream().flatMap(c -> c.ownNamespaces().stream()).anyMatch(reused::contains)) {
            // a file sharing a volume pool with one being cleaned up waits for that file's namespace to be gone:
            // until then its claims still exist and would take the new file's volumes
            List<Case> sharing = draining.stream().filter(d -> batch.stream().anyMatch(d::sharesWith)).toList();
            drain(draining, sharing);
        }
        long tDrained = System.nanoTime();
        // The files of a batch share nothing (see Case#sharedKeys), so they are applied side by side: each file's
        // own steps stay in order, and the batch no longer waits for one kubectl process after another (CI spent
        // most of the corpus's 16 minutes in ~1 s kubectl starts, 24 files and their setups one by one).
        forEachConcurrently(batch, c -> {
            post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + c.namespace + "\"}}");
            // a file that names its own namespace (the docs create it first with kubectl create namespace)
            for (String ns : c.ownNamespaces()) {
                postIfAbsent("/api/v1/namespaces", "/api/v1/namespaces/" + ns, "{\"metadata\":{\"name\":\"" + ns + "\"}}");
            }
            for (String s : c.setup) {
                kubectl(List.of("apply", "-n", c.namespace, "-f", inTestNamespace(corpus.resolve(s)).toString()));
            }
            applyCrdsOf(c);
            List<String> args = new ArrayList<>(List.of("apply"));
            if (!c.ownNamespace()) {
                args.addAll(List.of("-n", c.namespace));
            }
            args.addAll(List.of("-f", inTestNamespace(corpus.resolve(c.path)).toString()));
            c.applyOutput = kubectl(args);
        });
        long tApplied = System.nanoTime();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        boolean first = true;
        String slowest = "";
        while (true) {
            boolean allDone = true;
            for (Case c : batch) {
                c.problems.clear();
                check(c);
                // a file 1.32 does not serve keeps its refusal: nothing to wait for
                allDone &= c.problems.isEmpty() || c.k8s132 != null;
                if (!c.problems.isEmpty() && c.k8s132 == null) {
                    slowest = c.path + ": " + c.problems.getFirst();
                }
            }
            // a "pending" object must still be pending after a while, not only at the first look
            boolean waitsForPending = batch.stream().anyMatch(c -> c.expect.containsValue("pending"));
            if ((allDone && !(first && waitsForPending)) || System.nanoTime() > deadline) {
                break;
            }
            first = false;
            Thread.sleep(waitsForPending && allDone ? 8000 : 1000);
        }
        long tSettled = System.nanoTime();
        // what `kubectl delete namespace --wait=false` sends, without a kubectl process per namespace
        ResourceType namespaces = typeOf("v1", "Namespace").orElseThrow();
        forEachConcurrently(batch, c -> {
            delete(namespaces, new Obj("Namespace", "v1", c.namespace, null, null));
            for (String ns : c.ownNamespaces()) {
                delete(namespaces, new Obj("Namespace", "v1", ns, null, null));
            }
            for (Obj o : c.allObjects()) {
                if (o.namespace() == null || !o.namespace().equals(c.namespace)) {
                    typeOf(o.apiVersion(), o.kind()).ifPresent(rt -> delete(rt, o));
                }
            }
        });
        draining.addAll(batch);
        // where a batch's time went, to keep the corpus's run short: waiting for the previous files to be gone,
        // applying, waiting for the expected states (and the last file that was not there yet)
        System.out.printf("  drain %d s, apply %d s, settle %d s, clean up %d s%s%n", Duration.ofNanos(tDrained - t0).toSeconds(),
                Duration.ofNanos(tApplied - tDrained).toSeconds(), Duration.ofNanos(tSettled - tApplied).toSeconds(),
                Duration.ofNanos(System.nanoTime() - tSettled).toSeconds(), slowest.isEmpty() ? "" : " (last: " + slowest + ")");
    }

    /** How many files of a batch are applied or cleaned up at once ({@code -Dkube4j.corpus.apply-threads}). */
    static final int APPLY_THREADS = Integer.getInteger("kube4j.corpus.apply-threads", 4);

    /** One file's step that may run kubectl. */
    interface CaseStep {
        void run(Case c) throws Exception;
    }

    /**
     * Runs {@code step} for every case, {@link #APPLY_THREADS} at a time; the first failure is rethrown. The files
     * of a batch share nothing, not even a namespace ({@link Case#sharedKeys()}), so their order does not matter.
     */
    static void forEachConcurrently(List<Case> batch, CaseStep step) throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(APPLY_THREADS)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (Case c : batch) {
                done.add(pool.submit(() -> {
                    step.run(c);
                    return null;
                }));
            }
            for (var f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        }
    }

    /** Cases cleaned up but maybe not gone yet: light batches run beside them, heavy ones wait. */
    final List<Case> draining = new ArrayList<>();

    /**
     * Waits (up to 60 s) until the pods of {@code cases}, the namespaces they named and their cluster-scoped
     * objects (a PersistentVolume goes only once its claim has, through its protection finalizer) are gone,
     * and the namespaces of {@code wholeNamespace} themselves (their claims with them).
     */
    void drain(List<Case> cases, List<Case> wholeNamespace) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until && (wholeNamespace.stream().anyMatch(c -> get("/api/v1/namespaces/" + c.namespace).has("metadata"))
                || cases.stream().anyMatch(c -> !get("/api/v1/namespaces/" + c.namespace + "/pods").path("items").isEmpty()
                || c.namespacesNamed().stream().anyMatch(ns -> get("/api/v1/namespaces/" + ns).has("metadata"))
                || c.clusterScoped().stream().anyMatch(o -> typeOf(o.apiVersion(), o.kind()).map(rt -> get(path(rt, o)).has("metadata")).orElse(false))))) {
            Thread.sleep(500);
        }
        cases.clear();
    }

    /** The API groups the corpus defines a CustomResourceDefinition for (a default cluster serves none of them). */
    static Set<String> crdGroups = Set.of();

    /** The group of an apiVersion ("" for core). */
    static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    void check(Case c) {
        for (Obj o : c.objects) {
            String want = c.expect.getOrDefault(o.id(), "default");
            Optional<ResourceType> rt = typeOf(o.apiVersion(), o.kind());
            if (!c.expect.containsKey(o.id()) && !BUILT_IN_GROUPS_132.contains(group(o.apiVersion())) && !crdGroups.contains(group(o.apiVersion()))) {
                // no CRD for it anywhere: 1.32's kubectl finds no resource for the kind and refuses it, and so must kube4j's
                String refusal = "no matches for kind \"" + o.kind() + "\" in version \"" + o.apiVersion() + "\"";
                if (!c.applyOutput.contains(refusal)) {
                    c.problems.add(o.id() + " not refused with '" + refusal + "' as by Kubernetes without its CRD: " + applyError(c, o));
                }
                continue;
            }
            JsonNode live = rt.map(t -> get(path(t, o))).orElse(null);
            boolean exists = live != null && live.has("metadata");
            if (want.equals("rejected")) {
                if (exists) {
                    c.problems.add(o.id() + " accepted, Kubernetes refuses it");
                }
                continue;
            }
            if (!exists) {
                c.problems.add(o.id() + " refused or missing: " + applyError(c, o));
                continue;
            }
            if (want.equals("any")) {
                continue;
            }
            String state = state(rt.get(), live, c);
            if (want.startsWith("failed:")) {
                // a Job that Kubernetes ends Failed, with this reason
                String reason = want.substring("failed:".length());
                if (!state.equals("failed: " + reason)) {
                    c.problems.add(o.id() + " is " + state + ", Kubernetes fails it with reason " + reason);
                }
                continue;
            }
            switch (want) {
                case "pending" -> {
                    if (!state.equals("pending")) {
                        c.problems.add(o.id() + " is " + state + ", Kubernetes keeps it pending");
                    }
                }
                case "partial" -> {
                    if (!state.equals("partial")) {
                        c.problems.add(o.id() + " is " + state + ", Kubernetes reaches partial availability");
                    }
                }
                default -> {
                    if (!state.equals("ready")) {
                        c.problems.add(o.id() + " is " + state);
                    }
                }
            }
        }
    }

    static String applyError(Case c, Obj o) {
        for (String line : c.applyOutput.lines().toList()) {
            if (line.contains(o.name()) && (line.startsWith("Error") || line.startsWith("error"))) {
                return line;
            }
        }
        return c.applyOutput.lines().filter(l -> l.startsWith("Error") || l.startsWith("error")).findFirst().orElse("(no error printed)");
    }

    /** ready, partial, pending, or a short description of what is wrong. */
    static String state(ResourceType rt, JsonNode o, Case c) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        switch (rt.kind()) {
            case "Pod" -> {
                String phase = status.path("phase").asString("");
                return phase.equals("Running") || phase.equals("Succeeded") ? "ready" : phase.equals("Pending") ? "pending" : "phase " + phase;
            }
            case "Deployment", "ReplicaSet", "StatefulSet", "ReplicationController" -> {
                int want = spec.path("replicas").asInt(1);
                int avail = rt.kind().equals("StatefulSet") ? status.path("readyReplicas").asInt(0) : status.path("availableReplicas").asInt(0);
                return avail >= want ? "ready" : avail > 0 ? "partial" : "pending";
            }
            case "DaemonSet" -> {
                int desired = status.path("desiredNumberScheduled").asInt(0);
                int avail = status.path("numberAvailable").asInt(0);
                // a DaemonSet whose node selector matches no node has nothing to run, on Kubernetes too
                boolean observed = status.path("observedGeneration").asLong(0) >= o.path("metadata").path("generation").asLong(1);
                return observed && avail >= desired ? "ready" : avail > 0 ? "partial" : "pending (desired " + desired + ")";
            }
            case "Job" -> {
                for (JsonNode cond : status.path("conditions")) {
                    if (cond.path("type").asString().equals("Complete") && cond.path("status").asString().equals("True")) {
                        return "ready";
                    }
                    if (cond.path("type").asString().equals("Failed") && cond.path("status").asString().equals("True")) {
                        return "failed: " + cond.path("reason").asString();
                    }
                }
                return status.path("active").asInt(0) > 0 && status.path("ready").asInt(0) > 0 ? "ready" : "pending";
            }
            case "Service" -> {
                String type = spec.path("type").asString("ClusterIP");
                if (!type.equals("ExternalName") && !spec.path("clusterIP").asString("").equals("None") && spec.path("clusterIP").asString("").isEmpty()) {
                    return "without a cluster IP";
                }
                if (spec.path("selector").isEmpty() || !selectsPodsOfFile(spec.path("selector"), c) || podsOfFileExpectedIdle(spec.path("selector"), c)) {
                    return "ready";
                }
                JsonNode ep = get("/api/v1/namespaces/" + o.path("metadata").path("namespace").asString() + "/endpoints/" + o.path("metadata").path("name").asString());
                for (JsonNode subset : ep.path("subsets")) {
                    if (!subset.path("addresses").isEmpty()) {
                        return "ready";
                    }
                }
                return "without endpoints";
            }
            default -> {
                return "ready";
            }
        }
    }

    /** Whether the workloads of the file whose pods the selector picks are expected not to run (pending), so no endpoints either. */
    static boolean podsOfFileExpectedIdle(JsonNode selector, Case c) {
        for (Obj o : c.objects) {
            JsonNode labels = o.kind().equals("Pod") ? o.doc().path("metadata").path("labels") : o.doc().path("spec").path("template").path("metadata").path("labels");
            boolean all = labels.isObject() && !labels.isEmpty();
            for (var e : selector.properties()) {
                all &= e.getValue().asString().equals(labels.path(e.getKey()).asString(null));
            }
            if (all && c.expect.getOrDefault(o.id(), "default").equals("pending")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a pod template or pod of the same file has all of {@code selector}'s labels. */
    static boolean selectsPodsOfFile(JsonNode selector, Case c) {
        for (Obj o : c.objects) {
            JsonNode labels = o.kind().equals("Pod") ? o.doc().path("metadata").path("labels") : o.doc().path("spec").path("template").path("metadata").path("labels");
            boolean all = labels.isObject();
            for (var e : selector.properties()) {
                all &= e.getValue().asString().equals(labels.path(e.getKey()).asString(null));
            }
            if (all && labels.isObject() && !labels.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    static String path(ResourceType rt, Obj o) {
        return rt.objectPath(o.namespace(), o.name());
    }

    static JsonNode get(String path) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(cluster.apiserver.url() + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? Json.tree(r.body()) : Json.mapper().createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void post(String path, String json) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.apiserver.url() + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The file itself, or a copy without {@code namespace: default} lines: the docs create these objects in
     * the default namespace next to the rest of their example, which here is the file's own namespace.
     */
    static Path inTestNamespace(Path file) throws IOException {
        String text = Files.readString(file);
        // only an object's own metadata.namespace moves: a "namespace: default" elsewhere (a FlowSchema's
        // service account subject, a RoleBinding's subject) means that namespace and stays
        List<String> parts = new ArrayList<>();
        boolean changed = false;
        for (String part : text.split("(?m)^---\\s*$")) {
            JsonNode doc = null;
            try {
                doc = Json.yaml().readTree(part);
            } catch (RuntimeException e) {
                // not YAML kube4j reads: kubectl gets it as written
            }
            if (doc != null && doc.isObject() && "default".equals(doc.path("metadata").path("namespace").asString(null))) {
                ((tools.jackson.databind.node.ObjectNode) doc.get("metadata")).remove("namespace");
                // as JSON, which is YAML too: a YAML writer would leave "3600" unquoted and kubectl read a number
                parts.add(Json.write(doc));
                changed = true;
            } else {
                parts.add(part);
            }
        }
        String moved = changed ? String.join("\n---\n", parts) : text;
        if (moved.equals(text)) {
            return file;
        }
        Path copy = Files.createTempFile("corpus", ".yaml");
        Files.writeString(copy, moved);
        return copy;
    }

    static void postIfAbsent(String collection, String object, String json) {
        if (get(object).has("metadata")) {
            return;
        }
        post(collection, json);
    }

    static void delete(ResourceType rt, Obj o) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(cluster.apiserver.url() + path(rt, o))).DELETE().timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs kubectl against the cluster; returns stdout and stderr together. */
    static String kubectl(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--server", cluster.apiserver.url(), "--request-timeout=30s"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
