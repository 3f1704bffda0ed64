package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** requests and limits by resource name (cpu, memory, ...), and the pod's resource claims a container uses. */
public class ResourceRequirements {
    public Map<String, Quantity> limits = new LinkedHashMap<>();
    public Map<String, Quantity> requests = new LinkedHashMap<>();
    public List<ResourceClaim> claims = new ArrayList<>();

    /** An entry of the pod's spec.resourceClaims by name, optionally only one request of that claim. */
    public static class ResourceClaim {
        public String name;
        public String request;
    }
}
