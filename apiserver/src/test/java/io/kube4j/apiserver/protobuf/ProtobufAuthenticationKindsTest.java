package io.kube4j.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import io.kube4j.json.Json;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1Authentication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authentication.k8s.io and authorization.k8s.io messages whose proto shape differs from their JSON:
 * BoundObjectReference's {@code uID = 4} (JSON {@code uid}) and ExtraValue, a message
 * {@code repeated string items = 1} that JSON writes as a plain array (k8s.io/api/authentication/v1/generated.proto).
 */
class ProtobufAuthenticationKindsTest {

    /** The bytes kubectl create token --bound-object-uid sends, built from the descriptors, not our encoder. */
    private static byte[] tokenRequestWithUid() throws Exception {
        Descriptor tr = V1Authentication.getDescriptor().findMessageTypeByName("TokenRequest");
        Descriptor spec = V1Authentication.getDescriptor().findMessageTypeByName("TokenRequestSpec");
        Descriptor ref = V1Authentication.getDescriptor().findMessageTypeByName("BoundObjectReference");
        DynamicMessage bound = DynamicMessage.newBuilder(ref)
                .setField(ref.findFieldByNumber(1), "Pod")
                .setField(ref.findFieldByNumber(2), "v1")
                .setField(ref.findFieldByNumber(3), "bp")
                .setField(ref.findFieldByNumber(4), "123").build();
        DynamicMessage message = DynamicMessage.newBuilder(tr)
                .setField(tr.findFieldByName("spec"), DynamicMessage.newBuilder(spec)
                        .setField(spec.findFieldByName("boundObjectRef"), bound)
                        .setField(spec.findFieldByName("expirationSeconds"), 3600L).build()).build();
        Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("authentication.k8s.io/v1").setKind("TokenRequest"))
                .setRaw(message.toByteString()).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{0x6b, 0x38, 0x73, 0x00});
        unknown.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void boundObjectReferenceUidSurvivesDecoding() throws Exception {
        ObjectNode json = ProtobufCodec.toJson(ProtobufCodec.envelope(tokenRequestWithUid()), null, null);
        JsonNode ref = json.path("spec").path("boundObjectRef");
        assertThat(ref.path("uid").asString()).isEqualTo("123");
        assertThat(ref.path("kind").asString()).isEqualTo("Pod");
        assertThat(ref.path("name").asString()).isEqualTo("bp");
        assertThat(ref.has("uID")).isFalse();
    }

    @Test
    void boundObjectReferenceUidIsEncodedAsFieldFour() throws Exception {
        JsonNode tr = Json.tree("""
                {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
                 "spec":{"boundObjectRef":{"kind":"Node","apiVersion":"v1","name":"n1","uid":"u-1"}}}""".getBytes());
        byte[] wire = ProtobufCodec.encode(tr, true);
        ProtobufCodec.Envelope env = ProtobufCodec.envelope(wire);
        DynamicMessage m = DynamicMessage.parseFrom(V1Authentication.getDescriptor().findMessageTypeByName("TokenRequest"), env.raw());
        Descriptor spec = V1Authentication.getDescriptor().findMessageTypeByName("TokenRequestSpec");
        DynamicMessage ref = (DynamicMessage) ((DynamicMessage) m.getField(m.getDescriptorForType().findFieldByName("spec")))
                .getField(spec.findFieldByName("boundObjectRef"));
        assertThat(ref.getField(ref.getDescriptorForType().findFieldByNumber(4))).isEqualTo("u-1");
    }

    @Test
    void userInfoExtraIsAnArrayOfStringsBothWays() throws Exception {
        JsonNode review = Json.tree("""
                {"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{"creationTimestamp":null},
                 "status":{"userInfo":{"username":"alice","groups":["g1","system:authenticated"],
                   "extra":{"scopes":["a","b"],"empty":[]}}}}""".getBytes());
        byte[] wire = ProtobufCodec.encode(review, true);
        ObjectNode back = ProtobufCodec.toJson(ProtobufCodec.envelope(wire), null, null);
        JsonNode extra = back.path("status").path("userInfo").path("extra");
        assertThat(extra.path("scopes").isArray()).isTrue();
        assertThat(extra.path("scopes").get(0).asString()).isEqualTo("a");
        assertThat(extra.path("scopes").get(1).asString()).isEqualTo("b");
        assertThat(extra.path("empty").isArray()).isTrue();
        assertThat(extra.path("empty").size()).isZero();

        DynamicMessage m = DynamicMessage.parseFrom(V1Authentication.getDescriptor().findMessageTypeByName("SelfSubjectReview"),
                ProtobufCodec.envelope(wire).raw());
        assertThat(m.toString()).contains("items: \"a\"").contains("items: \"b\"");
    }

    @Test
    void subjectAccessReviewExtraIsAnArrayOfStrings() throws Exception {
        JsonNode sar = Json.tree("""
                {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
                 "spec":{"user":"bob","extra":{"k":["v1","v2"]},"resourceAttributes":{"verb":"get","resource":"pods"}}}""".getBytes());
        ObjectNode back = ProtobufCodec.toJson(ProtobufCodec.envelope(ProtobufCodec.encode(sar, true)), null, null);
        assertThat(back.path("spec").path("extra").path("k").toString()).isEqualTo("[\"v1\",\"v2\"]");
    }
}
