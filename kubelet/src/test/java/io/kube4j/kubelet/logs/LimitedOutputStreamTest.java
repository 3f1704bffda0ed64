package io.kube4j.kubelet.logs;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitedOutputStreamTest {
    @Test
    void passesOnExactlyLimitBytesThenEndsTheCopy() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ContainerLogController.LimitedOutputStream out = new ContainerLogController.LimitedOutputStream(sink, 7);
        out.write("one\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> out.write("two\nthree\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContainerLogController.LimitedOutputStream.LimitReached.class);
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo");
    }
}
