package io.kube4j.kubelet.streaming;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The error channel's Status, as k8s.io/apimachinery remotecommand clients decode it. */
class RemoteCommandStatusTest {
    @Test
    void aNonZeroExitIsNonZeroExitCodeWithTheCodeAsAnExitCodeCause() {
        String json = Json.write(RemoteCommandHandler.nonZeroExit(List.of("sh", "-c", "exit 3"), 3));
        assertThat(json).contains("\"status\":\"Failure\"", "\"reason\":\"NonZeroExitCode\"",
                "\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]",
                "\"message\":\"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3\"");
    }

    @Test
    void successHasNoCodeAndNoReason() {
        String json = Json.write(RemoteCommandHandler.success());
        assertThat(json).contains("\"status\":\"Success\"").doesNotContain("reason").doesNotContain("\"code\"");
    }

    @Test
    void aRuntimeFailureIsAnInternalError() {
        String json = Json.write(RemoteCommandHandler.internalError("the fake runtime cannot exec into containers"));
        assertThat(json).contains("\"reason\":\"InternalError\"", "\"code\":500",
                "\"message\":\"Internal error occurred: the fake runtime cannot exec into containers\"");
    }

    @Test
    void anAttachEndsWithSuccessWhateverTheContainersExitCode() {
        // remotecommand.ServeAttach writes Success once AttachContainer returns; only ServeExec reports NonZeroExitCode
        assertThat(Json.write(RemoteCommandHandler.endStatus(true, List.of(), 4))).contains("\"status\":\"Success\"")
                .doesNotContain("NonZeroExitCode");
        assertThat(Json.write(RemoteCommandHandler.endStatus(false, List.of("sh"), 4)))
                .contains("\"reason\":\"NonZeroExitCode\"", "\"message\":\"4\"");
        assertThat(Json.write(RemoteCommandHandler.endStatus(false, List.of("sh"), 0))).contains("\"status\":\"Success\"");
    }
}
