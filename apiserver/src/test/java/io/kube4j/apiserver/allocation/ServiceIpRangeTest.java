package io.kube4j.apiserver.allocation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceIpRangeTest {

    @Test
    void defaultRangeSkipsNetworkAndBroadcastAddresses() {
        ServiceIpRange r = ServiceIpRange.parse("10.96.0.0/12");
        assertThat(r.size()).isEqualTo((1L << 20) - 2);
        assertThat(r.ipAt(0)).isEqualTo("10.96.0.1");
        assertThat(r.ipAt(r.size() - 1)).isEqualTo("10.111.255.254");
        assertThat(r.contains("10.96.0.0")).isFalse();
        assertThat(r.contains("10.111.255.255")).isFalse();
        assertThat(r.contains("10.100.3.4")).isTrue();
        assertThat(r.contains("10.112.0.1")).isFalse();
    }

    @Test
    void hostBitsInTheCidrAreMaskedOff() {
        ServiceIpRange r = ServiceIpRange.parse("192.168.1.77/24");
        assertThat(r.ipAt(0)).isEqualTo("192.168.1.1");
        assertThat(r.size()).isEqualTo(254);
    }

    @Test
    void nonIpv4TextIsNeverContained() {
        ServiceIpRange r = ServiceIpRange.parse("10.96.0.0/12");
        assertThat(r.contains("None")).isFalse();
        assertThat(r.contains("10.96.0.300")).isFalse();
        assertThat(r.contains("fd00::1")).isFalse();
        assertThat(r.contains("")).isFalse();
    }

    @Test
    void badRangesAreRejected() {
        assertThatThrownBy(() -> ServiceIpRange.parse("10.96.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceIpRange.parse("10.96.0.0/31")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceIpRange.parse("10.96.0/12")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodePortRange.parse("32767-30000")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NodePortRange.parse("30000-32767").size()).isEqualTo(2768);
    }
}
