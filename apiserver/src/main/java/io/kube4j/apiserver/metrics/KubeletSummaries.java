package io.kube4j.apiserver.metrics;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.kubelet.KubeletClient;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The kubelets' Summary API documents ({@code /stats/summary}), fetched as metrics-server scrapes them and
 * kept for {@code resolution} (metrics-server's {@code --metric-resolution}), so a burst of
 * {@code kubectl top} and HPA reads costs one request per node. A node is reached only at the address it
 * registered: its {@code InternalIP} and {@code status.daemonEndpoints.kubeletEndpoint.Port}, never an
 * address taken from the request. A node that cannot be reached is left out (metrics-server logs the
 * scrape error and serves the others).
 */
@Component
public class KubeletSummaries {
    private static final Logger log = LoggerFactory.getLogger(KubeletSummaries.class);

    /** One node's summary and when it was fetched. */
    public record NodeSummary(ObjectNode node, JsonNode summary, Instant fetchedAt) {
    }

    private final Registry registry;
    private final Duration resolution;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, NodeSummary> cache = new ConcurrentHashMap<>();
    private final ExecutorService scrapers = Executors.newVirtualThreadPerTaskExecutor();

    @org.springframework.beans.factory.annotation.Autowired
    public KubeletSummaries(Registry registry, KubeletClient kubelets, @Value("${kube4j.metrics.resolution:10s}") Duration resolution) {
        this(registry, kubelets, resolution, Clock.systemUTC());
    }

    KubeletSummaries(Registry registry, KubeletClient kubelets, Duration resolution, Clock clock) {
        this.registry = registry;
        this.http = kubelets.http();
        this.resolution = resolution;
        this.clock = clock;
    }

    /** The span a CPU rate is reported over ({@code window}). */
    public Duration resolution() {
        return resolution;
    }

    /** The summaries of every registered node that answered, in node name order (scraped in parallel). */
    public List<NodeSummary> all() {
        List<ObjectNode> nodes = registry.cache().snapshot(Registry.prefix(ResourceTypes.NODES, null), o -> true).items();
        List<Future<NodeSummary>> futures = new ArrayList<>();
        for (ObjectNode node : nodes) {
            futures.add(scrapers.submit(() -> of(node)));
        }
        List<NodeSummary> out = new ArrayList<>();
        for (Future<NodeSummary> f : futures) {
            try {
                NodeSummary s = f.get();
                if (s != null) {
                    out.add(s);
                }
            } catch (Exception e) {
                log.debug("scrape: {}", e.toString());
            }
        }
        out.sort(java.util.Comparator.comparing(s -> s.node().path("metadata").path("name").asString()));
        return out;
    }

    /** The summary of the node named {@code name}, or null when it does not exist or cannot be scraped. */
    public NodeSummary ofNode(String name) {
        ObjectNode node = registry.cached(ResourceTypes.NODES, null, name);
        return node == null ? null : of(node);
    }

    /** The cached summary of {@code node} if fresh, else a new scrape; null when the kubelet cannot be reached. */
    NodeSummary of(ObjectNode node) {
        String name = node.path("metadata").path("name").asString();
        Instant now = clock.instant();
        NodeSummary cached = cache.get(name);
        if (cached != null && cached.fetchedAt().plus(resolution).isAfter(now)
                && cached.node().path("metadata").path("uid").equals(node.path("metadata").path("uid"))) {
            return new NodeSummary(node, cached.summary(), cached.fetchedAt());
        }
        URI uri = summaryUri(node);
        if (uri == null) {
            return null;
        }
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                log.info("scraping node {} at {}: HTTP {}", name, uri.getAuthority(), r.statusCode());
                cache.remove(name);
                return null;
            }
            NodeSummary fresh = new NodeSummary(node, Json.mapper().readTree(r.body()), now);
            cache.put(name, fresh);
            return fresh;
        } catch (IOException | RuntimeException e) {
            log.info("scraping node {} at {}: {}", name, uri.getAuthority(), e.toString());
            cache.remove(name);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * {@code https://<InternalIP>:<kubelet port>/stats/summary?node=<name>} from the Node's own status, or null
     * when it reports no InternalIP. The node name tells apart hollow kubelets sharing one address.
     */
    static URI summaryUri(ObjectNode node) {
        String ip = null;
        for (JsonNode a : node.path("status").path("addresses")) {
            if ("InternalIP".equals(a.path("type").asString()) && ip == null) {
                ip = a.path("address").asString();
            }
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(10250);
        if (ip == null || ip.isEmpty() || port <= 0 || port > 65535) {
            return null;
        }
        try {
            // a literal address only: no name lookup, nothing that could bend the URL
            java.net.InetAddress.ofLiteral(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        String name = node.path("metadata").path("name").asString();
        return KubeletClient.uri(host + ":" + port, "/stats/summary?node=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }
}
