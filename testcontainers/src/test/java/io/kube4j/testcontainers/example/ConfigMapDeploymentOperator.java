package io.kube4j.testcontainers.example;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The small operator of the example, written with fabric8 as a user would write one (the sample-controller
 * shape: informer handlers only enqueue keys; {@link #reconcile} reads the caches and converges).
 *
 * <p>Each ConfigMap labelled {@value #LABEL}{@code =true} describes a web app ({@code data.image},
 * {@code data.replicas}); the operator keeps a Deployment of the same name, owned by the ConfigMap, and
 * reports the Deployment's progress in the ConfigMap's annotation {@value #READY_ANNOTATION}
 * ({@code "<readyReplicas>/<replicas>"}).
 */
final class ConfigMapDeploymentOperator implements AutoCloseable {
    static final String LABEL = "example.kube4j.io/web-app";
    static final String READY_ANNOTATION = "example.kube4j.io/ready";

    private final KubernetesClient client;
    private final String namespace;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final SharedIndexInformer<ConfigMap> configMaps;
    private final SharedIndexInformer<Deployment> deployments;
    private final Thread worker;

    ConfigMapDeploymentOperator(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.configMaps = client.configMaps().inNamespace(namespace).withLabel(LABEL, "true").inform(enqueue(cm -> key(cm.getMetadata().getName())));
        this.deployments = client.apps().deployments().inNamespace(namespace).inform(enqueue(d -> key(d.getMetadata().getName())));
        this.worker = Thread.ofPlatform().name("example-operator").start(this::work);
    }

    private String key(String name) {
        return Cache.namespaceKeyFunc(namespace, name);
    }

    private <T> ResourceEventHandler<T> enqueue(java.util.function.Function<T, String> key) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                queue.add(key.apply(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                queue.add(key.apply(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                queue.add(key.apply(obj));
            }
        };
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String key = queue.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    try {
                        reconcile(key);
                    } catch (RuntimeException e) {
                        System.err.println("example operator: " + key + ": " + e + " (retrying)");
                        Thread.sleep(200);
                        queue.add(key);
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Converges the Deployment of one ConfigMap and reports its progress; idempotent. */
    void reconcile(String key) {
        ConfigMap cm = configMaps.getIndexer().getByKey(key);
        if (cm == null) {
            return;   // deleted: its Deployment goes with it (owner reference, garbage collector)
        }
        String name = cm.getMetadata().getName();
        Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
        int replicas = Integer.parseInt(data.getOrDefault("replicas", "1"));
        String image = data.getOrDefault("image", "nginx");
        Deployment current = deployments.getIndexer().getByKey(key);
        if (current == null || !Objects.equals(current.getSpec().getReplicas(), replicas)
                || !image.equals(current.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())) {
            Deployment desired = new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace)
                        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                                .withName(name).withUid(cm.getMetadata().getUid()).withController(true).build())
                    .endMetadata()
                    .withNewSpec().withReplicas(replicas)
                        .withNewSelector().addToMatchLabels("app", name).endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                            .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                        .endTemplate()
                    .endSpec().build();
            client.apps().deployments().inNamespace(namespace).resource(desired).fieldManager("example-operator").forceConflicts().serverSideApply();
            return;   // the Deployment's own events bring us back for the status
        }
        int ready = current.getStatus() == null || current.getStatus().getReadyReplicas() == null ? 0 : current.getStatus().getReadyReplicas();
        String progress = ready + "/" + replicas;
        String reported = cm.getMetadata().getAnnotations() == null ? null : cm.getMetadata().getAnnotations().get(READY_ANNOTATION);
        if (!progress.equals(reported)) {
            client.configMaps().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"" + READY_ANNOTATION + "\":\"" + progress + "\"}}}");
        }
    }

    @Override
    public void close() {
        worker.interrupt();
        configMaps.close();
        deployments.close();
    }
}
