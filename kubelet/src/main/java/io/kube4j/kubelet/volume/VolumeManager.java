package io.kube4j.kubelet.volume;

import io.kube4j.api.Container;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.Volume;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.events.EventRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Sets up a node's pod volumes in the kubelet's pod directories, as Kubernetes' volume manager does for the
 * kinds kube4j supports ({@code pkg/kubelet/volumemanager}: desired-state populator, reconciler, and the
 * configMap, secret, downwardAPI, projected, hostPath and local plugins):
 * <ul>
 *   <li>configMap, secret, downwardAPI and projected volumes are written with the {@link AtomicWriter} into
 *       {@code <podsDir>/<uid>/volumes/kubernetes.io~configmap/<name>} (…{@code ~secret}, {@code ~downward-api},
 *       {@code ~projected}), and written again whenever their content changes (Kubernetes' periodic remount;
 *       here at each pod sync, so a watched change reaches the files within a sync period);</li>
 *   <li>a persistentVolumeClaim is resolved (claim Bound, its PersistentVolume bound back to it) to the PV's
 *       {@code hostPath} or {@code local} path; until then the pod waits;</li>
 *   <li>emptyDir and hostPath volumes are the runtime's and need nothing here; other kinds are not supported
 *       and are skipped.</li>
 * </ul>
 * Only volumes some container mounts are set up (Kubernetes ignores unused ones). A failed setup is reported
 * as a {@code FailedMount} event ({@code MountVolume.SetUp failed for volume "x" : configmap "y" not found}) at
 * Kubernetes' back-off pace (500 ms doubling to 2 min 2 s); a volume that was set up once stays mounted with
 * its last content when a later update fails.
 */
public final class VolumeManager {
    private static final Logger log = LoggerFactory.getLogger(VolumeManager.class);
    // Kubernetes' nestedpendingoperations exponential back-off
    static final Duration INITIAL_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofMinutes(2).plusSeconds(2);
    // an unbound claim is looked at again soon: Kubernetes' populator retries every 100 ms
    static final Duration MAX_CLAIM_RETRY = Duration.ofSeconds(2);

    private final Path podsDir;
    private final ApiClient client;
    private final VolumePayloads payloads;
    private final EventRecorder events;
    private final Clock clock;
    private final Map<String, Map<String, VolumeState>> pods = new ConcurrentHashMap<>();

    /**
     * @param podsDir  the directory of the pods' directories ({@code /var/lib/kubelet/pods} in Kubernetes)
     * @param client   reads PersistentVolumeClaims and PersistentVolumes (GET, no cache, as Kubernetes' populator)
     * @param payloads computes the files of API-data volumes
     * @param events   FailedMount events
     * @param clock    back-off and timestamped directory names
     */
    public VolumeManager(Path podsDir, ApiClient client, VolumePayloads payloads, EventRecorder events, Clock clock) {
        this.podsDir = podsDir.toAbsolutePath();
        this.client = client;
        this.payloads = payloads;
        this.events = events;
        this.clock = clock;
    }

    /** What one pod volume has reached. */
    private static final class VolumeState {
        MountedVolume mounted;
        Map<String, FileProjection> lastPayload;
        Instant retryAt;
        Duration delay;
    }

    /** The volumes of a pod that are set up, and those that are not yet. */
    public record PodVolumes(Map<String, MountedVolume> mounted, List<String> unmounted) {
        /** Whether every volume the containers mount is set up: the containers may start. */
        public boolean ready() {
            return unmounted.isEmpty();
        }
    }

    /** {@code <podsDir>/<uid>}: Kubernetes' {@code getPodDir}. */
    public Path podDir(String uid) {
        return podsDir.resolve(uid);
    }

    /**
     * Sets up (or brings up to date) every volume a container of {@code pod} mounts, without waiting: one
     * pass of Kubernetes' reconciler for this pod. Idempotent; writes only what changed.
     */
    public PodVolumes mountPod(Pod pod) {
        Map<String, VolumeState> states = pods.computeIfAbsent(pod.metadata.uid, u -> new ConcurrentHashMap<>());
        // one pod at a time per pod (its worker, housekeeping): a slow read for one pod holds up no other
        synchronized (states) {
            return mountPod(pod, states);
        }
    }

    private PodVolumes mountPod(Pod pod, Map<String, VolumeState> states) {
        Set<String> used = usedVolumes(pod);
        List<String> unmounted = new ArrayList<>();
        Instant now = clock.instant();
        for (Volume v : pod.spec.volumes) {
            if (v.name == null || !used.contains(v.name) || !managed(v)) {
                continue;
            }
            VolumeState state = states.computeIfAbsent(v.name, n -> new VolumeState());
            if (v.persistentVolumeClaim != null) {
                if (state.mounted == null && (state.retryAt == null || !now.isBefore(state.retryAt))) {
                    setUpClaim(pod, v, state, now);
                }
            } else {
                setUpApiData(pod, v, state, now);
            }
            if (state.mounted == null) {
                unmounted.add(v.name);
            }
        }
        Map<String, MountedVolume> mounted = new java.util.LinkedHashMap<>();
        states.forEach((name, s) -> {
            if (s.mounted != null) {
                mounted.put(name, s.mounted);
            }
        });
        return new PodVolumes(Map.copyOf(mounted), List.copyOf(unmounted));
    }

    /** The volumes of the pod with this uid that are set up (Kubernetes' {@code GetMountedVolumesForPod}). */
    public Map<String, MountedVolume> mountedVolumes(String uid) {
        Map<String, VolumeState> states = pods.get(uid);
        if (states == null) {
            return Map.of();
        }
        Map<String, MountedVolume> mounted = new java.util.HashMap<>();
        states.forEach((name, s) -> {
            if (s.mounted != null) {
                mounted.put(name, s.mounted);
            }
        });
        return mounted;
    }

    /*
     * Tried at every sync, back-off only pacing the FailedMount events: the payload comes from the watched
     * caches, so trying costs no request, and a ConfigMap that appears is used at once (Kubernetes would wait
     * out its back-off, up to 2 min).
     */
    private void setUpApiData(Pod pod, Volume v, VolumeState state, Instant now) {
        try {
            Map<String, FileProjection> payload;
            String plugin;
            if (v.configMap != null) {
                plugin = "kubernetes.io~configmap";
                payload = payloads.configMap(pod, v.configMap);
            } else if (v.secret != null) {
                plugin = "kubernetes.io~secret";
                payload = payloads.secret(pod, v.secret);
            } else if (v.downwardAPI != null) {
                plugin = "kubernetes.io~downward-api";
                payload = payloads.downwardApi(pod, v.downwardAPI.items, v.downwardAPI.defaultMode);
            } else {
                plugin = "kubernetes.io~projected";
                payload = payloads.projected(pod, v.projected);
            }
            if (state.mounted != null && payload.equals(state.lastPayload)) {
                succeeded(state);
                return; // nothing changed since the last write
            }
            Path dir = podDir(pod.metadata.uid).resolve("volumes").resolve(plugin).resolve(v.name);
            Files.createDirectories(dir);
            new AtomicWriter(dir, clock).write(payload);
            state.lastPayload = payload;
            state.mounted = new MountedVolume(v.name, dir, true, true);
            succeeded(state);
        } catch (VolumeSetupException | IllegalArgumentException e) {
            failed(pod, v.name, state, e.getMessage(), now, MAX_RETRY);
        } catch (IOException e) {
            failed(pod, v.name, state, e.toString(), now, MAX_RETRY);
        }
    }

    /**
     * Kubernetes' populator ({@code getPVCExtractPV}, {@code getPVSpec}) then the hostPath or local plugin. Claim
     * problems are not FailedMount events in Kubernetes (the scheduler reports unbound claims): they are logged
     * and the pod waits.
     */
    private void setUpClaim(Pod pod, Volume v, VolumeState state, Instant now) {
        String ns = pod.metadata.namespace;
        String claimName = v.persistentVolumeClaim.claimName;
        PersistentVolume pv;
        try {
            PersistentVolumeClaim pvc = client.get(PersistentVolumeClaim.class, ns, claimName);
            if (pvc.metadata.deletionTimestamp != null) {
                throw new VolumeSetupException("PVC is being deleted");
            }
            if (pvc.status == null || !"Bound".equals(pvc.status.phase)) {
                throw new VolumeSetupException("PVC is not bound");
            }
            String pvName = pvc.spec.volumeName;
            try {
                pv = client.get(PersistentVolume.class, null, pvName);
            } catch (ApiException e) {
                throw new VolumeSetupException("failed to fetch PV " + pvName + " from API server: " + message(e));
            }
            if (pv.spec.claimRef == null) {
                throw new VolumeSetupException("found PV object " + pvName + " but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim");
            }
            if (pvc.metadata.uid != null && !pvc.metadata.uid.equals(pv.spec.claimRef.uid)) {
                throw new VolumeSetupException("found PV object " + pvName + " but its pv.Spec.ClaimRef.UID " + pv.spec.claimRef.uid
                        + " does not point to claim.UID " + pvc.metadata.uid);
            }
        } catch (VolumeSetupException e) {
            waitForClaim(pod, claimName, state, e.getMessage(), now);
            return;
        } catch (ApiException e) {
            waitForClaim(pod, claimName, state, "failed to fetch PVC from API server: " + message(e), now);
            return;
        }
        boolean readOnly = Boolean.TRUE.equals(v.persistentVolumeClaim.readOnly);
        try {
            Path path;
            if (pv.spec.hostPath != null && pv.spec.hostPath.path != null) {
                path = Path.of(pv.spec.hostPath.path);
                if ("DirectoryOrCreate".equals(pv.spec.hostPath.type)) {
                    Files.createDirectories(path);
                }
            } else if (pv.spec.local != null && pv.spec.local.path != null) {
                path = Path.of(pv.spec.local.path);
                if (!Files.exists(path)) {
                    throw new VolumeSetupException("path \"" + path + "\" does not exist");
                }
            } else {
                throw new VolumeSetupException("kube4j's kubelet mounts only hostPath and local PersistentVolumes, not " + pv.metadata.name);
            }
            state.mounted = new MountedVolume(v.name, path, readOnly, false);
            succeeded(state);
        } catch (VolumeSetupException e) {
            // the event names the PersistentVolume, as Kubernetes' volume spec name for a claim is the PV's
            failed(pod, pv.metadata.name, state, e.getMessage(), now, MAX_RETRY);
        } catch (IOException e) {
            failed(pod, pv.metadata.name, state, e.toString(), now, MAX_RETRY);
        }
    }

    private void waitForClaim(Pod pod, String claimName, VolumeState state, String message, Instant now) {
        log.info("pod {}: error processing PVC {}/{}: {}", pod.key(), pod.metadata.namespace, claimName, message);
        backOff(state, now, MAX_CLAIM_RETRY);
    }

    // the apiserver's own words (persistentvolumeclaims "x" not found), as client-go's error prints them
    private static String message(ApiException e) {
        return e.status() != null && e.status().message != null ? e.status().message : e.getMessage();
    }

    private void succeeded(VolumeState state) {
        state.retryAt = null;
        state.delay = null;
    }

    private void failed(Pod pod, String volumeName, VolumeState state, String message, Instant now, Duration max) {
        if (state.retryAt != null && now.isBefore(state.retryAt)) {
            return; // still backing off: this failure is not reported again yet
        }
        // the simple message of Kubernetes' VolumeToMount.GenerateError, as the FailedMount event shows it
        events.warning(pod, "FailedMount", "MountVolume.SetUp failed for volume \"" + volumeName + "\" : " + message);
        backOff(state, now, max);
    }

    private static void backOff(VolumeState state, Instant now, Duration max) {
        Duration delay = state.delay == null ? INITIAL_RETRY : state.delay.multipliedBy(2);
        if (delay.compareTo(max) > 0) {
            delay = max;
        }
        state.delay = delay;
        state.retryAt = now.plus(delay);
    }

    /**
     * A subPath of an API-data volume as Kubernetes bind-mounts it: the file (or directory) the subPath resolves
     * to now, pinned for good, so later updates of the volume do not reach it. Kubernetes pins it with a bind
     * mount under {@code volume-subpaths/<volume>/<container>/<index>}; kube4j makes hard links there (the
     * atomic writer never rewrites a file in place, so the link keeps the old content). Reused while it exists,
     * as Kubernetes reuses its bind mount when a container restarts.
     *
     * @throws IOException when the subPath cannot be pinned (outside the volume, disk error)
     */
    public Path pinSubPath(String uid, MountedVolume volume, String subPath, String containerName, int index) throws IOException {
        Path pinned = podDir(uid).resolve("volume-subpaths").resolve(volume.name()).resolve(containerName).resolve(Integer.toString(index));
        if (Files.exists(pinned, LinkOption.NOFOLLOW_LINKS)) {
            return pinned;
        }
        Path wanted = volume.path().resolve(subPath);
        if (!Files.exists(wanted)) {
            // as Kubernetes: a subPath the volume lacks is created as an empty directory
            Files.createDirectories(wanted);
        }
        Path source = wanted.toRealPath();
        if (!source.startsWith(volume.path().toRealPath())) {
            throw new IOException("subPath " + subPath + " is outside the volume");
        }
        Files.createDirectories(pinned.getParent());
        if (Files.isDirectory(source)) {
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path p : walk.toList()) {
                    Path target = pinned.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createLink(target, p);
                    }
                }
            }
        } else {
            Files.createLink(pinned, source);
        }
        return pinned;
    }

    /** Removes the pod's directory (its volumes' files, pinned subPaths) once its containers are gone. */
    public void unmountPod(String uid) {
        payloads.forgetPod(uid);
        Map<String, VolumeState> states = pods.remove(uid);
        if (states == null) {
            deletePodDir(uid);
            return;
        }
        synchronized (states) {
            // after any write in progress for this pod
            deletePodDir(uid);
        }
    }

    private void deletePodDir(String uid) {
        try {
            AtomicWriter.deleteRecursively(podDir(uid));
        } catch (IOException e) {
            log.warn("cannot remove the directory of pod {}: {}", uid, e.toString());
        }
    }

    /**
     * Removes the directories of pods that are neither known nor being worked on (Kubernetes'
     * {@code cleanupOrphanedPodDirs}): what a previous kubelet left for pods deleted since.
     */
    public void cleanupOrphans(Set<String> knownUids) {
        if (!Files.isDirectory(podsDir)) {
            return;
        }
        Set<String> orphans = new HashSet<>();
        try (Stream<Path> dirs = Files.list(podsDir)) {
            // a pod this manager is setting up is not an orphan, even if the caller's list predates it
            dirs.map(p -> p.getFileName().toString()).filter(uid -> !knownUids.contains(uid) && !pods.containsKey(uid)).forEach(orphans::add);
        } catch (IOException e) {
            log.warn("cannot list {}: {}", podsDir, e.toString());
            return;
        }
        for (String uid : orphans) {
            log.info("removing the directory of orphaned pod {}", uid);
            unmountPod(uid);
        }
    }

    /** Kubernetes' {@code GetPodVolumeNames}: the volumes some (init) container mounts. */
    static Set<String> usedVolumes(Pod pod) {
        Set<String> used = new HashSet<>();
        for (Container c : pod.spec.initContainers) {
            c.volumeMounts.forEach(m -> used.add(m.name));
        }
        for (Container c : pod.spec.containers) {
            c.volumeMounts.forEach(m -> used.add(m.name));
        }
        return used;
    }

    /** Whether this manager sets the volume up (emptyDir and hostPath are the runtime's). */
    static boolean managed(Volume v) {
        return v.configMap != null || v.secret != null || v.downwardAPI != null || v.projected != null || v.persistentVolumeClaim != null;
    }
}
