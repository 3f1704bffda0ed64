package io.kube4j.apiserver.web;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The representation of an answer follows Accept; protobuf only where the kind has a message that fits. */
class ResponseEncoderTest {
    final ResponseEncoder encoder = new ResponseEncoder();

    MockHttpServletResponse write(String accept, JsonNode body) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/v1/namespaces/default/configmaps/c");
        if (accept != null) {
            req.addHeader("Accept", accept);
        }
        MockHttpServletResponse resp = new MockHttpServletResponse();
        encoder.write(req, resp, 200, ResourceTypes.CONFIGMAPS, body);
        return resp;
    }

    static final JsonNode CM = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"b\"}}");

    @Test
    void kubectlsTypedAcceptGetsProtobuf() throws Exception {
        MockHttpServletResponse resp = write("application/vnd.kubernetes.protobuf,application/json", CM);

        assertThat(resp.getContentType()).isEqualTo("application/vnd.kubernetes.protobuf");
        assertThat(ProtobufCodec.toJson(ProtobufCodec.envelope(resp.getContentAsByteArray()), null, null)).isEqualTo(CM);
    }

    @Test
    void jsonAndYamlAsBefore() throws Exception {
        assertThat(write(null, CM).getContentType()).isEqualTo("application/json");
        assertThat(write("application/json, application/vnd.kubernetes.protobuf", CM).getContentType()).isEqualTo("application/json");
        MockHttpServletResponse yaml = write("application/yaml", CM);
        assertThat(yaml.getContentType()).isEqualTo("application/yaml");
        assertThat(yaml.getContentAsString()).contains("kind: ConfigMap");
    }

    @Test
    void kindsWithoutAMessageAndMisfitsAnswerJson() throws Exception {
        JsonNode poll = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"WatchEventList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[]}");
        assertThat(write("application/vnd.kubernetes.protobuf", poll).getContentType()).isEqualTo("application/json");

        JsonNode misfit = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"generation\":\"one\"}}");
        MockHttpServletResponse resp = write("application/vnd.kubernetes.protobuf", misfit);
        assertThat(resp.getContentType()).isEqualTo("application/json");
        assertThat(Json.tree(resp.getContentAsByteArray())).isEqualTo(misfit);
    }
}
