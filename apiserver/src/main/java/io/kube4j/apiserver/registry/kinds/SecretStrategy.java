package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Secret;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Secrets: {@code stringData} is write-only (merged into {@code data} as base64, then dropped, as
 * Kubernetes' v1 conversion does), type Opaque by default and immutable, the keys each type requires, at
 * most 1 MiB. Kubernetes: {@code pkg/apis/core/validation/validation.go} ValidateSecret(Update),
 * {@code pkg/apis/core/v1/conversion.go} (stringData).
 */
@Component
public class SecretStrategy implements Strategy {
    /** Keys each built-in secret type must have (ValidateSecret). */
    private static final Map<String, List<String>> REQUIRED_KEYS = Map.of(
            "kubernetes.io/dockercfg", List.of(".dockercfg"),
            "kubernetes.io/dockerconfigjson", List.of(".dockerconfigjson"),
            "kubernetes.io/ssh-auth", List.of("ssh-privatekey"),
            "kubernetes.io/tls", List.of("tls.crt", "tls.key"));

    @Override
    public ResourceType type() {
        return ResourceTypes.SECRETS;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        Secret s = (Secret) obj;
        if (s.type == null || s.type.isEmpty()) {
            s.type = "Opaque";
        }
        // stringData wins over data for the same key, and is never stored
        for (var e : s.stringData.entrySet()) {
            s.data.put(e.getKey(), Base64.getEncoder().encodeToString((e.getValue() == null ? "" : e.getValue()).getBytes(StandardCharsets.UTF_8)));
        }
        s.stringData.clear();
    }

    @Override
    public void canonicalize(ObjectNode stored) {
        stored.remove("stringData");
    }

    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("type");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Secret s = (Secret) obj;
        long size = 0;
        for (var e : s.data.entrySet()) {
            Validation.configMapKey(errs, "data[" + e.getKey() + "]", e.getKey());
            String v = e.getValue() == null ? "" : e.getValue();
            try {
                size += Base64.getDecoder().decode(v).length;
            } catch (IllegalArgumentException ex) {
                errs.invalid("data[" + e.getKey() + "]", "<secret contents redacted>", "illegal base64 data");
            }
        }
        if (size > Validation.MAX_CONFIG_SIZE) {
            errs.tooLong("data", Validation.MAX_CONFIG_SIZE);
        }
        for (String key : REQUIRED_KEYS.getOrDefault(s.type, List.of())) {
            if (!s.data.containsKey(key)) {
                errs.required("data[" + key + "]", null);
            }
        }
        switch (s.type) {
            case "kubernetes.io/service-account-token" -> {
                if (s.metadata.annotations == null || s.metadata.annotations.getOrDefault("kubernetes.io/service-account.name", "").isEmpty()) {
                    errs.required("metadata.annotations[kubernetes.io/service-account.name]", null);
                }
            }
            case "kubernetes.io/basic-auth" -> {
                if (!s.data.containsKey("username") && !s.data.containsKey("password")) {
                    errs.required("data[username]", null);
                    errs.required("data[password]", null);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Secret now = (Secret) obj;
        Secret before = (Secret) old;
        if (!Objects.equals(now.type, before.type)) {
            errs.invalid("type", now.type, "field is immutable");
        }
        if (Boolean.TRUE.equals(before.immutable)) {
            if (!Boolean.TRUE.equals(now.immutable)) {
                errs.forbidden("immutable", "field is immutable when `immutable` is set");
            }
            if (!Objects.equals(now.data, before.data)) {
                errs.forbidden("data", "field is immutable when `immutable` is set");
            }
        }
    }
}
