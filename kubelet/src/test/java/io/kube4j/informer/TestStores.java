package io.kube4j.informer;

import io.kube4j.api.KubeObject;

/** Preloads an (unstarted) informer's store, as a test's fake cache; lives here for the package-private put. */
public final class TestStores {
    private TestStores() {
    }

    @SafeVarargs
    public static <T extends KubeObject> void preload(Informer<T> informer, T... objects) {
        for (T obj : objects) {
            informer.store().put(obj);
        }
    }

    public static <T extends KubeObject> void remove(Informer<T> informer, T obj) {
        informer.store().remove(obj.key());
    }
}
