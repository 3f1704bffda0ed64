package io.kube4j.kubelet.network;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network configuration list (SPEC.md "Section 1: Network configuration format"; libcni's
 * {@code NetworkConfigList}): a network {@code name}, the {@code cniVersion} every plugin is called with, and the
 * plugins run in order on ADD and in reverse on DEL. A single-plugin {@code .conf} file becomes a list of one
 * (libcni's {@code ConfListFromConf}).
 *
 * @param name       the network's name (host-local keeps its leases in {@code /var/lib/cni/networks/<name>})
 * @param cniVersion the spec version the plugins are given and answer in
 * @param plugins    each plugin's own configuration ({@code type} and its fields); never modified
 * @param source     the file it was read from, or a description of where it came from
 * @param disableCheck the list's {@code disableCheck}: CHECK is skipped
 */
public record NetworkConfigList(String name, String cniVersion, List<ObjectNode> plugins, String source, boolean disableCheck) {

    public NetworkConfigList {
        plugins = List.copyOf(plugins);
    }

    /** A list with CHECK enabled. */
    public NetworkConfigList(String name, String cniVersion, List<ObjectNode> plugins, String source) {
        this(name, cniVersion, plugins, source, false);
    }

    /** Reads a {@code .conflist} (an object with {@code plugins}) or a single-plugin {@code .conf}/{@code .json}. */
    public static NetworkConfigList read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.tree(Files.readAllBytes(file));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("error parsing configuration: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("error parsing configuration: not a JSON object");
        }
        return parse((ObjectNode) root, file.toString(), file.getFileName().toString().endsWith(".conflist"));
    }

    /**
     * A list from its JSON; {@code list} false: a single plugin configuration (its {@code name} and
     * {@code cniVersion} become the list's).
     *
     * @throws IllegalArgumentException libcni's messages: no name, no plugins, a plugin without a type
     */
    public static NetworkConfigList parse(ObjectNode root, String source, boolean list) {
        String name = root.path("name").asString("");
        String version = root.path("cniVersion").asString("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("error parsing configuration list: no name");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        if (list) {
            JsonNode array = root.path("plugins");
            if (!(array instanceof ArrayNode a) || a.isEmpty()) {
                throw new IllegalArgumentException("error parsing configuration list: no plugins in list");
            }
            for (JsonNode p : a) {
                if (!p.isObject()) {
                    throw new IllegalArgumentException("failed to parse plugin config: not an object");
                }
                plugins.add((ObjectNode) p);
            }
        } else {
            plugins.add(root);
        }
        for (ObjectNode p : plugins) {
            if (p.path("type").asString("").isEmpty()) {
                throw new IllegalArgumentException("error parsing configuration: missing 'type'");
            }
        }
        return new NetworkConfigList(name, version, plugins, source, list && root.path("disableCheck").asBoolean(false));
    }

    /** The {@code type}s of the plugins, in order. */
    public List<String> types() {
        return plugins.stream().map(p -> p.path("type").asString()).toList();
    }

    /** The list as JSON (what a {@code .conflist} file holds). */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("cniVersion", cniVersion);
        o.put("name", name);
        if (disableCheck) {
            o.put("disableCheck", true);
        }
        ArrayNode a = o.putArray("plugins");
        plugins.forEach(p -> a.add(p.deepCopy()));
        return o;
    }
}
