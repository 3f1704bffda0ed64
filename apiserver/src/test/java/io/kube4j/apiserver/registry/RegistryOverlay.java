package io.kube4j.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/** Test access to the registry's overlay of a typed object's tree on the request's tree. */
public final class RegistryOverlay {
    private RegistryOverlay() {
    }

    /** {@link Registry#overlay}. */
    public static ObjectNode overlay(ObjectNode base, ObjectNode top) {
        return Registry.overlay(base, top);
    }
}
