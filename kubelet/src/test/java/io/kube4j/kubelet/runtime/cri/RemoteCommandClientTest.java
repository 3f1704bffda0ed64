package io.kube4j.kubelet.runtime.cri;

import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The v4 error stream's Status as {@link RemoteCommandClient#exitCode} reads it (client-go's {@code errorDecoderV4}):
 * the messages are what containerd's {@code remotecommand} writes ({@code v4WriteStatusFunc} of the StatusError
 * {@code ServeExec} builds).
 */
class RemoteCommandClientTest {

    private static int exitCode(String json) {
        return RemoteCommandClient.exitCode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void successAndAnEmptyErrorStreamAreExitCode0() {
        assertThat(exitCode("{\"metadata\":{},\"status\":\"Success\"}")).isZero();
        assertThat(exitCode("")).isZero();
    }

    @Test
    void nonZeroExitCodeCarriesTheCodeInTheExitCodeCause() {
        assertThat(exitCode("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: "
                + "error executing command [sh -c exit 3], exit code 3\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                + "[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}")).isEqualTo(3);
    }

    @Test
    void anyOtherFailureIsTheServersMessage() {
        assertThatThrownBy(() -> exitCode("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"failed to exec in container: "
                + "no such file\",\"reason\":\"InternalError\",\"code\":500}"))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessage("error executing remote command: failed to exec in container: no such file");
        assertThatThrownBy(() -> exitCode("{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                + "[{\"reason\":\"ExitCode\",\"message\":\"x\"}]}}"))
                .isInstanceOf(ContainerRuntimeException.class).hasMessageContaining("invalid exit code value \"x\"");
        assertThatThrownBy(() -> exitCode("not json")).isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining("error stream protocol error");
    }
}
