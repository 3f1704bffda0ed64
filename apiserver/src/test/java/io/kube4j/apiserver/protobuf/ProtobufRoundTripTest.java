package io.kube4j.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import io.kubernetes.client.proto.Meta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JSON → Kubernetes protobuf → JSON for one representative object of every kind kube4j serves
 * ({@code src/test/resources/protobuf/<Kind>.yaml}): nothing is lost, nothing is added. The fixtures hold
 * the special cases: IntOrString in both forms, Quantities, Time and MicroTime, Secret and ConfigMap
 * bytes, ControllerRevision's RawExtension, managedFields' FieldsV1, pointer fields set to 0 and false.
 */
class ProtobufRoundTripTest {

    static List<String> kinds() {
        return ResourceTypes.ALL.stream().map(ResourceType::kind).toList();
    }

    static ObjectNode fixture(String kind) {
        try (InputStream in = ProtobufRoundTripTest.class.getResourceAsStream("/protobuf/" + kind + ".yaml")) {
            assertThat(in).as("fixture protobuf/%s.yaml", kind).isNotNull();
            return (ObjectNode) Json.yaml().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Numbers compare by value: YAML reads 1 as an int, the decoder writes an int64 field as a long. */
    static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    static void assertSameJson(JsonNode actual, JsonNode expected) {
        assertThat(actual.equals(SAME_VALUE, expected))
                .as("round trip changed the object:%n expected %s%n actual   %s", expected, actual)
                .isTrue();
    }

    static ObjectNode roundTrip(JsonNode object) {
        byte[] wire = ProtobufCodec.encode(object, true);
        return ProtobufCodec.toJson(ProtobufCodec.envelope(wire), null, null);
    }

    @Test
    void everyServedKindAndItsListHaveAKubernetesMessage() {
        for (ResourceType rt : ResourceTypes.ALL) {
            Descriptor kind = ProtobufSchemas.forKind(rt.apiVersion(), rt.kind()).orElse(null);
            Descriptor list = ProtobufSchemas.forKind(rt.apiVersion(), rt.listKind()).orElse(null);
            assertThat(kind).as("message for %s %s", rt.apiVersion(), rt.kind()).isNotNull();
            assertThat(kind.getName()).isEqualTo(rt.kind());
            assertThat(list).as("message for %s %s", rt.apiVersion(), rt.listKind()).isNotNull();
            assertThat(list.findFieldByName("items").getMessageType()).isEqualTo(kind);
        }
        assertThat(ProtobufSchemas.forKind("v1", "Status")).isPresent();
        assertThat(ProtobufSchemas.forKind("autoscaling/v1", "Scale")).isPresent();
        assertThat(ProtobufSchemas.forKind("policy/v1", "Eviction")).isPresent();
        assertThat(ProtobufSchemas.forKind("batch/v1beta1", "CronJob")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void everyKindRoundTripsWithoutLoss(String kind) {
        ObjectNode object = fixture(kind);
        assertThat(object.path("kind").asString()).isEqualTo(kind);
        ObjectNode back = roundTrip(object);
        assertSameJson(back, object);
        assertThat(back.propertyNames().iterator().next()).as("apiVersion comes first").isEqualTo("apiVersion");
    }

    @Test
    void aListRoundTripsWithItsMetadata() {
        ObjectNode list = (ObjectNode) Json.tree("""
                {"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"77","continue":"abc","remainingItemCount":3},
                 "items":[{"metadata":{"name":"a","namespace":"default"},"data":{"k":"v"}},{"metadata":{"name":"b","namespace":"default"}}]}""");
        assertSameJson(roundTrip(list), list);
    }

    @Test
    void aStatusRoundTripsWithItsCauses() {
        ObjectNode status = (ObjectNode) Json.tree("""
                {"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"Pod \\"x\\" is invalid",
                 "reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]},"code":422}""");
        ObjectNode back = roundTrip(status);
        // metadata {} is an empty message: present on the wire, so it comes back
        assertSameJson(back, status);
    }

    @Test
    void intOrStringTravelsAsTypedValue() {
        Message svc = message(fixture("Service"));
        Message spec = (Message) svc.getField(field(svc, "spec"));
        Message port0 = (Message) spec.getRepeatedField(field(spec, "ports"), 0);
        Message port1 = (Message) spec.getRepeatedField(field(spec, "ports"), 1);
        Message target0 = (Message) port0.getField(field(port0, "targetPort"));
        Message target1 = (Message) port1.getField(field(port1, "targetPort"));
        assertThat(target0.getField(field(target0, "type"))).isEqualTo(0L);
        assertThat(target0.getField(field(target0, "intVal"))).isEqualTo(8080);
        assertThat(target1.getField(field(target1, "type"))).isEqualTo(1L);
        assertThat(target1.getField(field(target1, "strVal"))).isEqualTo("http");
    }

    @Test
    void secretDataTravelsAsRawBytes() {
        Message secret = message(fixture("Secret"));
        FieldDescriptor data = field(secret, "data");
        ByteString binary = null;
        for (int i = 0; i < secret.getRepeatedFieldCount(data); i++) {
            Message entry = (Message) secret.getRepeatedField(data, i);
            if (entry.getField(field(entry, "key")).equals("binary")) {
                binary = (ByteString) entry.getField(field(entry, "value"));
            }
        }
        assertThat(binary).isNotNull();
        assertThat(binary.toByteArray()).containsExactly(0x00, 0xff, 0x80, 0xff);
    }

    @Test
    void timesAreSecondsAndMicroTimesKeepMicroseconds() {
        Message event = message(fixture("Event"));
        Message first = (Message) event.getField(field(event, "firstTimestamp"));
        Message micro = (Message) event.getField(field(event, "eventTime"));
        assertThat(first.getField(field(first, "seconds"))).isEqualTo(1740824430L);
        assertThat(micro.getField(field(micro, "seconds"))).isEqualTo(1740824430L);
        assertThat(micro.getField(field(micro, "nanos"))).isEqualTo(123456000);
        // an offset is normalised to UTC, as metav1.Time's MarshalJSON does
        ObjectNode ns = fixture("Namespace");
        ((ObjectNode) ns.get("metadata")).put("creationTimestamp", "2025-03-01T12:20:30+02:00");
        assertThat(roundTrip(ns).at("/metadata/creationTimestamp").asString()).isEqualTo("2025-03-01T10:20:30Z");
    }

    @Test
    void rawExtensionAndFieldsV1CarryJsonBytes() {
        ObjectNode revision = fixture("ControllerRevision");
        Message m = message(revision);
        Message data = (Message) m.getField(field(m, "data"));
        ByteString raw = (ByteString) data.getField(field(data, "raw"));
        assertSameJson(Json.tree(raw.toByteArray()), revision.get("data"));

        ObjectNode ns = fixture("Namespace");
        Message nsMessage = message(ns);
        Message meta = (Message) nsMessage.getField(field(nsMessage, "metadata"));
        Message entry = (Message) meta.getRepeatedField(field(meta, "managedFields"), 0);
        Message fields = (Message) entry.getField(field(entry, "fieldsV1"));
        assertSameJson(Json.tree(((ByteString) fields.getField(field(fields, "Raw"))).toByteArray()), ns.at("/metadata/managedFields/0/fieldsV1"));
    }

    @Test
    void emptyListsAndMapsBecomeAbsentAsInKubernetesButEmptyStructsStay() {
        ObjectNode pod = (ObjectNode) Json.tree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{},"finalizers":[]},
                 "spec":{"containers":[{"name":"c","image":"i","args":[]}],"volumes":[{"name":"v","emptyDir":{}}]}}""");
        ObjectNode back = roundTrip(pod);
        assertThat(back.at("/metadata").has("labels")).isFalse();
        assertThat(back.at("/metadata").has("finalizers")).isFalse();
        assertThat(back.at("/spec/containers/0").has("args")).isFalse();
        assertThat(back.at("/spec/volumes/0/emptyDir").isObject()).as("emptyDir: {} is a set pointer").isTrue();
    }

    /**
     * What Go's generated marshalling writes: every non-pointer field, set or not. Empty strings and the
     * omitempty zeros disappear as in Kubernetes' JSON; a pointer's 0 stays 0 ({@code replicas: 0} must not
     * become the default of 1), and so does a non-omitempty zero ({@code PriorityClass.value}).
     */
    @Test
    void zeroValuesFollowKubernetesJson() throws Exception {
        byte[] body = HexFormat.of().parseHex(resource("/protobuf/kubectl-1.32/deployments.hex").trim());
        ProtobufCodec.Envelope envelope = ProtobufCodec.envelope(body);
        DynamicMessage wire = DynamicMessage.parseFrom(ProtobufSchemas.forKind("apps/v1", "Deployment").orElseThrow(), envelope.raw());
        Message spec = (Message) wire.getField(field(wire, "spec"));
        Message template = (Message) spec.getField(field(spec, "template"));
        Message podSpec = (Message) template.getField(field(template, "spec"));
        assertThat(podSpec.hasField(field(podSpec, "hostNetwork"))).as("Go writes the non-pointer false").isTrue();
        assertThat(spec.getField(field(spec, "replicas"))).isEqualTo(0);

        ObjectNode json = ProtobufCodec.toJson(envelope, null, null);
        assertThat(json.at("/spec/replicas").isInt()).isTrue();
        assertThat(json.at("/spec/replicas").asInt()).isZero();
        assertThat(json.at("/spec/template/spec").has("hostNetwork")).isFalse();
        assertThat(json.at("/metadata").has("generation")).isFalse();
        assertThat(json.at("/metadata").has("generateName")).isFalse();

        ObjectNode priorityClass = ProtobufCodec.toJson(ProtobufCodec.envelope(
                HexFormat.of().parseHex(resource("/protobuf/kubectl-1.32/priorityclasses.hex").trim())), null, null);
        assertThat(priorityClass.has("value")).as("value has no omitempty").isTrue();
        assertThat(priorityClass.has("globalDefault")).isFalse();
    }

    /**
     * The bodies kubectl v1.32.4 sent for its typed create commands (captured with a recording proxy;
     * {@code jobs-from-cronjob} is {@code create job --from=cronjob/rich} of a CronJob using most PodSpec
     * structures, which kubectl read from kube4j in protobuf and wrote back) decode to the object kubectl
     * prints for the same command with {@code --dry-run=client -o json}. The one difference is Go's
     * {@code creationTimestamp: null}, which the decoder leaves out.
     */
    @ParameterizedTest
    @MethodSource("capturedCommands")
    void decodesWhatKubectlSends(String resource) throws Exception {
        byte[] body = HexFormat.of().parseHex(resource("/protobuf/kubectl-1.32/" + resource + ".hex").trim());
        ObjectNode decoded = ProtobufCodec.toJson(ProtobufCodec.envelope(body), null, null);
        ObjectNode expected = (ObjectNode) Json.tree(resource("/protobuf/kubectl-1.32/" + resource + ".json"));
        dropNulls(expected);
        assertSameJson(decoded, expected);
    }

    static List<String> capturedCommands() {
        return List.of("namespaces", "deployments", "deployments-port", "services", "services-nodeport",
                "services-loadbalancer", "services-externalname", "configmaps", "secrets", "secrets-docker-registry",
                "jobs", "jobs-from-cronjob", "cronjobs", "serviceaccounts", "roles", "clusterroles", "rolebindings",
                "clusterrolebindings", "resourcequotas", "ingresses", "poddisruptionbudgets", "priorityclasses");
    }

    @Test
    void envelopeErrorsUseKubernetesWords() {
        assertThatThrownBy(() -> ProtobufCodec.envelope(new byte[0])).hasMessage("empty data");
        assertThatThrownBy(() -> ProtobufCodec.envelope("{}".getBytes()))
                .hasMessage("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        assertThatThrownBy(() -> ProtobufCodec.envelope(new byte[]{0x6b, 0x38, 0x73, 0x00})).hasMessage("empty body");
        ObjectNode old = (ObjectNode) Json.tree("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"x\"}}");
        ProtobufCodec.Envelope e = ProtobufCodec.envelope(ProtobufCodec.encode(old));
        ProtobufCodec.Envelope renamed = new ProtobufCodec.Envelope("batch/v1beta1", "CronJob", e.raw());
        assertThatThrownBy(() -> ProtobufCodec.toJson(renamed, null, null))
                .hasMessage("no kind \"CronJob\" is registered for version \"batch/v1beta1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
        ProtobufCodec.Envelope noKind = new ProtobufCodec.Envelope("batch/v1", "", e.raw());
        assertThatThrownBy(() -> ProtobufCodec.toJson(noKind, null, null))
                .hasMessage("Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"batch/v1\", Kind:\"\"}'");
        // the endpoint's kind fills a missing one, as protobuf.go's copyKindDefaults does
        assertThat(ProtobufCodec.toJson(noKind, "batch/v1", "CronJob").path("kind").asString()).isEqualTo("CronJob");
    }

    @Test
    void wrongJsonTypesAreRefusedWithTheirPath() {
        ObjectNode bad = (ObjectNode) Json.tree("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":\"three\"}}");
        assertThatThrownBy(() -> ProtobufCodec.encode(bad)).isInstanceOf(ProtobufException.class).hasMessageContaining("spec.replicas");
        ObjectNode unknown = (ObjectNode) Json.tree("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicaz\":3}}");
        assertThatThrownBy(() -> ProtobufCodec.encode(unknown, true)).hasMessageContaining("spec.replicaz");
        assertThat(ProtobufCodec.encode(unknown)).as("lenient encoding drops unknown fields like Go").isNotEmpty();
    }

    @Test
    void watchFramesAreLengthPrefixedWatchEvents() throws Exception {
        ObjectNode cm = fixture("ConfigMap");
        byte[] frame = ProtobufCodec.watchFrame("ADDED", cm);
        int length = ((frame[0] & 0xff) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
        assertThat(length).isEqualTo(frame.length - 4);
        Descriptor watchEvent = Meta.getDescriptor().findMessageTypeByName("WatchEvent");
        DynamicMessage event = DynamicMessage.parseFrom(watchEvent, ByteString.copyFrom(frame, 4, length));
        assertThat(event.getField(field(event, "type"))).isEqualTo("ADDED");
        Message raw = (Message) event.getField(field(event, "object"));
        ObjectNode object = ProtobufCodec.toJson(ProtobufCodec.envelope(((ByteString) raw.getField(field(raw, "raw"))).toByteArray()), null, null);
        assertSameJson(object, cm);
    }

    // --- helpers

    static Message message(ObjectNode object) {
        Descriptor type = ProtobufSchemas.forKind(object.path("apiVersion").asString(), object.path("kind").asString()).orElseThrow();
        try {
            return DynamicMessage.parseFrom(type, ProtobufCodec.envelope(ProtobufCodec.encode(object, true)).raw());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static FieldDescriptor field(Message m, String name) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        assertThat(f).as("%s.%s", m.getDescriptorForType().getName(), name).isNotNull();
        return f;
    }

    static String resource(String path) throws IOException {
        try (InputStream in = ProtobufRoundTripTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static void dropNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull());
            o.forEach(ProtobufRoundTripTest::dropNulls);
        } else if (node.isArray()) {
            node.forEach(ProtobufRoundTripTest::dropNulls);
        }
    }
}
