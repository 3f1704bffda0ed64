package io.kube4j.apiserver.discovery;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The protobuf /openapi/v2 read back field by field with gnostic's numbers (OpenAPIv2.proto): what
 * kubectl's QueryParamVerifier and its OpenAPI parser look at is there, and nothing is dropped.
 */
class OpenApiV2ProtobufTest {
    final OpenApiController controller = new OpenApiController();

    ResponseEntity<byte[]> get(String accept) {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/openapi/v2");
        if (accept != null) {
            req.addHeader("Accept", accept);
        }
        return controller.swagger(req);
    }

    @Test
    void negotiatesAsKubeOpenApi() {
        assertThat(get(null).getHeaders().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(get("application/com.github.proto-openapi.spec.v2@v1.0+protobuf").getHeaders().getFirst("Content-Type"))
                .isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        assertThat(get("application/com.github.proto-openapi.spec.v2.v1.0+protobuf").getHeaders().getFirst("Content-Type"))
                .isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        ResponseEntity<byte[]> none = get("text/html");
        assertThat(none.getStatusCode().value()).isEqualTo(406);
        assertThat(none.getBody()).isNull();
    }

    @Test
    void theDocumentCarriesEveryPathAndDefinition() throws Exception {
        JsonNode json = Json.tree(get("application/json").getBody());
        UnknownFieldSet doc = UnknownFieldSet.parseFrom(get("application/com.github.proto-openapi.spec.v2@v1.0+protobuf").getBody());

        assertThat(string(doc, 1)).isEqualTo("2.0");
        UnknownFieldSet info = messages(doc, 2).getFirst();
        assertThat(string(info, 1)).isEqualTo(json.at("/info/title").asString());
        List<UnknownFieldSet> paths = messages(messages(doc, 8).getFirst(), 2);
        assertThat(paths).hasSize(json.get("paths").size());
        List<UnknownFieldSet> definitions = messages(messages(doc, 9).getFirst(), 1);
        assertThat(definitions).hasSize(json.get("definitions").size());
    }

    /** What kubectl's QueryParamVerifier reads: a PATCH with its GVK extension and a fieldValidation query parameter. */
    @Test
    void aPatchOperationNamesItsKindAndFieldValidation() throws Exception {
        UnknownFieldSet doc = UnknownFieldSet.parseFrom(get("application/com.github.proto-openapi.spec.v2@v1.0+protobuf").getBody());
        UnknownFieldSet namespacePath = messages(messages(doc, 8).getFirst(), 2).stream()
                .filter(p -> string(p, 1).equals("/api/v1/namespaces/{name}")).findFirst().orElseThrow();
        UnknownFieldSet patch = messages(messages(namespacePath, 2).getFirst(), 8).getFirst();

        Map<String, String> extensions = new java.util.HashMap<>();
        for (UnknownFieldSet named : messages(patch, 13)) {
            extensions.put(string(named, 1), string(messages(named, 2).getFirst(), 2));
        }
        JsonNode gvk = Json.yaml().readTree(extensions.get("x-kubernetes-group-version-kind"));
        assertThat(gvk.path("group").asString()).isEmpty();
        assertThat(gvk.path("version").asString()).isEqualTo("v1");
        assertThat(gvk.path("kind").asString()).isEqualTo("Namespace");

        List<String> queryNames = new ArrayList<>();
        for (UnknownFieldSet item : messages(patch, 8)) {
            UnknownFieldSet nonBody = messages(messages(item, 1).getFirst(), 2).getFirst();
            for (UnknownFieldSet query : messages(nonBody, 3)) {
                queryNames.add(string(query, 4));
                assertThat(string(query, 2)).isEqualTo("query");
            }
        }
        assertThat(queryNames).contains("fieldValidation", "fieldManager", "dryRun");
    }

    @Test
    void partsKube4jNeverWritesFailLoudly() {
        assertThatThrownBy(() -> OpenApiV2Protobuf.encode(Json.tree("{\"swagger\":\"2.0\",\"securityDefinitions\":{}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("securityDefinitions");
    }

    static String string(UnknownFieldSet set, int field) {
        List<ByteString> values = set.getField(field).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.getFirst().toStringUtf8();
    }

    static List<UnknownFieldSet> messages(UnknownFieldSet set, int field) {
        List<UnknownFieldSet> out = new ArrayList<>();
        for (ByteString b : set.getField(field).getLengthDelimitedList()) {
            try {
                out.add(UnknownFieldSet.parseFrom(b));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
