package io.kube4j.quantity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity: {@code 500m}, {@code 2}, {@code 128Mi}, {@code 1.5Gi}, {@code 1e3}.
 * The exact value is a {@link BigDecimal}; a parsed quantity prints as it was written, a computed one in
 * the canonical form of its format (binary suffixes, decimal suffixes or an exponent).
 */
public final class Quantity implements Comparable<Quantity> {
    /** How a quantity prints: with binary (Ki, Mi), decimal (m, k, M) suffixes or an exponent. */
    public enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

    private static final Pattern SYNTAX = Pattern.compile("^([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$");
    private static final Map<String, BigDecimal> BINARY = Map.of(
            "Ki", BigDecimal.valueOf(1L << 10), "Mi", BigDecimal.valueOf(1L << 20), "Gi", BigDecimal.valueOf(1L << 30),
            "Ti", BigDecimal.valueOf(1L << 40), "Pi", BigDecimal.valueOf(1L << 50), "Ei", BigDecimal.valueOf(1L << 60));
    private static final Map<String, Integer> DECIMAL = Map.of(
            "n", -9, "u", -6, "m", -3, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
    private static final String[] BINARY_ORDER = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
    private static final String[] DECIMAL_ORDER = {"E", "P", "T", "G", "M", "k", "", "m", "u", "n"};

    private final BigDecimal value;
    private final Format format;
    private final String text;

    private Quantity(BigDecimal value, Format format, String text) {
        this.value = value;
        this.format = format;
        this.text = text;
    }

    /** Parses a quantity; throws {@link IllegalArgumentException} with a message a person can act on. */
    @JsonCreator
    public static Quantity parse(Object input) {
        if (input instanceof Number n) {
            return new Quantity(new BigDecimal(n.toString()), Format.DECIMAL_SI, n.toString());
        }
        String s = input == null ? "" : input.toString().trim();
        Matcher m = SYNTAX.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': " + s);
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        BigDecimal value;
        Format format;
        if (BINARY.containsKey(suffix)) {
            value = number.multiply(BINARY.get(suffix));
            format = Format.BINARY_SI;
        } else if (DECIMAL.containsKey(suffix)) {
            value = number.scaleByPowerOfTen(DECIMAL.get(suffix));
            format = Format.DECIMAL_SI;
        } else if (suffix.isEmpty()) {
            value = number;
            format = Format.DECIMAL_SI;
        } else {
            value = number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
            format = Format.DECIMAL_EXPONENT;
        }
        return new Quantity(value, format, s);
    }

    public static Quantity ofMilli(long milli) {
        return new Quantity(BigDecimal.valueOf(milli, 3), Format.DECIMAL_SI, null);
    }

    public static Quantity of(long value) {
        return new Quantity(BigDecimal.valueOf(value), Format.DECIMAL_SI, null);
    }

    public static Quantity ofBytes(long bytes) {
        return new Quantity(BigDecimal.valueOf(bytes), Format.BINARY_SI, null);
    }

    public static final Quantity ZERO = of(0);

    public BigDecimal exact() {
        return value;
    }

    /** The value in thousandths, rounded up (as Kubernetes' MilliValue). */
    public long milliValue() {
        return ceilingSaturated(value.scaleByPowerOfTen(3));
    }

    /** The value rounded up to a whole number (as Kubernetes' Value). */
    public long value() {
        return ceilingSaturated(value);
    }

    /**
     * {@code v} rounded up to a long, saturating at {@link Long#MAX_VALUE}/{@link Long#MIN_VALUE}; decided
     * from precision and scale first, so that {@code 1e20000000} (which Kubernetes accepts) costs nothing
     * instead of building a number of twenty million digits.
     */
    private static long ceilingSaturated(BigDecimal v) {
        int integerDigits = v.precision() - v.scale();
        if (integerDigits > 19) {
            return v.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        if (integerDigits < -19) {
            // |v| < 1e-19: the ceiling of a tiny positive number is 1, of a tiny negative one 0
            return v.signum() > 0 ? 1 : 0;
        }
        BigDecimal whole = v.setScale(0, RoundingMode.CEILING);
        return whole.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE
                : whole.compareTo(LONG_MIN) < 0 ? Long.MIN_VALUE
                : whole.longValue();
    }

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

    /** The sum, in this quantity's format; a zero takes the other's format (as Go's Quantity.Add does). */
    public Quantity add(Quantity other) {
        return new Quantity(value.add(other.value), isZero() ? other.format : format, null);
    }

    public Quantity subtract(Quantity other) {
        return new Quantity(value.subtract(other.value), format, null);
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }

    /** As written when parsed, else canonical. */
    @JsonValue
    @Override
    public String toString() {
        return text != null ? text : canonical();
    }

    /** The canonical form: the largest suffix of the quantity's format that keeps the number whole. */
    public String canonical() {
        if (value.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI && value.stripTrailingZeros().scale() <= 0) {
            for (String suffix : BINARY_ORDER) {
                BigDecimal[] qr = value.divideAndRemainder(BINARY.get(suffix));
                if (qr[1].signum() == 0) {
                    return qr[0].toBigInteger() + suffix;
                }
            }
            return value.toBigInteger().toString();
        }
        for (String suffix : DECIMAL_ORDER) {
            int exp = suffix.isEmpty() ? 0 : DECIMAL.get(suffix);
            BigDecimal scaled = value.scaleByPowerOfTen(-exp);
            if (scaled.stripTrailingZeros().scale() <= 0) {
                return scaled.toBigInteger() + suffix;
            }
        }
        // finer than nano: Kubernetes rounds up to nano
        return value.scaleByPowerOfTen(9).setScale(0, RoundingMode.CEILING).toBigInteger() + "n";
    }
}
