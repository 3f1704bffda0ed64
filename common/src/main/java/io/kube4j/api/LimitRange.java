package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A LimitRange (core/v1): per-namespace min, max and default resources of pods, containers and claims. */
public class LimitRange extends KubeObject {
    public LimitRangeSpec spec = new LimitRangeSpec();

    public LimitRange() {
        super("v1", "LimitRange");
    }

    /** The limits. */
    public static class LimitRangeSpec {
        public List<LimitRangeItem> limits = new ArrayList<>();
    }

    /** The limits for one type: Pod, Container or PersistentVolumeClaim. */
    @JsonPropertyOrder({"type", "max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})
    public static class LimitRangeItem {
        public String type;
        public Map<String, Quantity> max = new LinkedHashMap<>();
        public Map<String, Quantity> min = new LinkedHashMap<>();
        @JsonProperty("default")
        public Map<String, Quantity> defaultLimits = new LinkedHashMap<>();
        public Map<String, Quantity> defaultRequest = new LinkedHashMap<>();
        public Map<String, Quantity> maxLimitRequestRatio = new LinkedHashMap<>();
    }
}
