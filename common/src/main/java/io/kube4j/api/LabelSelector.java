package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** matchLabels and matchExpressions, as in a Deployment's or Service-like selector. */
public class LabelSelector {
    public Map<String, String> matchLabels = new LinkedHashMap<>();
    public List<Requirement> matchExpressions = new ArrayList<>();

    /** key In/NotIn/Exists/DoesNotExist values. */
    public static class Requirement {
        public String key;
        public String operator;
        public List<String> values = new ArrayList<>();

        public Requirement() {
        }

        public Requirement(String key, String operator, List<String> values) {
            this.key = key;
            this.operator = operator;
            // a requirement without values (Exists, DoesNotExist, or a bad In) decodes with null
            this.values = values == null ? new ArrayList<>() : new ArrayList<>(values);
        }
    }

    public static LabelSelector of(Map<String, String> labels) {
        LabelSelector s = new LabelSelector();
        s.matchLabels.putAll(labels);
        return s;
    }
}
