package io.kube4j.kubelet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeletsTest {

    @Test
    void taintsParseWithAndWithoutValue() {
        assertThat(Kubelets.parseTaint("dedicated=gpu:NoSchedule").toString()).isEqualTo("dedicated=gpu:NoSchedule");
        assertThat(Kubelets.parseTaint("node-role.kubernetes.io/control-plane:NoExecute").toString()).isEqualTo("node-role.kubernetes.io/control-plane:NoExecute");
    }

    @Test
    void taintWithoutEffectIsRejected() {
        assertThatThrownBy(() -> Kubelets.parseTaint("dedicated=gpu")).isInstanceOf(IllegalArgumentException.class);
    }
}
