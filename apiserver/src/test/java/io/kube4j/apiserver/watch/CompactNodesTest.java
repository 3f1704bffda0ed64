package io.kube4j.apiserver.watch;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CompactNodesTest {
    static final String POD = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"namespace\":\"default\",\"labels\":{\"app\":\"web\"},"
            + "\"managedFields\":[{\"manager\":\"kubectl\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}}}}]},"
            + "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]}]},"
            + "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"Initialized\",\"status\":\"True\"}]}}";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesToATreeEqualToJacksonsThatEncodesToTheSameBytes() {
        ObjectNode compact = CompactNodes.decode(bytes(POD));
        JsonNode plain = Json.tree(bytes(POD));
        assertThat(compact).isEqualTo(plain);
        assertThat(plain).isEqualTo(compact);
        assertThat(compact.hashCode()).isEqualTo(plain.hashCode());
        assertThat(new String(Json.writeBytes(compact), StandardCharsets.UTF_8)).isEqualTo(POD);
        assertThat(compact.path("spec").path("containers").get(0).path("ports").get(0).path("containerPort").asInt()).isEqualTo(80);
        assertThat(compact.path("metadata").path("missing").isMissingNode()).isTrue();
    }

    @Test
    void shortStringValuesAreSharedBetweenTrees() {
        ObjectNode a = CompactNodes.decode(bytes(POD));
        ObjectNode b = CompactNodes.decode(bytes(POD));
        assertThat(b.path("status").path("phase")).isSameAs(a.path("status").path("phase"));
        assertThat(b.path("spec").path("nodeName")).isSameAs(a.path("spec").path("nodeName"));
        String longValue = "x".repeat(CompactNodes.MAX_SHARED_LENGTH + 1);
        ObjectNode c = CompactNodes.decode(bytes("{\"v\":\"" + longValue + "\"}"));
        ObjectNode d = CompactNodes.decode(bytes("{\"v\":\"" + longValue + "\"}"));
        assertThat(d.get("v")).isEqualTo(c.get("v")).isNotSameAs(c.get("v"));
    }

    @Test
    void objectsKeepFieldOrderAndWorkAsMutableMapsBeyondTheSmallSize() {
        StringBuilder json = new StringBuilder("{");
        int n = CompactNodes.SmallMap.MAX_SMALL + 5;
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(n - i).append("\":").append(i);
        }
        ObjectNode o = CompactNodes.decode(bytes(json.append('}').toString()));
        assertThat(o.size()).isEqualTo(n);
        List<String> names = new ArrayList<>(o.propertyNames());
        assertThat(names.getFirst()).isEqualTo("k" + n);
        assertThat(names.getLast()).isEqualTo("k1");
        assertThat(o.path("k1").asInt()).isEqualTo(n - 1);

        // a small one: put, replace, remove, iterate with removal, deepCopy
        ObjectNode s = CompactNodes.decode(bytes("{\"a\":1,\"b\":2,\"c\":3}"));
        s.put("b", 20);
        s.put("d", 4);
        s.remove("a");
        assertThat(new String(Json.writeBytes(s), StandardCharsets.UTF_8)).isEqualTo("{\"b\":20,\"c\":3,\"d\":4}");
        Iterator<Map.Entry<String, JsonNode>> it = s.properties().iterator();
        while (it.hasNext()) {
            if (it.next().getKey().equals("c")) {
                it.remove();
            }
        }
        assertThat(new String(Json.writeBytes(s), StandardCharsets.UTF_8)).isEqualTo("{\"b\":20,\"d\":4}");
        ObjectNode copy = s.deepCopy();
        copy.put("e", 5);
        assertThat(s.has("e")).as("a copy is independent").isFalse();
        assertThat(copy).isEqualTo(Json.tree(bytes("{\"b\":20,\"d\":4,\"e\":5}")));
        for (int i = 0; i < 40; i++) {
            s.put("f" + i, i);
        }
        assertThat(s.size()).isEqualTo(42);
        assertThat(s.path("f39").asInt()).isEqualTo(39);
        s.removeAll();
        assertThat(s.isEmpty()).isTrue();
    }
}
