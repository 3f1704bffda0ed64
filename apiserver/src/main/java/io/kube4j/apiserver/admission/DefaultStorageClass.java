package io.kube4j.apiserver.admission;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.watch.WatchCache;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.Comparator;

/**
 * The DefaultStorageClass admission plugin: a new claim that names no class ({@code storageClassName}
 * absent, not "") gets the class annotated {@code storageclass.kubernetes.io/is-default-class: "true"}
 * (the newest one if several are). Kubernetes: {@code plugin/pkg/admission/storage/storageclass/setdefault/admission.go}.
 */
@Component
@Order(250)
public class DefaultStorageClass implements Admission {
    /** The annotation that marks the default class. */
    public static final String IS_DEFAULT = "storageclass.kubernetes.io/is-default-class";

    private final WatchCache cache;

    public DefaultStorageClass(WatchCache cache) {
        this.cache = cache;
    }

    @Override
    public void admit(Attributes a, KubeObject obj) {
        if (a.operation() != Operation.CREATE || !(obj instanceof PersistentVolumeClaim pvc) || pvc.spec.storageClassName != null) {
            return;
        }
        cache.snapshot(Registry.prefix(ResourceTypes.STORAGECLASSES, null),
                        sc -> "true".equals(sc.path("metadata").path("annotations").path(IS_DEFAULT).asString("")))
                .items().stream()
                .max(Comparator.comparing((ObjectNode sc) -> sc.path("metadata").path("creationTimestamp").asString(""))
                        .thenComparing(sc -> sc.path("metadata").path("name").asString("")))
                .ifPresent(sc -> pvc.spec.storageClassName = sc.path("metadata").path("name").asString());
    }
}
