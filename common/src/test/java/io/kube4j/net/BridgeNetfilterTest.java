package io.kube4j.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeNetfilterTest {
    @TempDir
    Path sys;

    private void sysctl(String name, String value) throws Exception {
        Files.createDirectories(sys.resolve(name).getParent());
        Files.writeString(sys.resolve(name), value);
    }

    @Test
    void setsBothSysctlsToOneWhenTheyAreZero() throws Exception {
        sysctl(BridgeNetfilter.CALL_IPTABLES, "0\n");
        sysctl(BridgeNetfilter.CALL_IP6TABLES, "0\n");
        BridgeNetfilter bnf = new BridgeNetfilter(sys, List.of());
        assertThat(bnf.callIptables()).isEqualTo(OptionalInt.of(0));

        BridgeNetfilter.Status status = bnf.ensure();

        assertThat(status).isEqualTo(new BridgeNetfilter.Status(true, null));
        assertThat(Files.readString(sys.resolve(BridgeNetfilter.CALL_IPTABLES)).strip()).isEqualTo("1");
        assertThat(Files.readString(sys.resolve(BridgeNetfilter.CALL_IP6TABLES)).strip()).isEqualTo("1");
        assertThat(bnf.callIptables()).isEqualTo(OptionalInt.of(1));
    }

    @Test
    void leavesAnEnabledSysctlAloneAndDoesNotRequireTheIpv6One() throws Exception {
        sysctl(BridgeNetfilter.CALL_IPTABLES, "1\n");
        Path file = sys.resolve(BridgeNetfilter.CALL_IPTABLES);
        file.toFile().setWritable(false);
        try {
            assertThat(new BridgeNetfilter(sys, List.of()).ensure().enabled()).isTrue();
        } finally {
            file.toFile().setWritable(true);
        }
        assertThat(Files.exists(sys.resolve(BridgeNetfilter.CALL_IP6TABLES))).isFalse();
    }

    @Test
    void withoutTheModuleTriesModprobeAndReportsTheSysctlByName() {
        BridgeNetfilter bnf = new BridgeNetfilter(sys, List.of("sh", "-c", "echo 'FATAL: Module br_netfilter not found.' >&2; exit 1"));
        assertThat(bnf.callIptables()).isEmpty();

        BridgeNetfilter.Status status = bnf.ensure();

        assertThat(status.enabled()).isFalse();
        assertThat(status.problem()).startsWith("can't set sysctl net/bridge/bridge-nf-call-iptables: ")
                .contains("does not exist", "exit 1, FATAL: Module br_netfilter not found.");
    }

    @Test
    void aModprobeThatLoadsTheModuleIsFollowedBySettingTheSysctl() throws Exception {
        Path target = sys.resolve(BridgeNetfilter.CALL_IPTABLES);
        // the "module" creates the sysctl with the kernel's old default 0
        BridgeNetfilter bnf = new BridgeNetfilter(sys, List.of("sh", "-c", "mkdir -p " + target.getParent() + " && echo 0 > " + target));
        assertThat(bnf.ensure().enabled()).isTrue();
        assertThat(Files.readString(target).strip()).isEqualTo("1");
    }
}
