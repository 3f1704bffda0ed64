package io.kube4j.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A ConfigMap (core/v1): non-secret configuration as string data and base64 binaryData. */
public class ConfigMap extends KubeObject {
    public Boolean immutable;
    public Map<String, String> data = new LinkedHashMap<>();
    /** Values are base64 on the wire, as Go's []byte. */
    public Map<String, String> binaryData = new LinkedHashMap<>();

    public ConfigMap() {
        super("v1", "ConfigMap");
    }
}
