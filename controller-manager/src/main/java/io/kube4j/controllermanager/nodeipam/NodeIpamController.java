package io.kube4j.controllermanager.nodeipam;

import io.kube4j.api.Node;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node IPAM controller with Kubernetes' range allocator ({@code pkg/controller/nodeipam/ipam/range_allocator.go},
 * kube-controller-manager {@code --allocate-node-cidrs --cluster-cidr --node-cidr-mask-size}): gives every Node
 * without one a block of the cluster CIDR as {@code spec.podCIDR} and {@code spec.podCIDRs} (one strategic merge
 * patch {@code {"spec":{"podCIDR":c,"podCIDRs":[c]}}}, Kubernetes' {@code PatchNodeCIDRs}), for the kubelet's CNI
 * network and the other nodes' routes.
 * <ul>
 *   <li><b>start</b>: before the first allocation the blocks of every Node in the synced cache are occupied, so a
 *       restarted controller-manager never hands out a block in use twice (Kubernetes occupies them in
 *       {@code NewCIDRRangeAllocator});</li>
 *   <li><b>allocation</b>: blocks in order ({@link CidrSet#allocateNext}: 10.244.0.0/24, 10.244.1.0/24...);
 *       a Node that already has podCIDRs only has them occupied;</li>
 *   <li><b>release</b>: when the Node is deleted (gone from the cache) or being deleted (deletionTimestamp set,
 *       as {@code syncNode});</li>
 *   <li><b>exhaustion</b>: a Normal Event {@code CIDRNotAvailable} "Node &lt;name&gt; status is now:
 *       CIDRNotAvailable" on the Node (Kubernetes' {@code RecordNodeStatusChange}), and the Node is retried with
 *       back-off, so it gets a block once one is released;</li>
 *   <li><b>a podCIDR outside the cluster CIDR</b> (or unparsable): the Node is left alone, never patched and nothing
 *       occupied; Kubernetes refuses to start the allocator when such a Node exists at start and retries such a Node
 *       added later with back-off; here the error is logged and the Node retried with back-off in both cases, so the
 *       other Nodes still get their blocks.</li>
 * </ul>
 * A failed patch releases the block (Kubernetes also keeps it after a server timeout) and records
 * {@code CIDRAssignmentFailed}; the Node is retried. One cluster CIDR (single stack); the service range is not
 * filtered out of it (kube4j's controller-manager has no {@code --service-cluster-ip-range}).
 */
public final class NodeIpamController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(NodeIpamController.class);

    /** Kubernetes' event reason when the cluster CIDR has no free block (range_allocator.go). */
    public static final String CIDR_NOT_AVAILABLE = "CIDRNotAvailable";
    /** Kubernetes' event reason when the Node could not be patched. */
    public static final String CIDR_ASSIGNMENT_FAILED = "CIDRAssignmentFailed";

    // reads: all nodes, never mutated
    private final Informer<Node> nodes;
    // the patch and events
    private final ControllerClient client;
    // which blocks are taken; guarded by this
    private final CidrSet cidrs;
    // node name -> the blocks this controller counts as that node's (occupied from the node or handed out to it);
    // guarded by this. Lets a deleted node's blocks be released without its last state, and a node whose patch the
    // cache has not shown yet get the same block again instead of a second one.
    private final Map<String, List<String>> byNode = new HashMap<>();
    // node names
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // guarded by this: the cache's blocks have been occupied
    private boolean occupiedOnStart;

    /**
     * @param clusterCidr  the range the nodes' blocks come from ({@code --cluster-cidr}, e.g. 10.244.0.0/16)
     * @param nodeMaskSize prefix length of each node's block ({@code --node-cidr-mask-size}, 24)
     * @throws IllegalArgumentException when the two do not fit together (see {@link CidrSet})
     */
    public NodeIpamController(SharedInformers informers, ControllerClient client, String clusterCidr, int nodeMaskSize) {
        this.nodes = informers.informer(Node.class);
        this.client = client;
        this.cidrs = new CidrSet(clusterCidr, nodeMaskSize);
        nodes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                queue.add(n.key());
            }

            @Override
            public void onUpdate(Node old, Node n) {
                // Kubernetes: only a Node still without podCIDRs (or one being deleted) needs anything
                if (n.spec.podCIDRs.isEmpty() || n.metadata.deletionTimestamp != null) {
                    queue.add(n.key());
                }
            }

            @Override
            public void onDelete(Node n) {
                queue.add(n.key());
            }
        });
    }

    @Override
    public String name() {
        return "nodeipam";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(nodes);
    }

    /** Occupies, allocates or releases the blocks of the Node named {@code key}. */
    @Override
    public Result reconcile(String key) {
        occupyOnStart();
        Node node = nodes.store().get(key);
        if (node == null || node.metadata.deletionTimestamp != null) {
            release(key);
            return Result.done();
        }
        List<String> current = podCidrs(node);
        if (!current.isEmpty()) {
            return occupy(node, current);
        }
        String cidr;
        synchronized (this) {
            List<String> mine = byNode.get(key);
            if (mine != null) {
                // handed out before, the cache has not shown the patch yet: the same block again, never a second one
                cidr = mine.getFirst();
            } else {
                try {
                    cidr = cidrs.allocateNext();
                } catch (CidrSet.ExhaustedException e) {
                    client.normalEvent(node, CIDR_NOT_AVAILABLE, "Node " + node.metadata.name + " status is now: " + CIDR_NOT_AVAILABLE);
                    return Result.retry("failed to allocate cidr from cluster cidr " + cidrs.clusterCidr() + ": " + e.getMessage());
                }
                byNode.put(key, List.of(cidr));
            }
        }
        return patch(node, cidr);
    }

    // Kubernetes reads spec.podCIDRs; an object written with only the singular field still names its block
    private static List<String> podCidrs(Node node) {
        if (!node.spec.podCIDRs.isEmpty()) {
            return node.spec.podCIDRs;
        }
        return node.spec.podCIDR == null || node.spec.podCIDR.isEmpty() ? List.of() : List.of(node.spec.podCIDR);
    }

    private synchronized void occupyOnStart() {
        if (occupiedOnStart) {
            return;
        }
        occupiedOnStart = true;
        for (Node node : nodes.store().list()) {
            List<String> current = podCidrs(node);
            if (!current.isEmpty() && node.metadata.deletionTimestamp == null) {
                occupy(node, current);
            }
        }
    }

    // marks the node's own blocks taken; a block this controller had handed out that the node does not have goes back
    private synchronized Result occupy(Node node, List<String> current) {
        String name = node.metadata.name;
        if (current.size() > 1) {
            return invalid(name, "node:" + name + " has an allocated cidr: " + current.get(1)
                    + " at index:1 that does not exist in cluster cidrs configuration");
        }
        try {
            cidrs.occupy(current.getFirst());
        } catch (IllegalArgumentException e) {
            return invalid(name, "failed to mark cidr[" + current.getFirst() + "] at idx [0] as occupied for node: " + name + ": " + e.getMessage());
        }
        List<String> before = byNode.put(name, List.copyOf(current));
        if (before != null && !before.equals(current)) {
            // another writer set the node's podCIDR while our patch was in flight: ours is not in use
            before.stream().filter(c -> !current.contains(c)).forEach(cidrs::release);
        }
        return Result.done();
    }

    private Result invalid(String name, String message) {
        // a block outside the range cannot be tracked; a block of ours handed out before is not in use either
        List<String> before = byNode.remove(name);
        if (before != null) {
            before.forEach(cidrs::release);
        }
        log.error("node {}: {}", name, message);
        return Result.retry(message);
    }

    private synchronized void release(String name) {
        List<String> mine = byNode.remove(name);
        if (mine != null) {
            for (String c : mine) {
                cidrs.release(c);
                log.info("released CIDR {} of node {}", c, name);
            }
        }
    }

    private Result patch(Node node, String cidr) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podCIDR", cidr);
        spec.put("podCIDRs", List.of(cidr));
        String patch = Json.write(Map.of("spec", spec));
        try {
            client.strategicMergePatch(Node.class, null, node.metadata.name, patch);
            log.info("set node {} podCIDR {}", node.metadata.name, cidr);
            return Result.done();
        } catch (ApiException e) {
            if (e.isNotFound()) {
                release(node.metadata.name);
                return Result.done();
            }
            client.normalEvent(node, CIDR_ASSIGNMENT_FAILED, "Node " + node.metadata.name + " status is now: " + CIDR_ASSIGNMENT_FAILED);
            if (e.code() != 504) {
                // Kubernetes keeps the block after a server timeout (the patch may have gone through), else frees it
                release(node.metadata.name);
            }
            return Result.retry("failed to update node " + node.metadata.name + " podCIDR " + cidr + ": " + e.getMessage());
        }
    }
}
