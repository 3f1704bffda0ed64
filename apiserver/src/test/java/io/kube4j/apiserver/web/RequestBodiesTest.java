package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Object bodies in JSON, YAML and protobuf, and Kubernetes' words when one cannot be read. */
class RequestBodiesTest {

    static MockHttpServletRequest request(String contentType, byte[] body) {
        MockHttpServletRequest req = new MockHttpServletRequest("POST", "/api/v1/namespaces");
        req.setContentType(contentType);
        req.setContent(body);
        return req;
    }

    @Test
    void aProtobufBodyBecomesTheSameTreeAsJson() {
        ObjectNode ns = (ObjectNode) Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"b\"}}}");
        ObjectNode fromProtobuf = RequestBodies.object(request(ProtobufCodec.MEDIA_TYPE, ProtobufCodec.encode(ns)), 1 << 20, "v1", "Namespace");
        ObjectNode fromJson = RequestBodies.object(request("application/json", Json.writeBytes(ns)), 1 << 20, "v1", "Namespace");

        assertThat(fromProtobuf).isEqualTo(fromJson);
    }

    @Test
    void unsupportedTypesListTheThreeObjectTypes() {
        assertThatThrownBy(() -> RequestBodies.object(request("application/cbor", new byte[]{1}), 1 << 20, "v1", "Namespace"))
                .isInstanceOf(ApiError.class)
                .hasMessageContaining("accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
                .satisfies(e -> assertThat(((ApiError) e).code()).isEqualTo(415));
    }

    @Test
    void aJsonBodySentAsProtobufIsUnrecognized() {
        assertThatThrownBy(() -> RequestBodies.object(request(ProtobufCodec.MEDIA_TYPE, "{\"kind\":\"Namespace\"}".getBytes()), 1 << 20, "v1", "Namespace"))
                .isInstanceOf(ApiError.class)
                .hasMessage("the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a "
                        + "protobuf message, expected prefix [107 56 115 0] ({\"kind\":\"Namespace\"})");
    }

    @Test
    void anUnknownKindCannotBeHandled() {
        ObjectNode old = (ObjectNode) Json.tree("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"x\"}}");
        byte[] wire = ProtobufCodec.encode(old);
        // rewrite the envelope's apiVersion batch/v1 → batch/v9 (same length, so no length prefix changes)
        int at = indexOf(wire, "batch/v1".getBytes());
        wire[at + 7] = '9';

        assertThatThrownBy(() -> RequestBodies.object(request(ProtobufCodec.MEDIA_TYPE, wire), 1 << 20, "batch/v1", "CronJob"))
                .isInstanceOf(ApiError.class)
                .hasMessage("CronJob in version \"v9\" cannot be handled as a CronJob: no kind \"CronJob\" is registered for version "
                        + "\"batch/v9\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
    }

    @Test
    void anEmptyDeleteBodyIsNoOptions() {
        assertThat(RequestBodies.optionalObject(request(ProtobufCodec.MEDIA_TYPE, new byte[0]), 1 << 20, "v1", "DeleteOptions")).isNull();
        ObjectNode opts = (ObjectNode) Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Foreground\",\"gracePeriodSeconds\":0}");
        ObjectNode read = RequestBodies.optionalObject(request(ProtobufCodec.MEDIA_TYPE, ProtobufCodec.encode(opts)), 1 << 20, "v1", "DeleteOptions");
        assertThat(read.path("propagationPolicy").asString()).isEqualTo("Foreground");
        assertThat(read.path("gracePeriodSeconds").asInt(-1)).isZero();
    }

    static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i + part.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
