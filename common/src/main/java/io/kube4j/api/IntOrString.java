package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A port or percentage that is either a number ({@code 8080}) or a string ({@code "http"}, {@code "25%"}). */
public final class IntOrString {
    private final Integer intValue;
    private final String strValue;

    private IntOrString(Integer intValue, String strValue) {
        this.intValue = intValue;
        this.strValue = strValue;
    }

    public static IntOrString of(int value) {
        return new IntOrString(value, null);
    }

    public static IntOrString of(String value) {
        return new IntOrString(null, value);
    }

    @JsonCreator
    public static IntOrString fromJson(Object value) {
        if (value instanceof Number n) {
            return of(n.intValue());
        }
        return of(String.valueOf(value));
    }

    @JsonValue
    public Object toJson() {
        return intValue != null ? intValue : strValue;
    }

    public boolean isInt() {
        return intValue != null;
    }

    public int intValue() {
        return intValue;
    }

    public String strValue() {
        return strValue;
    }

    /**
     * Resolves this value against {@code total}: an int is itself, {@code "25%"} is 25% of total,
     * rounded up or down as asked (maxSurge rounds up, maxUnavailable down, as in Kubernetes).
     */
    public int scaledValue(int total, boolean roundUp) {
        if (intValue != null) {
            return intValue;
        }
        String s = strValue.trim();
        if (s.endsWith("%")) {
            double pct = Double.parseDouble(s.substring(0, s.length() - 1));
            double v = pct * total / 100.0;
            return (int) (roundUp ? Math.ceil(v) : Math.floor(v));
        }
        return Integer.parseInt(s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntOrString other && java.util.Objects.equals(toJson(), other.toJson());
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(toJson());
    }

    @Override
    public String toString() {
        return String.valueOf(toJson());
    }
}
