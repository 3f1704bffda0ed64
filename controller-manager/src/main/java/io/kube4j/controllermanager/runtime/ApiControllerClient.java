package io.kube4j.controllermanager.runtime;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Namespace;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;

import java.util.List;
import java.util.Optional;

/** {@link ControllerClient} over the apiserver. */
public final class ApiControllerClient implements ControllerClient {
    private final ApiClient client;
    private final EventRecorder events;

    public ApiControllerClient(ApiClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public <T extends KubeObject> T create(T obj) {
        return client.create(obj);
    }

    @Override
    public <T extends KubeObject> T update(T obj) {
        return client.update(obj);
    }

    @Override
    public <T extends KubeObject> T updateStatus(T obj) {
        return client.updateStatus(obj);
    }

    @Override
    public <T extends KubeObject> T mergePatch(Class<T> type, String namespace, String name, String patch) {
        return client.patch(type, namespace, name, "application/merge-patch+json", patch);
    }

    @Override
    public <T extends KubeObject> T strategicMergePatch(Class<T> type, String namespace, String name, String patch) {
        return client.patch(type, namespace, name, "application/strategic-merge-patch+json", patch);
    }

    @Override
    public void delete(Class<? extends KubeObject> type, String namespace, String name, DeleteOptions options) {
        client.delete(type, namespace, name, options);
    }

    @Override
    public <T extends KubeObject> Optional<T> find(Class<T> type, String namespace, String name) {
        return client.find(type, namespace, name);
    }

    @Override
    public <T extends KubeObject> List<T> list(Class<T> type, String namespace) {
        return client.list(type, namespace).items;
    }

    @Override
    public Namespace finalizeNamespace(Namespace namespace) {
        return client.updateSubresource(namespace, "finalize");
    }

    @Override
    public List<CustomObject> list(ApiResource resource, String namespace) {
        tools.jackson.databind.JsonNode list = io.kube4j.json.Json.tree(client.sendJson("GET", resource.collectionPath(namespace), null, null));
        List<CustomObject> out = new java.util.ArrayList<>();
        for (tools.jackson.databind.JsonNode item : list.path("items")) {
            CustomObject o = io.kube4j.json.Json.convert(item, CustomObject.class);
            o.resource = resource;
            out.add(o);
        }
        return out;
    }

    @Override
    public Optional<CustomObject> find(ApiResource resource, String namespace, String name) {
        try {
            return Optional.of(CustomObject.of(resource, client.sendJson("GET", resource.objectPath(namespace, name), null, null)));
        } catch (io.kube4j.client.ApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public CustomObject updateCustom(CustomObject obj) {
        return CustomObject.of(obj.resource, client.sendJson("PUT", obj.resource.objectPath(obj.metadata.namespace, obj.metadata.name), null,
                io.kube4j.json.Json.write(obj)));
    }

    @Override
    public void mergePatch(ApiResource resource, String namespace, String name, String patch) {
        client.sendJson("PATCH", resource.objectPath(namespace, name), "application/merge-patch+json", patch);
    }

    @Override
    public void delete(ApiResource resource, String namespace, String name, DeleteOptions options) {
        client.sendJson("DELETE", resource.objectPath(namespace, name), null, options == null ? null : io.kube4j.json.Json.write(options));
    }

    @Override
    public <T extends KubeObject> T updateSubresource(T obj, String subresource) {
        return client.updateSubresource(obj, subresource);
    }

    /** POST {@code /apis/authorization.k8s.io/v1/subjectaccessreviews} with {@code spec.resourceAttributes}. */
    @Override
    public boolean subjectAccessReview(SubjectAccess access) {
        var review = io.kube4j.json.Json.mapper().createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.put("kind", "SubjectAccessReview");
        var spec = review.putObject("spec");
        spec.put("user", access.user());
        if (access.uid() != null) {
            spec.put("uid", access.uid());
        }
        var groups = spec.putArray("groups");
        access.groups().forEach(groups::add);
        var extra = spec.putObject("extra");
        access.extra().forEach((k, v) -> {
            var values = extra.putArray(k);
            v.forEach(values::add);
        });
        var attributes = spec.putObject("resourceAttributes");
        attributes.put("verb", access.verb());
        attributes.put("group", access.group());
        attributes.put("resource", access.resource());
        if (access.subresource() != null) {
            attributes.put("subresource", access.subresource());
        }
        String answer = client.sendJson("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", null, review.toString());
        return io.kube4j.json.Json.tree(answer).path("status").path("allowed").asBoolean(false);
    }

    @Override
    public void event(KubeObject about, String type, String reason, String message) {
        events.record(about, type, reason, message);
    }
}
