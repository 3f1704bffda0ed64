package io.kube4j.testcontainers;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies YAML manifests through the Kubernetes API as {@code kubectl apply --server-side --force-conflicts}
 * does: each document is sent as a server-side apply patch ({@code application/apply-patch+yaml}, field
 * manager {@value #FIELD_MANAGER}) to the resource that API discovery names for its kind, so applying the
 * same manifests again (a reused container) changes nothing. CustomResourceDefinitions go first and each is
 * awaited until its {@code Established} condition is {@code True} (as {@code kubectl wait --for
 * condition=Established}), so the manifests after them may use their kinds. Requests carry the admin
 * kubeconfig's client certificate over HTTPS, the server's name checked against its certificate.
 */
final class ManifestApplier {
    static final String FIELD_MANAGER = "testcontainers-kube4j";
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/";

    private final String server;
    private final Duration timeout;
    private final HttpClient http;
    private final Map<String, Map<String, Resource>> discovery = new HashMap<>();

    /** The resource a kind is served as: its plural name and whether it lives in namespaces. */
    record Resource(String plural, boolean namespaced) {
    }

    /**
     * @param server     the apiserver's URL, e.g. {@code https://localhost:32768}
     * @param tls        trusts the cluster's CA and presents the client certificate (see {@link KubeconfigTls#sslContext}),
     *                   or null for the JDK's defaults
     * @param timeout    how long applying everything may take
     */
    ManifestApplier(String server, javax.net.ssl.SSLContext tls, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            http.sslContext(tls);
        }
        this.http = http.build();
    }

    /**
     * @throws IllegalStateException when a document is not a Kubernetes object, its kind is not served, the
     *                               apiserver refuses it, or a CRD is not Established within the timeout
     */
    void apply(List<String> customResourceDefinitions, List<String> manifests) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String yaml : customResourceDefinitions) {
            for (Map<String, Object> crd : documents(yaml)) {
                apply(crd, deadline);
                awaitEstablished(name(crd), deadline);
            }
        }
        for (String yaml : manifests) {
            for (Map<String, Object> doc : documents(yaml)) {
                apply(doc, deadline);
            }
        }
    }

    /** The non-empty documents of a (multi-document) YAML text. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (o == null) {
                continue;
            }
            if (!(o instanceof Map<?, ?> m) || !(m.get("apiVersion") instanceof String) || !(m.get("kind") instanceof String)) {
                throw new IllegalArgumentException("not a Kubernetes object (apiVersion and kind needed): " + o);
            }
            docs.add((Map<String, Object>) m);
        }
        return docs;
    }

    /** The path of one object: {@code /api/v1/namespaces/default/configmaps/x}, {@code /apis/g/v/plural/x}. */
    static String objectPath(String apiVersion, Resource resource, String namespace, String name) {
        StringBuilder p = new StringBuilder(groupVersionPath(apiVersion));
        if (resource.namespaced()) {
            p.append("/namespaces/").append(namespace == null || namespace.isBlank() ? "default" : namespace);
        }
        return p.append('/').append(resource.plural()).append('/').append(name).toString();
    }

    private static String groupVersionPath(String apiVersion) {
        return apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    }

    private void apply(Map<String, Object> doc, long deadline) {
        String apiVersion = (String) doc.get("apiVersion");
        String kind = (String) doc.get("kind");
        Resource resource = resource(apiVersion, kind, deadline);
        String path = objectPath(apiVersion, resource, namespace(doc), name(doc)) + "?fieldManager="
                + URLEncoder.encode(FIELD_MANAGER, StandardCharsets.UTF_8) + "&force=true";
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String body = new Yaml(new Representer(options), options).dump(doc);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server + path))
                .header("Content-Type", "application/apply-patch+yaml")
                .header("Accept", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("applying " + kind + " " + name(doc) + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Finds the kind in the group version's discovery, retrying until the deadline (a new CRD's kind appears shortly after it is Established). */
    private Resource resource(String apiVersion, String kind, long deadline) {
        while (true) {
            Map<String, Resource> kinds = discovery.get(apiVersion);
            if (kinds == null || !kinds.containsKey(kind)) {
                kinds = discover(apiVersion);
                if (!kinds.isEmpty()) {
                    discovery.put(apiVersion, kinds);
                }
            }
            Resource r = kinds.get(kind);
            if (r != null) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kind " + kind + " is not served in " + apiVersion + " (discovery: " + kinds.keySet() + ")");
            }
            sleep();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Resource> discover(String apiVersion) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server + groupVersionPath(apiVersion))).header("Accept", "application/json").GET());
        Map<String, Resource> kinds = new HashMap<>();
        if (r.statusCode() != 200) {
            return kinds;
        }
        // JSON is YAML: no second parser needed
        Map<String, Object> list = new Yaml(new SafeConstructor(new LoaderOptions())).load(r.body());
        for (Object o : (List<Object>) list.getOrDefault("resources", List.of())) {
            Map<String, Object> res = (Map<String, Object>) o;
            String name = (String) res.get("name");
            if (name != null && !name.contains("/")) {   // subresources (pods/status) share the kind
                kinds.putIfAbsent((String) res.get("kind"), new Resource(name, Boolean.TRUE.equals(res.get("namespaced"))));
            }
        }
        return kinds;
    }

    @SuppressWarnings("unchecked")
    private void awaitEstablished(String name, long deadline) {
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server + CRD_PATH + name)).header("Accept", "application/json").GET());
            last = r.body();
            if (r.statusCode() == 200) {
                Map<String, Object> crd = new Yaml(new SafeConstructor(new LoaderOptions())).load(r.body());
                Object status = crd.get("status");
                if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> conditions) {
                    for (Object c : conditions) {
                        if (c instanceof Map<?, ?> cond && "Established".equals(cond.get("type")) && "True".equals(cond.get("status"))) {
                            return;
                        }
                    }
                }
            }
            sleep();
        }
        throw new IllegalStateException("CustomResourceDefinition " + name + " not Established within " + timeout + ": " + last);
    }

    @SuppressWarnings("unchecked")
    private static String name(Map<String, Object> doc) {
        Object md = doc.get("metadata");
        Object name = md instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("name") : null;
        if (!(name instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(doc.get("kind") + " without metadata.name (generateName cannot be applied)");
        }
        return s;
    }

    private static String namespace(Map<String, Object> doc) {
        return doc.get("metadata") instanceof Map<?, ?> m && m.get("namespace") instanceof String ns ? ns : null;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("apiserver " + server + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
