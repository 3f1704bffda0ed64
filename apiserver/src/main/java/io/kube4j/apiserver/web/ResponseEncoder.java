package io.kube4j.apiserver.web;

import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.apiserver.protobuf.ProtobufException;
import io.kube4j.apiserver.table.TableConverter;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * Writes objects and lists in the representation the client asked for with Accept (see
 * {@link MediaTypes}): JSON by default, YAML for {@code application/yaml}, Kubernetes protobuf for
 * {@code application/vnd.kubernetes.protobuf} when the object's kind has a protobuf message (kinds
 * without one, like kube4j's long-poll WatchEventList, are answered in JSON, as Kubernetes answers JSON
 * for custom resources, which have no protobuf form), a Table for kubectl's {@code as=Table}. The one
 * place that decides a response's bytes.
 */
@Component
public class ResponseEncoder {
    private static final Logger log = LoggerFactory.getLogger(ResponseEncoder.class);

    /** Writes {@code body} (an object, a list, a Status) with the given HTTP code. */
    public void write(HttpServletRequest req, HttpServletResponse resp, int code, ResourceType type, JsonNode body) throws IOException {
        write(req, resp, code, type, body, null);
    }

    /**
     * {@link #write(HttpServletRequest, HttpServletResponse, int, ResourceType, JsonNode)} of an object whose
     * JSON ({@code Json.writeBytes(body)}) is already known ({@code json}, or null): answered with those
     * bytes when the answer is plain JSON of the object itself; a Table, YAML or protobuf is made from
     * {@code body} as usual.
     */
    public void write(HttpServletRequest req, HttpServletResponse resp, int code, ResourceType type, JsonNode body, byte[] json) throws IOException {
        body = asVersion(type, body);
        byte[] bytes;
        String contentType;
        JsonNode table = code < 300 && type != null && TableConverter.wanted(req)
                ? TableConverter.toTable(type, body, req.getParameter("includeObject"), true) : null;
        MediaTypes.Format format = MediaTypes.negotiate(req.getHeader("Accept"));
        if (table != null) {
            bytes = Json.writeBytes(table);
            contentType = TableConverter.CONTENT_TYPE;
        } else if (format == MediaTypes.Format.PROTOBUF && (bytes = protobuf(body)) != null) {
            contentType = ProtobufCodec.MEDIA_TYPE;
        } else if (format == MediaTypes.Format.YAML) {
            bytes = Json.yaml().writeValueAsBytes(body);
            contentType = "application/yaml";
        } else {
            bytes = json != null && !custom(type) ? json : Json.writeBytes(body);
            contentType = "application/json";
        }
        resp.setStatus(code);
        resp.setContentType(contentType);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /**
     * The protobuf form of {@code body}, or null to answer JSON: for kinds without a message, and for a
     * stored object that does not fit its message (a value of the wrong JSON type, which Kubernetes'
     * decoder would have refused on the way in): JSON still carries it, and the log says what did not fit.
     */
    private static byte[] protobuf(JsonNode body) {
        if (!ProtobufCodec.encodable(body)) {
            return null;
        }
        try {
            return ProtobufCodec.encode(body);
        } catch (ProtobufException e) {
            log.warn("answering JSON instead of protobuf: {} {} does not fit its protobuf message: {}",
                    body.path("kind").asString(""), body.path("metadata").path("name").asString(""), e.getMessage());
            return null;
        }
    }

    /**
     * Whether a watch of {@code type} streams protobuf frames: the client prefers protobuf and wants
     * objects rather than Table rows (Kubernetes' NegotiateOutputStreamSerializer takes the same choice).
     */
    public boolean protobufWatch(HttpServletRequest req, ResourceType type) {
        return !custom(type) && MediaTypes.negotiate(req.getHeader("Accept")) == MediaTypes.Format.PROTOBUF
                && !(type != null && TableConverter.wanted(req));
    }

    /** The Content-Type of a streaming watch: JSON lines, or protobuf frames ({@code ;stream=watch}). */
    public String watchContentType(HttpServletRequest req, ResourceType type) {
        return protobufWatch(req, type) ? ProtobufCodec.STREAM_MEDIA_TYPE : "application/json";
    }

    /**
     * One event of a streaming watch: a JSON line {@code {"type":..,"object":..}}, or a length-prefixed
     * protobuf WatchEvent when {@link #protobufWatch} (every served kind, and Status for ERROR events,
     * has a protobuf message).
     */
    public byte[] watchEvent(HttpServletRequest req, ResourceType type, String eventType, JsonNode object) {
        if (protobufWatch(req, type)) {
            return ProtobufCodec.watchFrame(eventType, object);
        }
        object = asVersion(type, object);
        tools.jackson.databind.node.ObjectNode e = Json.mapper().createObjectNode();
        e.put("type", eventType);
        JsonNode table = type != null && !eventType.equals("ERROR") && !eventType.equals("BOOKMARK") && TableConverter.wanted(req)
                ? TableConverter.toTable(type, object, req.getParameter("includeObject"), true) : null;
        e.set("object", table != null ? table : object);
        byte[] b = Json.writeBytes(e);
        byte[] line = new byte[b.length + 1];
        System.arraycopy(b, 0, line, 0, b.length);
        line[b.length] = '\n';
        return line;
    }

    /** Whether {@code type} is a custom resource (no protobuf form, stored at one version and served at several). */
    private static boolean custom(ResourceType type) {
        return type != null && type.type() == io.kube4j.apiserver.crd.UnstructuredObject.class;
    }

    /**
     * A custom resource (or a list of them) as the requested version: conversion strategy None only
     * rewrites apiVersion (Kubernetes' nopConverter). Built-in kinds are returned unchanged.
     */
    static JsonNode asVersion(ResourceType type, JsonNode body) {
        if (!custom(type) || !(body instanceof tools.jackson.databind.node.ObjectNode o)) {
            return body;
        }
        String kind = o.path("kind").asString("");
        if (kind.equals(type.kind()) && !type.apiVersion().equals(o.path("apiVersion").asString(""))) {
            tools.jackson.databind.node.ObjectNode copy = o.deepCopy();
            copy.put("apiVersion", type.apiVersion());
            return copy;
        }
        if (kind.equals(type.listKind()) && o.path("items").isArray()) {
            tools.jackson.databind.node.ObjectNode copy = o.deepCopy();
            for (JsonNode item : copy.get("items")) {
                if (item instanceof tools.jackson.databind.node.ObjectNode io) {
                    io.put("apiVersion", type.apiVersion());
                }
            }
            return copy;
        }
        return body;
    }
}
