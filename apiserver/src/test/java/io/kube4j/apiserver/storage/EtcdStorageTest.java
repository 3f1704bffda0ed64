package io.kube4j.apiserver.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which etcd sends requested watch progress in order with events: Kubernetes' feature support checker's versions. */
class EtcdStorageTest {

    @Test
    void requestedProgressIsTrustedFrom3_4_31And3_5_13On() {
        // etcd issues 15220 (fixed 3.4.25 / 3.5.8) and 17507 (fixed 3.4.31 / 3.5.13)
        assertThat(EtcdStorage.requestProgressInOrder("3.4.23")).isFalse();
        assertThat(EtcdStorage.requestProgressInOrder("3.4.30")).isFalse();
        assertThat(EtcdStorage.requestProgressInOrder("3.4.31")).isTrue();
        assertThat(EtcdStorage.requestProgressInOrder("3.5.0")).isFalse();
        assertThat(EtcdStorage.requestProgressInOrder("3.5.12")).isFalse();
        assertThat(EtcdStorage.requestProgressInOrder("3.5.13")).isTrue();
        assertThat(EtcdStorage.requestProgressInOrder("3.5.17")).isTrue();
        assertThat(EtcdStorage.requestProgressInOrder("3.6.0")).isTrue();
        assertThat(EtcdStorage.requestProgressInOrder("3.3.27")).isFalse();
        assertThat(EtcdStorage.requestProgressInOrder("not a version")).isFalse();
    }
}
