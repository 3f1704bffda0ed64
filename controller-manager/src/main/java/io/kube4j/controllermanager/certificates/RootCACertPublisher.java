package io.kube4j.controllermanager.certificates;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Namespace;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;

import java.util.List;
import java.util.Map;

/**
 * Publishes the cluster's root CA bundle as the ConfigMap {@code kube-root-ca.crt} (key {@code ca.crt}) in
 * every namespace, and puts it back when it is deleted or changed, so a pod's projected token volume can
 * include the CA that verifies the apiserver. Kubernetes:
 * {@code pkg/controller/certificates/rootcacertpublisher/publisher.go}.
 *
 * <p>The bundle comes from the controller-manager property {@code kube4j.security.root-ca-file}
 * (kube-controller-manager's {@code --root-ca-file}); when it is unset the controller is not created at all.
 */
public final class RootCACertPublisher implements Controller {
    /** RootCACertConfigMapName. */
    public static final String CONFIG_MAP = "kube-root-ca.crt";
    /** The key holding the PEM bundle. */
    public static final String KEY = "ca.crt";
    /** DescriptionAnnotation. */
    public static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
    /** Description, Kubernetes' text. */
    public static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints"
            + " such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    // reads: namespaces (what to publish into) and config maps (what is published)
    private final Informer<Namespace> namespaces;
    private final Informer<ConfigMap> configMaps;
    // writes: creates and updates of kube-root-ca.crt
    private final ControllerClient client;
    // the PEM bundle published
    private final String rootCA;
    // namespace names
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    /**
     * @param informers where namespaces and config maps are watched
     * @param client    creates and updates the published ConfigMaps
     * @param rootCA    the PEM bundle to publish (the content of {@code kube4j.security.root-ca-file})
     */
    public RootCACertPublisher(SharedInformers informers, ControllerClient client, String rootCA) {
        this.client = client;
        this.rootCA = rootCA;
        this.namespaces = informers.informer(Namespace.class);
        this.configMaps = informers.informer(ConfigMap.class);
        namespaces.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                namespaceAdded(ns);
            }

            @Override
            public void onUpdate(Namespace old, Namespace ns) {
                namespaceUpdated(ns);
            }
        });
        configMaps.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(ConfigMap old, ConfigMap cm) {
                configMapChanged(cm);
            }

            @Override
            public void onDelete(ConfigMap cm) {
                configMapChanged(cm);
            }
        });
    }

    void namespaceAdded(Namespace ns) {
        queue.add(ns.metadata.name);
    }

    /** namespaceUpdated: only active namespaces; a terminating one refuses new content anyway. */
    void namespaceUpdated(Namespace ns) {
        if (ns.status == null || "Active".equals(ns.status.phase) || ns.status.phase == null) {
            queue.add(ns.metadata.name);
        }
    }

    /** configMapUpdated/configMapDeleted: a change to the published map is undone by syncing its namespace. */
    void configMapChanged(ConfigMap cm) {
        if (CONFIG_MAP.equals(cm.metadata.name)) {
            queue.add(cm.metadata.namespace);
        }
    }

    @Override
    public String name() {
        return "root-ca-cert-publisher";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(namespaces, configMaps);
    }

    /** syncNamespace: create the map if missing, otherwise make its data and description annotation right. */
    @Override
    public Result reconcile(String namespace) {
        ConfigMap cm = configMaps.store().get(namespace + "/" + CONFIG_MAP);
        Map<String, String> data = Map.of(KEY, rootCA);
        if (cm == null) {
            ConfigMap created = new ConfigMap();
            created.metadata.namespace = namespace;
            created.metadata.name = CONFIG_MAP;
            created.metadata.annotations.put(DESCRIPTION_ANNOTATION, DESCRIPTION);
            created.data.putAll(data);
            try {
                client.create(created);
            } catch (ApiException e) {
                // don't retry a create if the namespace doesn't exist or is terminating (403 NamespaceTerminating)
                if (e.code() != 404 && e.code() != 403) {
                    throw e;
                }
            }
            return Result.done();
        }
        String description = cm.metadata.annotations == null ? null : cm.metadata.annotations.get(DESCRIPTION_ANNOTATION);
        if (data.equals(cm.data) && description != null && !description.isEmpty()) {
            return Result.done();
        }
        // copy: never mutate the cached object
        ConfigMap fixed = Json.copy(cm);
        fixed.data = new java.util.LinkedHashMap<>(data);
        fixed.metadata.annotations.put(DESCRIPTION_ANNOTATION, DESCRIPTION);
        client.update(fixed);
        return Result.done();
    }
}
