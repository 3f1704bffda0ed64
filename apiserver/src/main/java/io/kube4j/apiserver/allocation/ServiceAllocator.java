package io.kube4j.apiserver.allocation;

import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.Storage.Guard;
import io.kube4j.apiserver.storage.Storage.Write;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes Services together with their address allocations. Every ClusterIP and NodePort in use is
 * a key ({@code /registry/ranges/serviceips/<ip>}, {@code /registry/ranges/servicenodeports/<port>})
 * created in the same etcd transaction as the Service, guarded by {@code createRevision == 0}, and
 * deleted in the same transaction that deletes or changes the Service. So two apiservers can never
 * hand out the same address: the loser's transaction fails, and it picks again.
 */
public class ServiceAllocator {
    static final String IP_PREFIX = "/registry/ranges/serviceips/";
    static final String PORT_PREFIX = "/registry/ranges/servicenodeports/";
    // a retry happens only when a concurrent writer took a randomly picked address: rare
    private static final int MAX_ATTEMPTS = 20;

    private final Storage storage;
    private final AddressAssigner assigner;

    public ServiceAllocator(Storage storage, AddressAssigner assigner) {
        this.storage = storage;
        this.assigner = assigner;
    }

    public ServiceAllocator(Storage storage, ServiceAllocationProperties props) {
        this(storage, new AddressAssigner(ServiceIpRange.parse(props.clusterIpRange()), NodePortRange.parse(props.nodePortRange()), new SecureRandom()));
    }

    /** See {@link AddressAssigner#carryOver}. */
    public void carryOver(ObjectNode current, ObjectNode proposed) {
        AddressAssigner.carryOver(current, proposed);
    }

    /** Creates the Service at {@code key} with its addresses; returns it as stored, with its resourceVersion. */
    public ObjectNode create(String key, ObjectNode service, boolean dryRun) {
        String name = service.path("metadata").path("name").asString("");
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ObjectNode next = service.deepCopy();
            AddressAssigner.Assignment a = assigner.assign(null, next, new EtcdTaken());
            if (dryRun) {
                return next;
            }
            List<Guard> guards = new ArrayList<>();
            List<Write> ops = new ArrayList<>();
            guards.add(Guard.absent(key));
            allocations(a, owner(next), guards, ops);
            ops.add(Write.put(key, encode(next)));
            try {
                long rev = storage.transaction(guards, ops, key);
                meta(next).put("resourceVersion", Long.toString(rev));
                return next;
            } catch (StorageException e) {
                if (e.kind() != StorageException.Kind.CONFLICT) {
                    throw e;
                }
                if (storage.get(key).isPresent()) {
                    throw ApiError.alreadyExists("", "services", name);
                }
                // a concurrent create took an address we picked: read again (a requested one now gives 422)
            }
        }
        throw ApiError.conflict("", "services", name, "could not allocate addresses against concurrent writers; try again");
    }

    /**
     * Replaces the Service last written at {@code modRevision} with {@code next} (completed in place:
     * addresses, resourceVersion), allocating and releasing addresses in the same transaction. A
     * concurrent change of the Service itself is a {@link StorageException.Kind#CONFLICT}, as for any update.
     */
    public long update(String key, ObjectNode current, ObjectNode next, long modRevision) {
        String name = next.path("metadata").path("name").asString("");
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ObjectNode proposal = next.deepCopy();
            AddressAssigner.Assignment a = assigner.assign(current, proposal, new EtcdTaken());
            List<Guard> guards = new ArrayList<>();
            List<Write> ops = new ArrayList<>();
            guards.add(Guard.unchangedSince(key, modRevision));
            allocations(a, owner(proposal), guards, ops);
            ops.add(Write.put(key, encode(proposal)));
            try {
                long rev = storage.transaction(guards, ops, key);
                next.set("spec", proposal.get("spec"));
                meta(next).put("resourceVersion", Long.toString(rev));
                return rev;
            } catch (StorageException e) {
                if (e.kind() != StorageException.Kind.CONFLICT) {
                    throw e;
                }
                unchangedSince(key, modRevision);
            }
        }
        throw ApiError.conflict("", "services", name, "could not allocate addresses against concurrent writers; try again");
    }

    /** Deletes the Service last written at {@code modRevision} and releases its addresses, atomically. */
    public long delete(String key, ObjectNode current, long modRevision) {
        AddressAssigner.Held held = AddressAssigner.held(current);
        List<Write> ops = new ArrayList<>();
        ops.add(Write.delete(key));
        if (held.clusterIP() != null) {
            ops.add(Write.delete(IP_PREFIX + held.clusterIP()));
        }
        for (int port : held.nodePorts()) {
            ops.add(Write.delete(PORT_PREFIX + port));
        }
        try {
            return storage.transaction(List.of(Guard.unchangedSince(key, modRevision)), ops, key);
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.CONFLICT) {
                unchangedSince(key, modRevision);
            }
            throw e;
        }
    }

    /** After a failed transaction: NOT_FOUND or CONFLICT if the Service moved on; returns if it did not (an address was taken). */
    private void unchangedSince(String key, long modRevision) {
        Optional<Storage.Stored> now = storage.get(key);
        if (now.isEmpty()) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, key, "not found: " + key, null);
        }
        if (now.get().modRevision() != modRevision) {
            throw new StorageException(StorageException.Kind.CONFLICT, key, "modified concurrently: " + key, null);
        }
    }

    private static void allocations(AddressAssigner.Assignment a, byte[] owner, List<Guard> guards, List<Write> ops) {
        for (String ip : a.allocateIps()) {
            claim(IP_PREFIX + ip, owner, guards, ops);
        }
        for (int port : a.allocatePorts()) {
            claim(PORT_PREFIX + port, owner, guards, ops);
        }
        for (String ip : a.releaseIps()) {
            ops.add(Write.delete(IP_PREFIX + ip));
        }
        for (int port : a.releasePorts()) {
            ops.add(Write.delete(PORT_PREFIX + port));
        }
    }

    private static void claim(String key, byte[] owner, List<Guard> guards, List<Write> ops) {
        guards.add(Guard.absent(key));
        ops.add(Write.put(key, owner));
    }

    /** The value of an allocation key: a JSON object (the watch cache decodes everything under /registry/) naming its Service. */
    private static byte[] owner(ObjectNode service) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("kind", "ServiceAllocation");
        o.put("service", service.path("metadata").path("namespace").asString("") + "/" + service.path("metadata").path("name").asString(""));
        o.put("uid", service.path("metadata").path("uid").asString(""));
        return Json.writeBytes(o);
    }

    private static byte[] encode(ObjectNode service) {
        ObjectNode copy = service.deepCopy();
        meta(copy).remove("resourceVersion");
        return Json.writeBytes(copy);
    }

    private static ObjectNode meta(ObjectNode obj) {
        return obj.get("metadata") instanceof ObjectNode m ? m : obj.putObject("metadata");
    }

    /** The allocation keys in etcd now, read once per attempt and only if needed. */
    private final class EtcdTaken implements AddressAssigner.Taken {
        private Set<String> ips;
        private Set<Integer> ports;

        @Override
        public Set<String> ips() {
            if (ips == null) {
                ips = new HashSet<>(suffixes(IP_PREFIX));
            }
            return ips;
        }

        @Override
        public Set<Integer> nodePorts() {
            if (ports == null) {
                ports = new HashSet<>();
                for (String s : suffixes(PORT_PREFIX)) {
                    try {
                        ports.add(Integer.parseInt(s));
                    } catch (NumberFormatException e) {
                        // not ours: ignore
                    }
                }
            }
            return ports;
        }

        private List<String> suffixes(String prefix) {
            List<String> out = new ArrayList<>();
            String from = null;
            while (true) {
                Storage.Page page = storage.range(prefix, from, 0, 5000);
                for (Storage.Stored s : page.items()) {
                    out.add(s.key().substring(prefix.length()));
                }
                if (!page.more() || page.items().isEmpty()) {
                    return out;
                }
                from = page.items().get(page.items().size() - 1).key() + "\0";
            }
        }
    }
}
