package io.kube4j.api;

/** A node taint: pods must tolerate it to schedule (NoSchedule) or stay (NoExecute). */
public class Taint {
    public String key;
    public String value;
    public String effect;
    public String timeAdded;

    public Taint() {
    }

    public Taint(String key, String value, String effect) {
        this.key = key;
        this.value = value;
        this.effect = effect;
    }

    @Override
    public String toString() {
        return key + (value == null || value.isEmpty() ? "" : "=" + value) + ":" + effect;
    }
}
