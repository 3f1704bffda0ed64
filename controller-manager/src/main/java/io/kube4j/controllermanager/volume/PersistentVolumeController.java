package io.kube4j.controllermanager.volume;

import io.kube4j.api.ObjectReference;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.StorageClass;
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
import io.kube4j.labels.Selector;
import io.kube4j.quantity.Quantity;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Binds PersistentVolumeClaims to PersistentVolumes, and provisions volumes for claims whose
 * StorageClass names kube4j's local-path provisioner. A pending claim is bound to the smallest
 * Available volume that satisfies it (same class, every access mode, enough capacity, same volume
 * mode, matching selector, not reserved for another claim): the volume's {@code claimRef} is set and
 * its phase becomes Bound, then the claim's {@code volumeName}, phase, capacity and access modes. A
 * claim whose class provisions gets a new hostPath volume under {@link #STORAGE_ROOT} pre-bound to it
 * (Kubernetes' Immediate binding; kube4j's scheduler does no volume topology, so WaitForFirstConsumer
 * binds the same way). A volume whose claim is gone is Released, and deleted when its reclaim policy is
 * Delete (the directory's data stays on the node: no kube4j component deletes host directories).
 * Kubernetes: {@code pkg/controller/volume/persistentvolume/pv_controller.go}; the provisioner follows
 * k3s' local-path-provisioner.
 */
public final class PersistentVolumeController implements Controller {
    /** The provisioner name of kube4j's hostPath volumes. */
    public static final String LOCAL_PATH = "kube4j.io/local-path";
    /** Where provisioned volumes live on the node. */
    public static final String STORAGE_ROOT = "/var/lib/kube4j/storage";
    static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    static final Duration RETRY = Duration.ofSeconds(15);

    // reads
    private final Informer<PersistentVolumeClaim> claims;
    private final Informer<PersistentVolume> volumes;
    private final Informer<StorageClass> classes;
    // writes
    private final ControllerClient client;
    // "claim:ns/name" or "volume:name"
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public PersistentVolumeController(SharedInformers informers, ControllerClient client) {
        this.client = client;
        this.claims = informers.informer(PersistentVolumeClaim.class);
        this.volumes = informers.informer(PersistentVolume.class);
        this.classes = informers.informer(StorageClass.class);
        claims.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim c) {
                queue.add("claim:" + c.key());
            }

            @Override
            public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim c) {
                queue.add("claim:" + c.key());
            }

            @Override
            public void onDelete(PersistentVolumeClaim c) {
                if (c.spec.volumeName != null) {
                    queue.add("volume:" + c.spec.volumeName);
                }
            }
        });
        volumes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume v) {
                queue.add("volume:" + v.metadata.name);
                // a volume provisioned for (pre-bound to) a claim: that claim can bind now
                if (v.spec.claimRef != null && v.spec.claimRef.name != null) {
                    queue.add("claim:" + v.spec.claimRef.namespace + "/" + v.spec.claimRef.name);
                }
            }

            @Override
            public void onUpdate(PersistentVolume old, PersistentVolume v) {
                queue.add("volume:" + v.metadata.name);
                // a volume that became Available may satisfy a waiting claim
                claims.store().list().stream().filter(c -> c.spec.volumeName == null).forEach(c -> queue.add("claim:" + c.key()));
            }
        });
    }

    @Override
    public String name() {
        return "persistentvolume-binder";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(claims, volumes, classes);
    }

    @Override
    public Result reconcile(String key) {
        if (key.startsWith("claim:")) {
            return syncClaim(key.substring("claim:".length()));
        }
        return syncVolume(key.substring("volume:".length()));
    }

    Result syncClaim(String key) {
        PersistentVolumeClaim claim = claims.store().get(key);
        if (claim == null || claim.metadata.deletionTimestamp != null) {
            return Result.done();
        }
        if (claim.spec.volumeName != null && !claim.spec.volumeName.isEmpty()) {
            PersistentVolume pv = volumes.store().get(claim.spec.volumeName);
            if (pv != null && !"Bound".equals(claim.status.phase) && isFor(pv, claim)) {
                completeClaim(claim, pv);
            }
            return Result.done();
        }
        Optional<PersistentVolume> match = volumes.store().list().stream()
                .filter(pv -> satisfies(pv, claim))
                .min(Comparator.comparing(pv -> pv.spec.capacity.get("storage")));
        if (match.isPresent()) {
            bind(match.get(), claim);
            return Result.done();
        }
        String className = claim.spec.storageClassName;
        StorageClass sc = className == null || className.isEmpty() ? null : classes.store().get(className);
        if (sc != null && LOCAL_PATH.equals(sc.provisioner)) {
            provision(claim, sc);
            return Result.done();
        }
        String why = className == null || className.isEmpty()
                ? "no persistent volumes available for this claim and no storage class is set"
                : sc == null ? "storageclass.storage.k8s.io \"" + className + "\" not found"
                : "waiting for a volume to be created, either by external provisioner \"" + sc.provisioner + "\" or manually created by system administrator";
        client.event(claim, sc == null ? "Warning" : "Normal", sc == null ? "FailedBinding" : "ExternalProvisioning", why);
        return Result.requeueAfter(RETRY);
    }

    /** Whether {@code pv} can serve {@code claim} (findMatchingVolume's checks). */
    static boolean satisfies(PersistentVolume pv, PersistentVolumeClaim claim) {
        if (pv.metadata.deletionTimestamp != null) {
            return false;
        }
        if (pv.spec.claimRef != null && !isFor(pv, claim)) {
            return false;
        }
        if (pv.spec.claimRef == null && !"Available".equals(pv.status.phase) && !"Pending".equals(pv.status.phase)) {
            return false;
        }
        if (!Objects.equals(emptyToNull(pv.spec.storageClassName), emptyToNull(claim.spec.storageClassName))) {
            return false;
        }
        if (!pv.spec.accessModes.containsAll(claim.spec.accessModes)) {
            return false;
        }
        String pvMode = pv.spec.volumeMode == null ? "Filesystem" : pv.spec.volumeMode;
        String claimMode = claim.spec.volumeMode == null ? "Filesystem" : claim.spec.volumeMode;
        if (!pvMode.equals(claimMode)) {
            return false;
        }
        Quantity want = claim.spec.resources == null ? null : claim.spec.resources.requests.get("storage");
        Quantity have = pv.spec.capacity.get("storage");
        if (want == null || have == null || have.compareTo(want) < 0) {
            return false;
        }
        return claim.spec.selector == null || Selector.from(claim.spec.selector).matches(pv.metadata.labels == null ? Map.of() : pv.metadata.labels);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static boolean isFor(PersistentVolume pv, PersistentVolumeClaim claim) {
        ObjectReference ref = pv.spec.claimRef;
        return ref != null && Objects.equals(ref.namespace, claim.metadata.namespace) && Objects.equals(ref.name, claim.metadata.name)
                && (ref.uid == null || ref.uid.equals(claim.metadata.uid));
    }

    /** bindVolumeToClaim then bindClaimToVolume: the volume first, so a crash in between leaves a reserved, not a lost, volume. */
    private void bind(PersistentVolume pv, PersistentVolumeClaim claim) {
        PersistentVolume v = Json.copy(pv);
        if (v.spec.claimRef == null || v.spec.claimRef.uid == null) {
            v.spec.claimRef = claimRef(claim);
            v = client.update(v);
        }
        v.status.phase = "Bound";
        client.updateStatus(v);
        completeClaim(claim, v);
    }

    private void completeClaim(PersistentVolumeClaim claim, PersistentVolume pv) {
        PersistentVolumeClaim c = Json.copy(claim);
        if (c.metadata.annotations == null) {
            c.metadata.annotations = new LinkedHashMap<>();
        }
        if (c.spec.volumeName == null || c.spec.volumeName.isEmpty()) {
            c.spec.volumeName = pv.metadata.name;
            c.metadata.annotations.put(BOUND_BY_CONTROLLER, "yes");
        }
        c.metadata.annotations.put(BIND_COMPLETED, "yes");
        c = client.update(c);
        c.status.phase = "Bound";
        c.status.accessModes = pv.spec.accessModes;
        c.status.capacity = new LinkedHashMap<>(pv.spec.capacity);
        client.updateStatus(c);
    }

    private static ObjectReference claimRef(PersistentVolumeClaim claim) {
        ObjectReference ref = new ObjectReference();
        ref.kind = "PersistentVolumeClaim";
        ref.apiVersion = "v1";
        ref.namespace = claim.metadata.namespace;
        ref.name = claim.metadata.name;
        ref.uid = claim.metadata.uid;
        ref.resourceVersion = claim.metadata.resourceVersion;
        return ref;
    }

    /** A hostPath volume for the claim, pre-bound to it (the provisioner's Provision). */
    private void provision(PersistentVolumeClaim claim, StorageClass sc) {
        String name = "pvc-" + claim.metadata.uid;
        if (volumes.store().get(name) != null) {
            return;
        }
        PersistentVolume pv = new PersistentVolume();
        pv.metadata.name = name;
        pv.metadata.annotations = new LinkedHashMap<>(Map.of(PROVISIONED_BY, LOCAL_PATH));
        pv.spec.capacity.put("storage", claim.spec.resources.requests.get("storage"));
        pv.spec.accessModes = claim.spec.accessModes;
        pv.spec.persistentVolumeReclaimPolicy = sc.reclaimPolicy == null ? "Delete" : sc.reclaimPolicy;
        pv.spec.storageClassName = sc.metadata.name;
        pv.spec.volumeMode = claim.spec.volumeMode;
        pv.spec.claimRef = claimRef(claim);
        pv.spec.hostPath = new io.kube4j.api.Volume.HostPath();
        pv.spec.hostPath.path = STORAGE_ROOT + "/" + name + "_" + claim.metadata.namespace + "_" + claim.metadata.name;
        pv.spec.hostPath.type = "DirectoryOrCreate";
        try {
            client.create(pv);
            client.normalEvent(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + name);
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    Result syncVolume(String name) {
        PersistentVolume pv = volumes.store().get(name);
        if (pv == null || pv.metadata.deletionTimestamp != null) {
            return Result.done();
        }
        if (pv.spec.claimRef == null) {
            if (!"Available".equals(pv.status.phase)) {
                PersistentVolume v = Json.copy(pv);
                v.status.phase = "Available";
                client.updateStatus(v);
            }
            return Result.done();
        }
        ObjectReference ref = pv.spec.claimRef;
        PersistentVolumeClaim claim = claims.store().get(ref.namespace + "/" + ref.name);
        boolean claimGone = claim == null || (ref.uid != null && !ref.uid.equals(claim.metadata.uid));
        if (claimGone && ref.uid != null) {
            // confirm with a live read: the cache may not have seen a new claim yet
            Optional<PersistentVolumeClaim> live = client.find(PersistentVolumeClaim.class, ref.namespace, ref.name);
            if (live.isPresent() && ref.uid.equals(live.get().metadata.uid)) {
                return Result.done();
            }
            if ("Delete".equals(pv.spec.persistentVolumeReclaimPolicy)) {
                try {
                    client.delete(PersistentVolume.class, null, name, null);
                } catch (ApiException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            } else if (!"Released".equals(pv.status.phase)) {
                PersistentVolume v = Json.copy(pv);
                v.status.phase = "Released";
                client.updateStatus(v);
            }
        } else if (!claimGone && !"Bound".equals(pv.status.phase) && claim.spec.volumeName != null) {
            PersistentVolume v = Json.copy(pv);
            v.status.phase = "Bound";
            client.updateStatus(v);
        }
        return Result.done();
    }
}
