package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A ResourceQuota (core/v1): caps on the total resources and object counts of a namespace. */
public class ResourceQuota extends KubeObject {
    public ResourceQuotaSpec spec = new ResourceQuotaSpec();
    public ResourceQuotaStatus status = new ResourceQuotaStatus();

    public ResourceQuota() {
        super("v1", "ResourceQuota");
    }

    /** Hard limits by resource name, optionally only for objects in some scopes. */
    public static class ResourceQuotaSpec {
        public Map<String, Quantity> hard = new LinkedHashMap<>();
        public List<String> scopes = new ArrayList<>();
        public ScopeSelector scopeSelector;
    }

    /** Scope requirements, all of which must match. */
    public static class ScopeSelector {
        public List<ScopedResourceSelectorRequirement> matchExpressions = new ArrayList<>();
    }

    /** scopeName In/NotIn/Exists/DoesNotExist values. */
    public static class ScopedResourceSelectorRequirement {
        public String scopeName;
        public String operator;
        public List<String> values = new ArrayList<>();
    }

    /** The enforced hard limits and current usage. */
    public static class ResourceQuotaStatus {
        public Map<String, Quantity> hard = new LinkedHashMap<>();
        public Map<String, Quantity> used = new LinkedHashMap<>();
    }
}
