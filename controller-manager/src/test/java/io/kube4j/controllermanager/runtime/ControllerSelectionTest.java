package io.kube4j.controllermanager.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * kube-controller-manager's {@code --controllers}: {@code IsControllerEnabled} and the option's validation
 * ({@code cmd/kube-controller-manager/app/options}, {@code controller-manager/options/generic_test.go}).
 */
class ControllerSelectionTest {

    @Test
    void starEnablesEveryControllerButTheDisabledByDefaultOnes() {
        ControllerSelection all = ControllerSelection.parse(List.of("*"));
        assertThat(all.isEnabled("replicaset")).isTrue();
        assertThat(all.isEnabled("namespace-controller")).isTrue();
        assertThat(all.isEnabled("bootstrapsigner")).isFalse();
        assertThat(all.isEnabled("token-cleaner-controller")).isFalse();
    }

    @Test
    void kubeadmsListTurnsOnTheTokenControllers() {
        ControllerSelection kubeadm = ControllerSelection.parse(List.of("*", "bootstrapsigner", "tokencleaner"));
        assertThat(kubeadm.isEnabled("bootstrap-signer-controller")).isTrue();
        assertThat(kubeadm.isEnabled("tokencleaner")).isTrue();
        assertThat(kubeadm.isEnabled("deployment")).isTrue();
    }

    @Test
    void minusDisablesAndTheFirstEntryNamingAControllerWins() {
        ControllerSelection s = ControllerSelection.parse(List.of("-replicaset-controller", "*", "replicaset"));
        assertThat(s.isEnabled("replicaset")).isFalse();
        assertThat(s.isEnabled("deployment")).isTrue();
        // an alias and its canonical name are one controller
        assertThat(ControllerSelection.parse(List.of("*", "-podgc")).isEnabled("pod-garbage-collector-controller")).isFalse();
    }

    @Test
    void withoutAStarOnlyTheNamedControllersRun() {
        ControllerSelection s = ControllerSelection.parse(List.of("deployment", "replicaset"));
        assertThat(s.isEnabled("deployment")).isTrue();
        assertThat(s.isEnabled("replicaset-controller")).isTrue();
        assertThat(s.isEnabled("namespace")).isFalse();
    }

    @Test
    void kube4jsEndpointsControllerIsKubernetesEndpointsController() {
        assertThat(ControllerSelection.canonicalName("endpoints")).isEqualTo("endpoints-controller");
        assertThat(ControllerSelection.parse(List.of("*", "-endpoint")).isEnabled("endpoints")).isFalse();
    }

    @Test
    void aControllerKubernetesHasAndKube4jLacksIsStillAKnownName() {
        // ttl-controller and attachdetach exist in kube-controller-manager: naming them is no error
        ControllerSelection s = ControllerSelection.parse(List.of("*", "-ttl", "-attachdetach"));
        assertThat(s.isEnabled("job")).isTrue();
    }

    @Test
    void unknownNamesFailWithKubernetesMessage() {
        assertThatThrownBy(() -> ControllerSelection.parse(List.of("*", "notacontroller", "-grey-controller")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"notacontroller\" is not in the list of known controllers, \"grey-controller\" is not in the list of known controllers");
    }
}
