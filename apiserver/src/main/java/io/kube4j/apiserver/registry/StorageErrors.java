package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.storage.StorageException;

/**
 * The one mapping from storage failures to API errors: about an object when the caller knows which
 * (409 Conflict / AlreadyExists and 404 with Kubernetes' messages), generic otherwise (503 while etcd is
 * unreachable, 504 for an unconfirmed write, 410 for compacted history, 413 for an object over etcd's
 * request limit).
 */
public final class StorageErrors {
    /** Kubernetes' message for an update whose resourceVersion is stale (OptimisticLockErrorMsg). */
    public static final String OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again";

    private StorageErrors() {
    }

    /** The API error for {@code e} about object {@code name} of {@code rt}; either may be null when unknown. */
    public static ApiError toApiError(StorageException e, ResourceType rt, String name) {
        if (rt != null && name != null) {
            switch (e.kind()) {
                case CONFLICT -> {
                    return ApiError.conflict(rt.group(), rt.resource(), name, OPTIMISTIC_LOCK);
                }
                case NOT_FOUND -> {
                    return ApiError.notFound(rt.group(), rt.resource(), name);
                }
                case KEY_EXISTS -> {
                    return ApiError.alreadyExists(rt.group(), rt.resource(), name);
                }
                default -> {
                }
            }
        }
        return new ApiError(switch (e.kind()) {
            case UNAVAILABLE -> Status.failure(503, "ServiceUnavailable", "etcd is unavailable: " + e.getMessage() + "; retry later");
            case TIMEOUT -> Status.failure(504, "Timeout", "etcd did not answer in time (" + e.getMessage() + "); the write may or may not have been applied: read the object before retrying");
            case COMPACTED -> Status.failure(410, "Expired", "the requested revision has been compacted; re-list");
            case CONFLICT -> Status.failure(409, "Conflict", OPTIMISTIC_LOCK);
            case KEY_EXISTS -> Status.failure(409, "AlreadyExists", "the object already exists");
            case NOT_FOUND -> Status.failure(404, "NotFound", "the object was not found");
            // Kubernetes answers etcd's refusal with a 500 (kubernetes/kubernetes#112152 asks for better); a 413
            // tells the client what is wrong and that a retry cannot help
            case TOO_LARGE -> Status.failure(413, "RequestEntityTooLarge", "Request entity too large: the object exceeds etcd's request limit of 1.5 MiB (etcdserver: request is too large)");
            case FUTURE_REVISION -> Status.failure(400, "BadRequest", "the requested resourceVersion is newer than the storage's latest revision");
        });
    }
}
