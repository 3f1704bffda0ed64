package io.kube4j.apiserver.validation;

import io.kube4j.api.Pod;
import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Pod validation gaps closed for issue 15, each with Kubernetes 1.32's field path and message
 * (pkg/apis/core/validation/validation.go: ValidatePodSpec, validateInitContainers, validateContainers,
 * validateLivenessProbe / validateReadinessProbe / validateStartupProbe, validateGRPCAction, ValidatePodUpdate,
 * ValidateContainerStateTransition).
 */
class PodValidationTest {

    static Pod pod(String specYaml) {
        return Json.readYaml("{metadata: {name: p, namespace: default}, spec: " + specYaml + "}", Pod.class);
    }

    static List<String> errors(Pod p) {
        FieldErrors errs = new FieldErrors();
        Validation.pod(errs, p);
        return render(errs);
    }

    static List<String> updateErrors(Pod now, Pod old) {
        FieldErrors errs = new FieldErrors();
        Validation.podUpdate(errs, now, old);
        return render(errs);
    }

    static List<String> statusUpdateErrors(Pod now, Pod old) {
        FieldErrors errs = new FieldErrors();
        Validation.podStatusUpdate(errs, now, old);
        return render(errs);
    }

    static List<String> render(FieldErrors errs) {
        return errs.causes().stream().map((Status.Cause c) -> c.field + ": " + c.message).toList();
    }

    static final String C = "{name: app, image: busybox}";

    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                arguments("{activeDeadlineSeconds: 0, containers: [" + C + "]}",
                        "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
                arguments("{activeDeadlineSeconds: 3000000000, containers: [" + C + "]}",
                        "spec.activeDeadlineSeconds: Invalid value: 3000000000: must be between 1 and 2147483647, inclusive"),
                arguments("{initContainers: [{name: i, image: busybox, restartPolicy: OnFailure}], containers: [" + C + "]}",
                        "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
                arguments("{containers: [{name: app, image: busybox, restartPolicy: Always}]}",
                        "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"),
                arguments("{initContainers: [{name: i, image: busybox, livenessProbe: {exec: {command: [ok]}}}], containers: [" + C + "]}",
                        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
                arguments("{initContainers: [{name: i, image: busybox, readinessProbe: {exec: {command: [ok]}}}], containers: [" + C + "]}",
                        "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
                arguments("{initContainers: [{name: i, image: busybox, startupProbe: {exec: {command: [ok]}}}], containers: [" + C + "]}",
                        "spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
                arguments("{initContainers: [{name: i, image: busybox, lifecycle: {preStop: {exec: {command: [ok]}}}}], containers: [" + C + "]}",
                        "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"),
                arguments("{containers: [{name: app, image: busybox, livenessProbe: {exec: {command: [ok]}, successThreshold: 2}}]}",
                        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
                arguments("{containers: [{name: app, image: busybox, startupProbe: {exec: {command: [ok]}, successThreshold: 3}}]}",
                        "spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"),
                arguments("{initContainers: [{name: s, image: busybox, restartPolicy: Always, livenessProbe: {exec: {command: [ok]}, successThreshold: 2}}], containers: [" + C + "]}",
                        "spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
                arguments("{containers: [{name: app, image: busybox, readinessProbe: {exec: {command: [ok]}, terminationGracePeriodSeconds: 5}}]}",
                        "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"),
                arguments("{containers: [{name: app, image: busybox, livenessProbe: {grpc: {port: 70000}}}]}",
                        "spec.containers[0].livenessProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
                arguments("{containers: [{name: app, image: busybox, livenessProbe: {grpc: {port: 0}}}]}",
                        "spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidSpecs")
    void rejectsWhatKubernetesRejects(String spec, String expected) {
        assertThat(errors(pod(spec))).containsExactly(expected);
    }

    @Test
    void aSidecarMayHaveProbesAndHooksAndAReadinessProbeWithoutGracePeriodIsFine() {
        assertThat(errors(pod("{activeDeadlineSeconds: 1, initContainers: [{name: s, image: busybox, restartPolicy: Always,"
                + " livenessProbe: {exec: {command: [ok]}}, readinessProbe: {grpc: {port: 9090}}, startupProbe: {tcpSocket: {port: 80}},"
                + " lifecycle: {preStop: {exec: {command: [ok]}}}}], containers: [{name: app, image: busybox,"
                + " livenessProbe: {exec: {command: [ok]}, successThreshold: 1, terminationGracePeriodSeconds: 3}}]}"))).isEmpty();
    }

    @Test
    void activeDeadlineSecondsMayBeSetOrLoweredButNotRaisedOrRemoved() {
        Pod none = pod("{containers: [" + C + "]}");
        Pod ten = pod("{activeDeadlineSeconds: 10, containers: [" + C + "]}");
        Pod five = pod("{activeDeadlineSeconds: 5, containers: [" + C + "]}");
        Pod twenty = pod("{activeDeadlineSeconds: 20, containers: [" + C + "]}");
        assertThat(updateErrors(ten, none)).isEmpty();
        assertThat(updateErrors(five, ten)).isEmpty();
        assertThat(updateErrors(twenty, ten)).containsExactly("spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value");
        assertThat(updateErrors(none, ten)).containsExactly("spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value");
    }

    static Pod withStatus(String restartPolicy, String state) {
        Pod p = pod("{restartPolicy: " + restartPolicy + ", containers: [" + C + "]}");
        p.status = Json.readYaml("{phase: Running, containerStatuses: [{name: app, state: " + state + "}]}", io.kube4j.api.PodStatus.class);
        return p;
    }

    @Test
    void aStatusWriteMayNotBringBackATerminatedContainerThatThePolicyWillNotRestart() {
        String done = "{terminated: {exitCode: 0}}";
        String failed = "{terminated: {exitCode: 1}}";
        String running = "{running: {}}";
        assertThat(statusUpdateErrors(withStatus("Never", running), withStatus("Never", failed)))
                .containsExactly("status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state");
        assertThat(statusUpdateErrors(withStatus("OnFailure", running), withStatus("OnFailure", done)))
                .containsExactly("status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state");
        assertThat(statusUpdateErrors(withStatus("OnFailure", running), withStatus("OnFailure", failed))).isEmpty();
        assertThat(statusUpdateErrors(withStatus("Always", running), withStatus("Always", done))).isEmpty();
    }
}
