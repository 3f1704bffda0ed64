package io.kube4j.apiserver.web;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch answers built from the bytes shared by every watcher are byte for byte the answers encoded
 * per watcher: the long-poll WatchEventList and the streaming JSON line.
 */
class SharedWatchEncodingTest {
    static ObjectNode pod(String name, String rv) {
        return (ObjectNode) Json.tree(("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv + "\",\"labels\":{\"a\":\"é\\\"\"}},\"spec\":{\"nodeName\":\"n1\"}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theLongPollAnswerEqualsTheEncodedWatchEventList() {
        for (List<WatchCache.WatchEventOut> events : List.of(List.<WatchCache.WatchEventOut>of(),
                List.of(new WatchCache.WatchEventOut("ADDED", pod("a", "7"), 7)),
                List.of(new WatchCache.WatchEventOut("MODIFIED", pod("a", "8"), 8), new WatchCache.WatchEventOut("DELETED", pod("b", "9"), 9)))) {
            WatchCache.Batch batch = new WatchCache.Batch(events, 12);
            // the tree ResourceController.poll encodes for a watcher of its own
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("kind", "WatchEventList");
            out.put("apiVersion", "v1");
            out.putObject("metadata").put("resourceVersion", Long.toString(batch.revision()));
            var items = out.putArray("items");
            for (WatchCache.WatchEventOut e : events) {
                ObjectNode item = items.addObject();
                item.put("type", e.type());
                item.set("object", e.object());
            }
            assertThat(new String(ResourceController.sharedWatchEventList(batch), StandardCharsets.UTF_8))
                    .isEqualTo(new String(Json.writeBytes(out), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theStreamingLineEqualsTheEncodersLine() throws Exception {
        WatchCache.WatchEventOut e = new WatchCache.WatchEventOut("MODIFIED", pod("a", "8"), 8);
        ByteArrayOutputStream shared = new ByteArrayOutputStream();
        ResourceController.writeSharedEvent(shared, e);
        shared.write('\n');
        byte[] own = new ResponseEncoder().watchEvent(new MockHttpServletRequest(), ResourceTypes.PODS, "MODIFIED", e.object());
        assertThat(shared.toString(StandardCharsets.UTF_8)).isEqualTo(new String(own, StandardCharsets.UTF_8));
    }
}
