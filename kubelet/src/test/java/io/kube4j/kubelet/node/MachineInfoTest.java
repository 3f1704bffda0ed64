package io.kube4j.kubelet.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MachineInfoTest {

    @Test
    void addressFacingALocalApiserverIsTheFirstNonLoopbackAddress() {
        assertThat(MachineInfo.addressFacing("http://127.0.0.1:8080")).isEqualTo(MachineInfo.firstIpv4());
    }

    @Test
    void malformedApiserverUrlFallsBackToTheFirstAddress() {
        assertThat(MachineInfo.addressFacing("not a url")).isEqualTo(MachineInfo.firstIpv4());
    }

    @Test
    void addressFacingAnInterfaceOfThisMachineIsThatInterface() {
        String own = MachineInfo.firstIpv4();
        assertThat(MachineInfo.addressFacing("http://" + own + ":6443")).isEqualTo(own);
    }
}
