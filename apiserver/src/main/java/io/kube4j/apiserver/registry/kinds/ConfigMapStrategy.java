package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

import java.util.Objects;

/**
 * ConfigMaps: valid keys, no key in both data and binaryData, at most 1 MiB, and no change of data once
 * {@code immutable} is set. Kubernetes: {@code pkg/apis/core/validation/validation.go} ValidateConfigMap(Update).
 */
@Component
public class ConfigMapStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.CONFIGMAPS;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        ConfigMap cm = (ConfigMap) obj;
        long size = 0;
        for (var e : cm.data.entrySet()) {
            Validation.configMapKey(errs, "data[" + e.getKey() + "]", e.getKey());
            size += e.getValue() == null ? 0 : e.getValue().length();
        }
        for (var e : cm.binaryData.entrySet()) {
            Validation.configMapKey(errs, "binaryData[" + e.getKey() + "]", e.getKey());
            if (cm.data.containsKey(e.getKey())) {
                errs.invalid("data[" + e.getKey() + "]", e.getKey(), "duplicate of key present in binaryData");
            }
            size += e.getValue() == null ? 0 : e.getValue().length() * 3L / 4;
        }
        if (size > Validation.MAX_CONFIG_SIZE) {
            errs.tooLong("", Validation.MAX_CONFIG_SIZE);
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        ConfigMap now = (ConfigMap) obj;
        ConfigMap before = (ConfigMap) old;
        if (Boolean.TRUE.equals(before.immutable)) {
            if (!Boolean.TRUE.equals(now.immutable)) {
                errs.forbidden("immutable", "field is immutable when `immutable` is set");
            }
            if (!Objects.equals(now.data, before.data)) {
                errs.forbidden("data", "field is immutable when `immutable` is set");
            }
            if (!Objects.equals(now.binaryData, before.binaryData)) {
                errs.forbidden("binaryData", "field is immutable when `immutable` is set");
            }
        }
    }
}
