package io.kube4j.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Runtime;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Kubernetes' protobuf wire format ({@code application/vnd.kubernetes.protobuf}), as
 * k8s.io/apimachinery/pkg/runtime/serializer/protobuf writes it: the four bytes {@code k8s\0}, then a
 * {@code runtime.Unknown} whose {@code typeMeta} names apiVersion and kind and whose {@code raw} is the
 * object's own message. Watch streams ({@code ;stream=watch}) are frames of a 4-byte big-endian length
 * and a {@code metav1.WatchEvent} without the prefix, whose object is a prefixed envelope.
 */
public final class ProtobufCodec {
    /** The media type of request and response bodies. */
    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    /** The media type of a watch stream. */
    public static final String STREAM_MEDIA_TYPE = MEDIA_TYPE + ";stream=watch";

    /**
     * runtime.Unknown and runtime.TypeMeta, used through their descriptors: the library's generated
     * classes for k8s.io/apimachinery/pkg/runtime come from an old protoc whose parsing code
     * protobuf-java flags as open to a denial of service, so untrusted bodies go through DynamicMessage.
     */
    private static final Descriptor UNKNOWN = Runtime.getDescriptor().findMessageTypeByName("Unknown");
    private static final Descriptor TYPE_META = Runtime.getDescriptor().findMessageTypeByName("TypeMeta");

    /** protoEncodingPrefix: "k8s" and the encoding style 0 (an Unknown message follows). */
    private static final byte[] PREFIX = {0x6b, 0x38, 0x73, 0x00};

    private ProtobufCodec() {
    }

    /** A decoded envelope: the type it names and the object's message bytes. */
    public record Envelope(String apiVersion, String kind, byte[] raw) {
        /** The version part of apiVersion ({@code v1} of {@code apps/v1}), as Kubernetes' messages quote it. */
        public String version() {
            int slash = apiVersion.indexOf('/');
            return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        }
    }

    /**
     * Reads the envelope of a request body, with Kubernetes' error texts (protobuf.go Decode).
     *
     * @throws ProtobufException for an empty body, a body without the prefix, or an undecodable Unknown
     */
    public static Envelope envelope(byte[] body) {
        if (body.length == 0) {
            throw new ProtobufException("empty data");
        }
        if (body.length < PREFIX.length || !Arrays.equals(body, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new ProtobufException("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }
        if (body.length == PREFIX.length) {
            throw new ProtobufException("empty body");
        }
        DynamicMessage unknown;
        try {
            unknown = DynamicMessage.parseFrom(UNKNOWN, ByteString.copyFrom(body, PREFIX.length, body.length - PREFIX.length));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtobufException(e.getMessage());
        }
        DynamicMessage typeMeta = (DynamicMessage) unknown.getField(UNKNOWN.findFieldByName("typeMeta"));
        return new Envelope((String) typeMeta.getField(TYPE_META.findFieldByName("apiVersion")),
                (String) typeMeta.getField(TYPE_META.findFieldByName("kind")),
                ((ByteString) unknown.getField(UNKNOWN.findFieldByName("raw"))).toByteArray());
    }

    /**
     * The JSON object an envelope carries, with apiVersion and kind first. An envelope without a kind or
     * version takes the endpoint's ({@code defaultApiVersion}, {@code defaultKind}; null for none), as
     * protobuf.go's copyKindDefaults does with the handler's default GVK.
     *
     * @throws ProtobufException when the kind is missing or unknown, or the message does not parse
     */
    public static ObjectNode toJson(Envelope decoded, String defaultApiVersion, String defaultKind) {
        Envelope envelope = decoded;
        if (envelope.kind().isEmpty() && defaultKind != null) {
            envelope = new Envelope(envelope.apiVersion(), defaultKind, envelope.raw());
        }
        if (envelope.apiVersion().isEmpty() && defaultApiVersion != null) {
            envelope = new Envelope(defaultApiVersion, envelope.kind(), envelope.raw());
        }
        if (envelope.kind().isEmpty()) {
            throw new ProtobufException("Object 'Kind' is missing in '" + typeMeta(envelope) + "'");
        }
        if (envelope.apiVersion().isEmpty()) {
            throw new ProtobufException("Object 'apiVersion' is missing in '" + typeMeta(envelope) + "'");
        }
        String apiVersion = envelope.apiVersion();
        String kind = envelope.kind();
        Descriptor type = ProtobufSchemas.forKind(apiVersion, kind).orElseThrow(() -> new ProtobufException(
                "no kind \"" + kind + "\" is registered for version \"" + apiVersion
                        + "\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""));
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(type, envelope.raw());
        } catch (InvalidProtocolBufferException e) {
            throw new ProtobufException(e.getMessage());
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("apiVersion", envelope.apiVersion());
        out.put("kind", envelope.kind());
        out.setAll(ProtobufJson.toJson(message));
        return out;
    }

    /** Whether {@code object}'s apiVersion and kind have a protobuf message (CRD-like or kube4j-only kinds do not). */
    public static boolean encodable(JsonNode object) {
        return descriptor(object).isPresent();
    }

    /**
     * The envelope of a JSON object that names its apiVersion and kind. Fields the message does not
     * have are dropped, as Go's decoder drops unknown JSON fields.
     *
     * @throws ProtobufException when the kind has no message or a value does not fit its field
     */
    public static byte[] encode(JsonNode object) {
        return encode(object, false);
    }

    /** {@link #encode(JsonNode)}, failing on any field the message lacks when {@code strict}. */
    public static byte[] encode(JsonNode object, boolean strict) {
        Descriptor type = descriptor(object).orElseThrow(() -> new ProtobufException(
                "object " + object.path("apiVersion").asString("") + "/" + object.path("kind").asString("")
                        + " does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message"));
        DynamicMessage message = ProtobufJson.fromJson(type, object, strict);
        DynamicMessage unknown = DynamicMessage.newBuilder(UNKNOWN)
                .setField(UNKNOWN.findFieldByName("typeMeta"), DynamicMessage.newBuilder(TYPE_META)
                        .setField(TYPE_META.findFieldByName("apiVersion"), object.path("apiVersion").asString())
                        .setField(TYPE_META.findFieldByName("kind"), object.path("kind").asString())
                        .build())
                .setField(UNKNOWN.findFieldByName("raw"), message.toByteString())
                .setField(UNKNOWN.findFieldByName("contentEncoding"), "")
                .setField(UNKNOWN.findFieldByName("contentType"), "")
                .build();
        byte[] body = unknown.toByteArray();
        byte[] out = new byte[PREFIX.length + body.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(body, 0, out, PREFIX.length, body.length);
        return out;
    }

    /**
     * One frame of a protobuf watch stream: length, then the WatchEvent (no prefix: the stream
     * serializer is protobuf's raw one) whose {@code object.raw} is the object's envelope.
     */
    public static byte[] watchFrame(String eventType, JsonNode object) {
        Descriptor watchEvent = ProtobufSchemas.meta("WatchEvent");
        Descriptor rawExtension = watchEvent.findFieldByName("object").getMessageType();
        DynamicMessage event = DynamicMessage.newBuilder(watchEvent)
                .setField(watchEvent.findFieldByName("type"), eventType)
                .setField(watchEvent.findFieldByName("object"), DynamicMessage.newBuilder(rawExtension)
                        .setField(rawExtension.findFieldByName("raw"), ByteString.copyFrom(encode(object)))
                        .build())
                .build();
        byte[] bytes = event.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 4);
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    /**
     * The first bytes of a body for error messages, as Kubernetes' summarizeData shows them: JSON as
     * text, anything else in hex, at most {@code max} bytes and then " ...".
     */
    public static String summarize(byte[] data, int max) {
        if (data.length == 0) {
            return "<empty>";
        }
        byte[] head = data.length > max ? Arrays.copyOf(data, max) : data;
        String shown = data[0] == '{' ? new String(head, java.nio.charset.StandardCharsets.UTF_8) : HexFormat.of().formatHex(head);
        return data.length > max ? shown + " ..." : shown;
    }

    private static Optional<Descriptor> descriptor(JsonNode object) {
        return ProtobufSchemas.forKind(object.path("apiVersion").asString(null), object.path("kind").asString(null));
    }

    /** Go's %#v of runtime.TypeMeta, as the missing-kind error quotes it. */
    private static String typeMeta(Envelope e) {
        return "runtime.TypeMeta{APIVersion:\"" + e.apiVersion() + "\", Kind:\"" + e.kind() + "\"}";
    }
}
