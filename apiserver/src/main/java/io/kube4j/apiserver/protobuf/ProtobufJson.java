package io.kube4j.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.kube4j.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Converts between Kubernetes' protobuf messages and kube4j's JSON trees, using the generated message
 * descriptors. A field's proto name is its JSON name with two kinds of exception, listed in
 * {@link #INLINE} and {@link #RENAMED} (and checked against the Kubernetes 1.32 OpenAPI models by
 * ProtobufFieldNamesTest): embedded Go structs that JSON inlines, and a few fields go-to-protobuf named
 * after the Go field ({@code aPIGroup}). The JSON is what Kubernetes' own JSON serializer writes for the
 * same Go object:
 * <ul>
 *   <li>{@code IntOrString} ({@code type}/{@code intVal}/{@code strVal}) is a JSON number or string;</li>
 *   <li>{@code Quantity} is its string; {@code Time} is RFC 3339 in UTC with whole seconds and
 *       {@code MicroTime} with six fraction digits (metav1's MarshalJSON); a Time message with no field
 *       set is Go's zero time, which JSON writes as null, so the field is left out;</li>
 *   <li>{@code RawExtension.raw} and {@code FieldsV1.Raw} hold JSON bytes and are embedded as JSON;</li>
 *   <li>{@code bytes} fields ({@code Secret.data}, {@code ConfigMap.binaryData}) are base64 (Go's {@code []byte});</li>
 *   <li>map fields are JSON objects, written with sorted keys as Go's protobuf and JSON encoders do;</li>
 *   <li>repeated and map fields with no entries are left out: the wire cannot tell an empty list from
 *       an absent one, and Kubernetes' own decoder gives a nil slice that its JSON omits;</li>
 *   <li>a singular string field holding {@code ""} is left out: Go's generated marshalling writes every
 *       non-pointer string, set or not, and Kubernetes treats {@code ""} of such a field exactly like its
 *       absence ({@code omitempty}); a zero number or {@code false} is left out only for the fields of
 *       {@link #OMIT_ZERO}, and kept otherwise, because a pointer field ({@code replicas: 0},
 *       {@code automountServiceAccountToken: false}) means something different from an absent one and
 *       the descriptors do not say which fields are pointers.</li>
 * </ul>
 * {@code apiVersion} and {@code kind} are never message fields (TypeMeta travels in the envelope, see
 * {@link ProtobufCodec}), so they are skipped wherever the message has no field of that name.
 */
public final class ProtobufJson {
    private static final String META = ProtobufSchemas.META_V1 + ".";
    static final String TIME = META + "Time";
    static final String MICRO_TIME = META + "MicroTime";
    static final String FIELDS_V1 = META + "FieldsV1";
    static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";

    /**
     * The messages go-to-protobuf makes of a named Go slice type ({@code type ExtraValue []string}):
     * one field {@code repeated string items = 1}, while JSON writes the slice itself, an array of strings
     * (authentication/v1 UserInfo.extra, authorization/v1 SubjectAccessReviewSpec.extra, certificates/v1
     * CertificateSigningRequestSpec.extra).
     */
    static final Set<String> STRING_SLICES = Set.of(
            "k8s.io.api.authentication.v1.ExtraValue",
            "k8s.io.api.authorization.v1.ExtraValue",
            "k8s.io.api.certificates.v1.ExtraValue");

    /** metav1.Time's JSON form: RFC 3339, UTC, whole seconds. */
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    /** metav1.MicroTime's JSON form: RFC 3339 with six fraction digits. */
    private static final DateTimeFormatter RFC3339_MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Embedded Go structs whose fields JSON writes into the outer object ({@code json:",inline"}) while
     * protobuf keeps them in a field of their own: Volume's VolumeSource, Probe's ProbeHandler, the
     * LocalObjectReference of the config map and secret references, ...
     */
    static final Set<String> INLINE = Set.of(
            "k8s.io.api.core.v1.Volume.volumeSource",
            "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
            "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
            "k8s.io.api.core.v1.Probe.handler",
            "k8s.io.api.core.v1.VolumeMountStatus.volumeStatus",
            "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
            "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
            "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
            "k8s.io.api.core.v1.SecretProjection.localObjectReference",
            "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
            "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
            "k8s.io.api.admissionregistration.v1.RuleWithOperations.rule");

    /**
     * Fields whose proto name (from the Go field name) differs from their JSON name: go-to-protobuf
     * lower-cases only the first letter of the Go name, so {@code UID} becomes {@code uID} and a field
     * with a {@code protobuf} tag of its own keeps its Go spelling ({@code Webhooks}). Found by walking
     * every message of the served proto files (ProtobufFieldNamesTest).
     */
    static final Map<String, String> RENAMED = Map.of(
            "k8s.io.api.authentication.v1.BoundObjectReference.uID", "uid",
            "k8s.io.api.admissionregistration.v1.MutatingWebhookConfiguration.Webhooks", "webhooks",
            "k8s.io.api.admissionregistration.v1.ValidatingWebhookConfiguration.Webhooks", "webhooks",
            "k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup", "apiGroup",
            "k8s.io.api.admissionregistration.v1.Validation.Expression", "expression",
            "k8s.io.api.admissionregistration.v1.Variable.Name", "name",
            "k8s.io.api.admissionregistration.v1.Variable.Expression", "expression");

    /**
     * Non-pointer number and boolean fields with {@code omitempty}: Go's marshalling writes them even
     * when zero, Kubernetes' JSON leaves them out then. Read off the bodies kubectl v1.32 sends for its
     * typed commands against the JSON it prints for the same objects (the pairs under
     * {@code src/test/resources/protobuf/kubectl-1.32}, which ProtobufRoundTripTest decodes): a field
     * written as zero on the wire but absent from kubectl's JSON is one of these. Every other number or
     * boolean on the wire is kept even when zero: it may be a pointer ({@code replicas: 0}) or a field
     * without omitempty ({@code PriorityClass.value}).
     */
    static final Set<String> OMIT_ZERO = Set.of(
            "k8s.io.api.apps.v1.DeploymentSpec.minReadySeconds",
            "k8s.io.api.apps.v1.DeploymentSpec.paused",
            "k8s.io.api.apps.v1.DeploymentStatus.availableReplicas",
            "k8s.io.api.apps.v1.DeploymentStatus.observedGeneration",
            "k8s.io.api.apps.v1.DeploymentStatus.readyReplicas",
            "k8s.io.api.apps.v1.DeploymentStatus.replicas",
            "k8s.io.api.apps.v1.DeploymentStatus.unavailableReplicas",
            "k8s.io.api.apps.v1.DeploymentStatus.updatedReplicas",
            "k8s.io.api.batch.v1.JobStatus.active",
            "k8s.io.api.batch.v1.JobStatus.failed",
            "k8s.io.api.batch.v1.JobStatus.succeeded",
            "k8s.io.api.core.v1.Container.stdin",
            "k8s.io.api.core.v1.Container.stdinOnce",
            "k8s.io.api.core.v1.Container.tty",
            "k8s.io.api.core.v1.ContainerPort.hostPort",
            "k8s.io.api.core.v1.NFSVolumeSource.readOnly",
            "k8s.io.api.core.v1.PodSpec.hostIPC",
            "k8s.io.api.core.v1.PodSpec.hostNetwork",
            "k8s.io.api.core.v1.PodSpec.hostPID",
            "k8s.io.api.core.v1.Probe.failureThreshold",
            "k8s.io.api.core.v1.Probe.initialDelaySeconds",
            "k8s.io.api.core.v1.Probe.periodSeconds",
            "k8s.io.api.core.v1.Probe.successThreshold",
            "k8s.io.api.core.v1.Probe.timeoutSeconds",
            "k8s.io.api.core.v1.ServicePort.nodePort",
            "k8s.io.api.core.v1.ServiceSpec.healthCheckNodePort",
            "k8s.io.api.core.v1.ServiceSpec.publishNotReadyAddresses",
            "k8s.io.api.core.v1.VolumeMount.readOnly",
            "k8s.io.api.networking.v1.ServiceBackendPort.number",
            "k8s.io.api.policy.v1.PodDisruptionBudgetStatus.observedGeneration",
            "k8s.io.api.scheduling.v1.PriorityClass.globalDefault",
            "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.generation");

    /** Per message: JSON name to field, with the fields of inline messages under the inline field. */
    private static final Map<Descriptor, Map<String, FieldDescriptor>> JSON_FIELDS = new ConcurrentHashMap<>();

    /** The JSON name of a (non-inline) field. */
    static String jsonName(FieldDescriptor field) {
        return RENAMED.getOrDefault(field.getFullName(), field.getName());
    }

    static boolean inline(FieldDescriptor field) {
        return INLINE.contains(field.getFullName());
    }

    /**
     * The field of {@code type} that holds JSON property {@code name}: the field itself, or the inline
     * field whose message (directly or through further inline messages) has it; null when none.
     */
    static FieldDescriptor fieldFor(Descriptor type, String name) {
        return JSON_FIELDS.computeIfAbsent(type, t -> {
            Map<String, FieldDescriptor> byName = new HashMap<>();
            for (FieldDescriptor f : t.getFields()) {
                if (inline(f)) {
                    collectInline(f.getMessageType(), f, byName);
                } else {
                    byName.put(jsonName(f), f);
                }
            }
            return byName;
        }).get(name);
    }

    private static void collectInline(Descriptor type, FieldDescriptor owner, Map<String, FieldDescriptor> byName) {
        for (FieldDescriptor f : type.getFields()) {
            if (inline(f)) {
                collectInline(f.getMessageType(), owner, byName);
            } else {
                byName.put(jsonName(f), owner);
            }
        }
    }

    private ProtobufJson() {
    }

    /** A message as the JSON object Kubernetes would write for it (without apiVersion and kind). */
    public static ObjectNode toJson(Message message) {
        ObjectNode out = NODES.objectNode();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isMapField()) {
                int n = message.getRepeatedFieldCount(field);
                if (n == 0) {
                    continue;
                }
                FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
                FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
                ObjectNode map = out.putObject(jsonName(field));
                for (int i = 0; i < n; i++) {
                    Message entry = (Message) message.getRepeatedField(field, i);
                    JsonNode value = valueToJson(valueField, entry.getField(valueField));
                    map.set((String) entry.getField(keyField), value == null ? NODES.nullNode() : value);
                }
            } else if (field.isRepeated()) {
                int n = message.getRepeatedFieldCount(field);
                if (n == 0) {
                    continue;
                }
                ArrayNode array = out.putArray(jsonName(field));
                for (int i = 0; i < n; i++) {
                    JsonNode value = valueToJson(field, message.getRepeatedField(field, i));
                    array.add(value == null ? NODES.nullNode() : value);
                }
            } else if (inline(field)) {
                if (message.hasField(field)) {
                    out.setAll(toJson((Message) message.getField(field)));
                }
            } else if (message.hasField(field)) {
                Object value = message.getField(field);
                if (value instanceof String s && s.isEmpty()) {
                    continue;
                }
                if (OMIT_ZERO.contains(field.getFullName()) && isZero(value)) {
                    continue;
                }
                JsonNode json = valueToJson(field, value);
                if (json != null) {
                    out.set(jsonName(field), json);
                }
            }
        }
        return out;
    }

    private static boolean isZero(Object value) {
        return (value instanceof Integer i && i == 0) || (value instanceof Long l && l == 0) || (value instanceof Boolean b && !b);
    }

    /** One field value as JSON; null when Kubernetes' JSON would write null (a zero Time, an empty RawExtension). */
    private static JsonNode valueToJson(FieldDescriptor field, Object value) {
        return switch (field.getJavaType()) {
            case STRING -> NODES.stringNode((String) value);
            case INT -> NODES.numberNode((Integer) value);
            case LONG -> NODES.numberNode((Long) value);
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
            case BYTE_STRING -> NODES.stringNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case MESSAGE -> messageToJson((Message) value);
            default -> throw new ProtobufException("field " + field.getFullName() + " has type " + field.getType()
                    + ", which no Kubernetes API message uses");
        };
    }

    private static JsonNode messageToJson(Message m) {
        Descriptor d = m.getDescriptorForType();
        return switch (d.getFullName()) {
            case TIME -> {
                if (!m.hasField(d.findFieldByName("seconds")) && !m.hasField(d.findFieldByName("nanos"))) {
                    yield null;
                }
                // metav1.Time keeps whole seconds only (time_proto.go drops nanos on both sides)
                long seconds = (Long) m.getField(d.findFieldByName("seconds"));
                yield NODES.stringNode(RFC3339.format(Instant.ofEpochSecond(seconds)));
            }
            case MICRO_TIME -> {
                if (!m.hasField(d.findFieldByName("seconds")) && !m.hasField(d.findFieldByName("nanos"))) {
                    yield null;
                }
                long seconds = (Long) m.getField(d.findFieldByName("seconds"));
                int nanos = (Integer) m.getField(d.findFieldByName("nanos"));
                yield NODES.stringNode(RFC3339_MICRO.format(Instant.ofEpochSecond(seconds, nanos)));
            }
            case INT_OR_STRING -> {
                long type = (Long) m.getField(d.findFieldByName("type"));
                yield type == 1
                        ? NODES.stringNode((String) m.getField(d.findFieldByName("strVal")))
                        : NODES.numberNode((Integer) m.getField(d.findFieldByName("intVal")));
            }
            // a Quantity message without its string is Go's zero Quantity, which JSON writes as "0"
            case QUANTITY -> NODES.stringNode(m.hasField(d.findFieldByName("string")) ? (String) m.getField(d.findFieldByName("string")) : "0");
            case RAW_EXTENSION -> embeddedJson((ByteString) m.getField(d.findFieldByName("raw")), "RawExtension.raw");
            case FIELDS_V1 -> embeddedJson((ByteString) m.getField(d.findFieldByName("Raw")), "FieldsV1.Raw");
            default -> {
                if (STRING_SLICES.contains(d.getFullName())) {
                    FieldDescriptor items = d.findFieldByName("items");
                    ArrayNode array = NODES.arrayNode();
                    for (int i = 0; i < m.getRepeatedFieldCount(items); i++) {
                        array.add((String) m.getRepeatedField(items, i));
                    }
                    yield array;
                }
                yield toJson(m);
            }
        };
    }

    private static JsonNode embeddedJson(ByteString raw, String what) {
        if (raw.isEmpty()) {
            return null;
        }
        try {
            return Json.tree(raw.toByteArray());
        } catch (JacksonException e) {
            throw new ProtobufException(what + " does not hold JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * A JSON object as a message of {@code type}. Unknown JSON fields are dropped (as Go's decoder
     * drops them) unless {@code strict}, when they fail: the round-trip tests use strict mode to prove
     * that no field of a kube4j object is lost on the way to protobuf.
     *
     * @throws ProtobufException when a value has the wrong JSON type for its field, or (strict) a field is unknown
     */
    public static DynamicMessage fromJson(Descriptor type, JsonNode json, boolean strict) {
        return objectFromJson(type, json, "", strict);
    }

    private static DynamicMessage objectFromJson(Descriptor type, JsonNode json, String path, boolean strict) {
        if (!json.isObject()) {
            throw new ProtobufException(where(path) + "expected an object for " + type.getName() + ", got " + json.getNodeType());
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        Map<FieldDescriptor, ObjectNode> inlineParts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : json.properties()) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            FieldDescriptor field = fieldFor(type, name);
            if (field != null && inline(field)) {
                inlineParts.computeIfAbsent(field, f -> NODES.objectNode()).set(name, value);
                continue;
            }
            if (field == null) {
                if (strict && !name.equals("apiVersion") && !name.equals("kind")) {
                    throw new ProtobufException(where(path + "." + name) + "no such field in " + type.getFullName());
                }
                continue;
            }
            if (value.isNull()) {
                continue;
            }
            String at = path.isEmpty() ? name : path + "." + name;
            if (field.isMapField()) {
                if (!value.isObject()) {
                    throw new ProtobufException(where(at) + "expected an object, got " + value.getNodeType());
                }
                Descriptor entryType = field.getMessageType();
                FieldDescriptor keyField = entryType.findFieldByName("key");
                FieldDescriptor valueField = entryType.findFieldByName("value");
                List<String> keys = new ArrayList<>(value.propertyNames());
                keys.sort(null);
                for (String key : keys) {
                    JsonNode v = value.get(key);
                    DynamicMessage.Builder entry = DynamicMessage.newBuilder(entryType).setField(keyField, key);
                    if (!v.isNull()) {
                        entry.setField(valueField, scalarFromJson(valueField, v, at + "[" + key + "]", strict));
                    }
                    b.addRepeatedField(field, entry.build());
                }
            } else if (field.isRepeated()) {
                if (!value.isArray()) {
                    throw new ProtobufException(where(at) + "expected an array, got " + value.getNodeType());
                }
                for (int i = 0; i < value.size(); i++) {
                    b.addRepeatedField(field, scalarFromJson(field, value.get(i), at + "[" + i + "]", strict));
                }
            } else {
                b.setField(field, scalarFromJson(field, value, at, strict));
            }
        }
        for (Map.Entry<FieldDescriptor, ObjectNode> part : inlineParts.entrySet()) {
            b.setField(part.getKey(), objectFromJson(part.getKey().getMessageType(), part.getValue(), path, strict));
        }
        return b.build();
    }

    private static Object scalarFromJson(FieldDescriptor field, JsonNode v, String path, boolean strict) {
        switch (field.getJavaType()) {
            case STRING:
                if (v.isString()) {
                    return v.asString();
                }
                break;
            case INT:
                if (v.isIntegralNumber() && v.canConvertToInt()) {
                    return v.asInt();
                }
                break;
            case LONG:
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    return v.asLong();
                }
                break;
            case BOOLEAN:
                if (v.isBoolean()) {
                    return v.asBoolean();
                }
                break;
            case BYTE_STRING:
                if (v.isString()) {
                    try {
                        return ByteString.copyFrom(Base64.getDecoder().decode(v.asString()));
                    } catch (IllegalArgumentException e) {
                        throw new ProtobufException(where(path) + "illegal base64 data: " + e.getMessage());
                    }
                }
                break;
            case MESSAGE:
                return messageFromJson(field.getMessageType(), v, path, strict);
            default:
                throw new ProtobufException(where(path) + "field " + field.getFullName() + " has type " + field.getType()
                        + ", which no Kubernetes API message uses");
        }
        throw new ProtobufException(where(path) + "expected " + field.getJavaType().name().toLowerCase() + ", got " + v.getNodeType());
    }

    private static DynamicMessage messageFromJson(Descriptor type, JsonNode v, String path, boolean strict) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        switch (type.getFullName()) {
            case TIME, MICRO_TIME -> {
                if (!v.isString()) {
                    throw new ProtobufException(where(path) + "expected an RFC 3339 time, got " + v.getNodeType());
                }
                Instant t;
                try {
                    t = OffsetDateTime.parse(v.asString(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
                } catch (DateTimeParseException e) {
                    throw new ProtobufException(where(path) + "not an RFC 3339 time: " + v.asString());
                }
                b.setField(type.findFieldByName("seconds"), t.getEpochSecond());
                if (type.getFullName().equals(MICRO_TIME)) {
                    // MicroTime carries microseconds; Time drops the fraction as metav1.Time does
                    b.setField(type.findFieldByName("nanos"), (t.getNano() / 1000) * 1000);
                }
                return b.build();
            }
            case INT_OR_STRING -> {
                if (v.isIntegralNumber()) {
                    return b.setField(type.findFieldByName("type"), 0L).setField(type.findFieldByName("intVal"), v.asInt()).build();
                }
                if (v.isString()) {
                    return b.setField(type.findFieldByName("type"), 1L).setField(type.findFieldByName("strVal"), v.asString()).build();
                }
                throw new ProtobufException(where(path) + "expected an integer or a string, got " + v.getNodeType());
            }
            case QUANTITY -> {
                if (!v.isString() && !v.isNumber()) {
                    throw new ProtobufException(where(path) + "expected a quantity, got " + v.getNodeType());
                }
                return b.setField(type.findFieldByName("string"), v.isString() ? v.asString() : v.asText()).build();
            }
            case RAW_EXTENSION -> {
                return b.setField(type.findFieldByName("raw"), ByteString.copyFrom(Json.writeBytes(v))).build();
            }
            case FIELDS_V1 -> {
                return b.setField(type.findFieldByName("Raw"), ByteString.copyFrom(Json.writeBytes(v))).build();
            }
            default -> {
                if (STRING_SLICES.contains(type.getFullName())) {
                    if (!v.isArray()) {
                        throw new ProtobufException(where(path) + "expected an array of strings for " + type.getName() + ", got " + v.getNodeType());
                    }
                    FieldDescriptor items = type.findFieldByName("items");
                    for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isString()) {
                            throw new ProtobufException(where(path + "[" + i + "]") + "expected string, got " + v.get(i).getNodeType());
                        }
                        b.addRepeatedField(items, v.get(i).asString());
                    }
                    return b.build();
                }
                return objectFromJson(type, v, path, strict);
            }
        }
    }

    private static String where(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }
}
