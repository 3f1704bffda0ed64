package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.LinkedHashMap;
import java.util.Map;

/** requests and limits by resource name (cpu, memory, ...). */
public class ResourceRequirements {
    public Map<String, Quantity> limits = new LinkedHashMap<>();
    public Map<String, Quantity> requests = new LinkedHashMap<>();
}
