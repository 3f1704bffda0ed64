package io.kube4j.apiserver.web;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.apiserver.web.MediaTypes.Format.JSON;
import static io.kube4j.apiserver.web.MediaTypes.Format.PROTOBUF;
import static io.kube4j.apiserver.web.MediaTypes.Format.YAML;
import static org.assertj.core.api.Assertions.assertThat;

/** Accept negotiation as Kubernetes' negotiate.go and goautoneg order it. */
class MediaTypesTest {

    @Test
    void kubectlTypedCommandsGetProtobuf() {
        assertThat(MediaTypes.negotiate("application/vnd.kubernetes.protobuf,application/json")).isEqualTo(PROTOBUF);
        assertThat(MediaTypes.negotiate("application/vnd.kubernetes.protobuf")).isEqualTo(PROTOBUF);
    }

    @Test
    void theClientsOrderDecidesBetweenEquals() {
        assertThat(MediaTypes.negotiate("application/json, application/vnd.kubernetes.protobuf")).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("application/json, */*")).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("application/yaml, application/json")).isEqualTo(YAML);
    }

    @Test
    void qualityComesFirstThenSpecificity() {
        assertThat(MediaTypes.negotiate("application/json;q=0.5, application/vnd.kubernetes.protobuf")).isEqualTo(PROTOBUF);
        assertThat(MediaTypes.negotiate("*/*, application/yaml")).as("specific before wildcard at equal q").isEqualTo(YAML);
    }

    @Test
    void wildcardsAndUnknownTypesFallBackToJson() {
        assertThat(MediaTypes.negotiate(null)).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("")).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("*/*")).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("application/*")).isEqualTo(JSON);
        assertThat(MediaTypes.negotiate("text/html")).as("Kubernetes answers JSON rather than 406").isEqualTo(JSON);
        // kubectl get's Table request keeps JSON (the Table itself is decided elsewhere)
        assertThat(MediaTypes.negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,application/json")).isEqualTo(JSON);
    }

    @Test
    void chooseReportsNoMatch() {
        List<String> v2 = List.of("application/json", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        assertThat(MediaTypes.choose("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", v2)).isEqualTo(1);
        assertThat(MediaTypes.choose("*/*", v2)).isZero();
        assertThat(MediaTypes.choose("text/html", v2)).isEqualTo(-1);
    }
}
