package io.kube4j.api;

/** Lets a pod schedule onto (or stay on) a node with a matching taint. */
public class Toleration {
    public String key;
    public String operator;
    public String value;
    public String effect;
    public Long tolerationSeconds;

    /** Whether this toleration tolerates {@code taint} (Kubernetes' ToleratesTaint). */
    public boolean tolerates(Taint taint) {
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.effect)) {
            return false;
        }
        if (key != null && !key.isEmpty() && !key.equals(taint.key)) {
            return false;
        }
        if ("Exists".equals(operator)) {
            return true;
        }
        // Equal is the default operator; an empty key with Equal matches nothing (only Exists may omit the key)
        if (key == null || key.isEmpty()) {
            return false;
        }
        String v = value == null ? "" : value;
        String tv = taint.value == null ? "" : taint.value;
        return v.equals(tv);
    }
}
