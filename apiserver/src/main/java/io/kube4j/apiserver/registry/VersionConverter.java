package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import tools.jackson.databind.node.ObjectNode;

/**
 * Another version of a stored kind: how an object of the stored version ({@link #stored()}, the one its
 * {@link Strategy} serves) looks in the served version ({@link #served()}) and back. The registry keeps
 * storing, defaulting, validating and watching the stored version; the REST layer converts on the way in
 * and out, so a write through one version is read through the other. Kubernetes does the same with its
 * scheme's conversion functions between a group's versions and the internal version
 * ({@code pkg/apis/<group>/<version>/conversion.go}).
 */
public interface VersionConverter {
    /** The version served (one of {@code ResourceTypes.VIEWS}). */
    ResourceType served();

    /** The stored version it converts to and from (same resource name, in {@code ResourceTypes.ALL}). */
    ResourceType stored();

    /** A new object of the served version from a stored one (never modifies {@code stored}). */
    ObjectNode toServed(ObjectNode stored);

    /** A new object of the stored version from a served one (never modifies {@code served}). */
    ObjectNode toStored(ObjectNode served);
}
