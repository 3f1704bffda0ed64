package io.kube4j.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Secret (core/v1): base64 data, write-only stringData and a type such as Opaque or kubernetes.io/tls. */
public class Secret extends KubeObject {
    public Boolean immutable;
    /** Values are base64 on the wire, as Go's []byte. */
    public Map<String, String> data = new LinkedHashMap<>();
    /** Plain-text values merged into data on write; never returned by the apiserver. */
    public Map<String, String> stringData = new LinkedHashMap<>();
    public String type;

    public Secret() {
        super("v1", "Secret");
    }

    /** The decoded bytes of a data key, or null when absent. */
    public byte[] decoded(String key) {
        String value = data.get(key);
        return value == null ? null : Base64.getDecoder().decode(value);
    }

    /** Sets a data key to the base64 of {@code value} (UTF-8). */
    public void put(String key, String value) {
        data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    }
}
