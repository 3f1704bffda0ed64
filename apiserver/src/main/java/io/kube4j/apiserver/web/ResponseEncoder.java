package io.kube4j.apiserver.web;

import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.table.TableConverter;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * Writes objects and lists in the representation the client asked for with Accept: JSON by default,
 * YAML for {@code application/yaml}, a Table for kubectl's {@code as=Table}. The one place that decides a response's bytes.
 */
@Component
public class ResponseEncoder {

    /** Writes {@code body} (an object, a list, a Status) with the given HTTP code. */
    public void write(HttpServletRequest req, HttpServletResponse resp, int code, ResourceType type, JsonNode body) throws IOException {
        byte[] bytes;
        String contentType;
        JsonNode table = code < 300 && type != null && TableConverter.wanted(req)
                ? TableConverter.toTable(type, body, req.getParameter("includeObject"), true) : null;
        if (table != null) {
            bytes = Json.writeBytes(table);
            contentType = TableConverter.CONTENT_TYPE;
        } else if (wantsYaml(req)) {
            bytes = Json.yaml().writeValueAsBytes(body);
            contentType = "application/yaml";
        } else {
            bytes = Json.writeBytes(body);
            contentType = "application/json";
        }
        resp.setStatus(code);
        resp.setContentType(contentType);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** One line of a streaming watch: {@code {"type":..,"object":..}}. */
    public byte[] watchLine(HttpServletRequest req, ResourceType type, String eventType, JsonNode object) {
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

    static boolean wantsYaml(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            String t = part.split(";")[0].trim();
            if (t.equals("application/json") || t.equals("*/*")) {
                return false;
            }
            if (t.equals("application/yaml")) {
                return true;
            }
        }
        return false;
    }
}
