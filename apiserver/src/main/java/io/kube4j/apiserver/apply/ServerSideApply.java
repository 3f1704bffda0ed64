package io.kube4j.apiserver.apply;

import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.errors.ApiError;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}): creates the object when it
 * does not exist (201), else merges the configuration into it under {@link ManagedFields} rules (200).
 */
@Component
public class ServerSideApply {
    private static final int ATTEMPTS = 5;

    private final Registry registry;

    public ServerSideApply(Registry registry) {
        this.registry = registry;
    }

    /** The outcome: the object as written (or as it would be, for a dry run), and whether it was created. */
    public record Result(ObjectNode object, boolean created) {
    }

    /** Server-side apply on the main resource; see {@link #apply(ResourceType, String, String, JsonNode, String, boolean, boolean, String)}. */
    public Result apply(ResourceType rt, String namespace, String name, JsonNode body, String manager, boolean force, boolean dryRun) {
        return apply(rt, namespace, name, body, manager, force, dryRun, "");
    }

    /**
     * Server-side apply through {@code subresource}: "" for the main resource (creates a missing object),
     * {@link ManagedFields#STATUS} for the status subresource (the object must exist: 404 otherwise; only
     * its status is written, and the applier owns the status fields of its configuration), {@code approval} and
     * {@code ephemeralcontainers} likewise through those subresources' rules. Field
     * ownership follows the kind's {@link FieldModel} (a CRD's schema for custom resources).
     *
     * @throws ApiError 400 for a configuration without apiVersion/kind or naming another object, or without a
     *                  fieldManager; 409 on conflicts unless {@code force}
     */
    public Result apply(ResourceType rt, String namespace, String name, JsonNode body, String manager, boolean force, boolean dryRun, String subresource) {
        if (!(body instanceof ObjectNode given)) {
            throw ApiError.badRequest("an apply configuration must be an object");
        }
        // a configuration owns only fields the kind keeps: pruned ones are neither applied nor recorded
        ObjectNode config = given.deepCopy();
        registry.strategy(rt).pruneUnknownFields(config);
        if (manager == null || manager.isEmpty()) {
            throw ApiError.badRequest("PATCH, application/apply-patch+yaml requires the fieldManager parameter");
        }
        if (config.path("apiVersion").asString("").isEmpty() || config.path("kind").asString("").isEmpty()) {
            throw ApiError.badRequest("an apply configuration needs apiVersion and kind");
        }
        String bodyName = config.path("metadata").path("name").asString("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        FieldModel model = FieldModel.of(registry.strategy(rt));
        String sub = subresource == null ? "" : subresource;
        // a subresource's apply updates an existing object through that subresource's rules (Kubernetes serves apply on
        // every subresource whose storage can get and update: status, approval, ephemeralcontainers)
        Registry.Part part = switch (sub) {
            case ManagedFields.STATUS -> Registry.Part.STATUS;
            case "approval" -> Registry.Part.APPROVAL;
            case "ephemeralcontainers" -> Registry.Part.EPHEMERAL_CONTAINERS;
            default -> Registry.Part.MAIN;
        };
        if (part != Registry.Part.MAIN) {
            return new Result(registry.guaranteedUpdate(rt, namespace, name, null, part, dryRun,
                    current -> ManagedFields.apply(current, config, manager, force, rt, model, sub)), false);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                ObjectNode updated = registry.guaranteedUpdate(rt, namespace, name, null, Registry.Part.MAIN, dryRun,
                        current -> ManagedFields.apply(current, config, manager, force, rt, model, sub));
                return new Result(updated, false);
            } catch (ApiError e) {
                if (e.code() != 404 || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
            ObjectNode fresh = ManagedFields.apply(null, config, manager, force, rt, model, sub);
            ((ObjectNode) fresh.get("metadata")).put("name", name);
            try {
                return new Result(registry.create(rt, namespace, fresh, dryRun), true);
            } catch (ApiError e) {
                // created by someone else in between: apply onto theirs
                if (e.code() != 409 || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
