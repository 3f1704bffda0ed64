package io.kube4j.quantity;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({
            "500m, 500",
            "2, 2000",
            "0.5, 500",
            "1e3, 1000000",
            "128Mi, 134217728000",
            "1.5Gi, 1610612736000",
            "100k, 100000000",
            "1, 1000",
    })
    void parsesToMilliValue(String text, long milli) {
        assertThat(Quantity.parse(text).milliValue()).isEqualTo(milli);
    }

    @Test
    void comparesAcrossFormats() {
        assertThat(Quantity.parse("1Gi").compareTo(Quantity.parse("1G"))).isPositive();
        assertThat(Quantity.parse("1000m")).isEqualTo(Quantity.parse("1"));
        assertThat(Quantity.parse("0.1").compareTo(Quantity.parse("100m"))).isZero();
    }

    @Test
    void addsAndFormatsCanonically() {
        assertThat(Quantity.parse("500m").add(Quantity.parse("1")).toString()).isEqualTo("1500m");
        assertThat(Quantity.parse("512Mi").add(Quantity.parse("512Mi")).toString()).isEqualTo("1Gi");
        assertThat(Quantity.parse("1").add(Quantity.parse("1")).toString()).isEqualTo("2");
        assertThat(Quantity.ofMilli(250).toString()).isEqualTo("250m");
        assertThat(Quantity.ofBytes(3L << 20).toString()).isEqualTo("3Mi");
    }

    @Test
    void rejectsGarbageWithAMessage() {
        assertThatThrownBy(() -> Quantity.parse("12x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12x");
        assertThatThrownBy(() -> Quantity.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeAndTinyExponentsSaturateWithoutExpandingTheNumber() {
        // Kubernetes accepts 1e20000000 (its exponent fits an int32); using it must not build 20M digits
        Quantity huge = Quantity.parse("1e20000000");
        assertThat(huge.milliValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(huge.value()).isEqualTo(Long.MAX_VALUE);
        assertThat(Quantity.parse("-1e20000000").value()).isEqualTo(Long.MIN_VALUE);
        assertThat(Quantity.parse("1e-20000000").milliValue()).isEqualTo(1);
        assertThat(Quantity.parse("9223372036854775808").value()).isEqualTo(Long.MAX_VALUE);
        assertThat(Quantity.parse("100m").milliValue()).isEqualTo(100);
        assertThat(huge.toString()).isEqualTo("1e20000000");
    }
}
