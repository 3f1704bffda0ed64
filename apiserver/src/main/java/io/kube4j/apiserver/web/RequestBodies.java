package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.apiserver.protobuf.ProtobufException;
import io.kube4j.apiserver.schema.DuplicateFields;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Reads request bodies: size limit (413), content type (JSON by default, YAML, Kubernetes protobuf, patch
 * types), decoding (400). The object types are Kubernetes' serializers in its order (json, yaml, protobuf);
 * patches stay JSON or YAML, as in Kubernetes, whose PATCH handler takes only the patch media types.
 */
public final class RequestBodies {
    static final List<String> OBJECT_TYPES = List.of("application/json", "application/yaml", ProtobufCodec.MEDIA_TYPE);

    private RequestBodies() {
    }

    /** The media type without parameters; JSON when absent (as kubectl's PUT to scale sends none). */
    public static String contentType(HttpServletRequest req) {
        String ct = req.getContentType();
        if (ct == null || ct.isBlank()) {
            return "application/json";
        }
        int semi = ct.indexOf(';');
        return (semi >= 0 ? ct.substring(0, semi) : ct).trim().toLowerCase();
    }

    public static byte[] read(HttpServletRequest req, long limit) {
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            throw ApiError.tooLarge(limit);
        }
        try (InputStream in = req.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw ApiError.tooLarge(limit);
            }
            return body;
        } catch (IOException e) {
            throw ApiError.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    /**
     * An object body in JSON, YAML or protobuf for an endpoint of kind {@code kind} in {@code apiVersion}
     * (the defaults of a protobuf envelope that names neither, and the type decode errors name); 415 for
     * other types, 400 for undecodable or non-object bodies.
     */
    public static ObjectNode object(HttpServletRequest req, long limit, String apiVersion, String kind) {
        String ct = contentType(req);
        if (!OBJECT_TYPES.contains(ct)) {
            throw ApiError.unsupportedMediaType(ct, OBJECT_TYPES);
        }
        byte[] body = read(req, limit);
        if (ct.equals(ProtobufCodec.MEDIA_TYPE)) {
            return protobuf(body, apiVersion, kind);
        }
        if (ct.equals("application/json")) {
            return asObject(jsonTree(req, body));
        }
        return asObject(tree(body, true));
    }

    /** An optional object body (DELETE options): null when empty. */
    public static ObjectNode optionalObject(HttpServletRequest req, long limit, String apiVersion, String kind) {
        byte[] body = read(req, limit);
        String ct = contentType(req);
        if (ct.equals(ProtobufCodec.MEDIA_TYPE)) {
            return body.length == 0 ? null : protobuf(body, apiVersion, kind);
        }
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        return asObject(tree(body, ct.equals("application/yaml")));
    }

    /**
     * A protobuf body as a JSON object. Errors are worded as Kubernetes' transformDecodeError words them
     * (apiserver/pkg/endpoints/handlers/rest.go): with the kind the envelope names when it names one,
     * otherwise with the first bytes of the body.
     */
    static ObjectNode protobuf(byte[] body, String apiVersion, String kind) {
        ProtobufCodec.Envelope envelope;
        try {
            envelope = ProtobufCodec.envelope(body);
        } catch (ProtobufException e) {
            throw ApiError.badRequest("the object provided is unrecognized (must be of type " + kind + "): "
                    + e.getMessage() + " (" + ProtobufCodec.summarize(body, 30) + ")");
        }
        try {
            return ProtobufCodec.toJson(envelope, apiVersion, kind);
        } catch (ProtobufException e) {
            if (envelope.kind().isEmpty()) {
                throw ApiError.badRequest("the object provided is unrecognized (must be of type " + kind + "): "
                        + e.getMessage() + " (" + ProtobufCodec.summarize(body, 30) + ")");
            }
            throw ApiError.badRequest(envelope.kind() + " in version \"" + envelope.version() + "\" cannot be handled as a "
                    + kind + ": " + e.getMessage());
        }
    }

    /**
     * A patch body: YAML for apply patches, else JSON with its duplicate keys noted for fieldValidation
     * (a merge or strategic patch has the object's paths).
     */
    static JsonNode patch(HttpServletRequest req, byte[] body, boolean yaml) {
        return yaml ? tree(body, true) : jsonTree(req, body);
    }

    /** A JSON body, its duplicate keys noted on the request for fieldValidation ({@link DuplicateFields}). */
    private static JsonNode jsonTree(HttpServletRequest req, byte[] body) {
        if (body.length == 0) {
            throw ApiError.badRequest("the request body is empty");
        }
        try {
            DuplicateFields.Parsed parsed = DuplicateFields.read(body);
            if (!parsed.duplicates().isEmpty()) req.setAttribute(DuplicateFields.ATTRIBUTE, parsed.duplicates());
            return parsed.tree();
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body could not be decoded as JSON: " + e.getOriginalMessage());
        }
    }

    public static JsonNode tree(byte[] body, boolean yaml) {
        if (body.length == 0) {
            throw ApiError.badRequest("the request body is empty");
        }
        try {
            return yaml ? Json.yaml().readTree(body) : Json.tree(body);
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body could not be decoded as " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
        }
    }

    static ObjectNode asObject(JsonNode node) {
        if (node instanceof ObjectNode o) {
            return o;
        }
        throw ApiError.badRequest("the request body must be an object, not " + node.getNodeType());
    }
}
