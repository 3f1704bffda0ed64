package io.kube4j.controllermanager.replicaset;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ReplicaSet;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The objects a {@link ReplicaSetController} manages, seen as ReplicaSets. For ReplicaSets this is the
 * informer itself; for ReplicationControllers each cached object is converted on read and the status the
 * controller computes is written back onto the ReplicationController, which is how Kubernetes runs its
 * replication manager on the ReplicaSet controller's code ({@code pkg/controller/replication/conversion.go}:
 * an informer adapter and a client adapter). The converted view keeps the owner's own
 * {@code apiVersion}, {@code kind} and {@code uid}, so the owner references, Events and claims the
 * controller makes name the real owner.
 *
 * @param <T> the stored kind
 */
public final class Owners<T extends KubeObject> {
    // the stored kind's informer, never mutated
    private final Informer<T> informer;
    // the stored kind's name in ownerReferences ("ReplicaSet", "ReplicationController")
    private final String kind;
    // a ReplicaSet view of one cached object; must not share mutable state with the cache
    private final Function<T, ReplicaSet> toReplicaSet;
    // the stored object carrying a status computed on the view: (cached object, view with status) -> object to write
    private final BiFunction<T, ReplicaSet, T> withStatus;

    Owners(Informer<T> informer, String kind, Function<T, ReplicaSet> toReplicaSet, BiFunction<T, ReplicaSet, T> withStatus) {
        this.informer = informer;
        this.kind = kind;
        this.toReplicaSet = toReplicaSet;
        this.withStatus = withStatus;
    }

    /** ReplicaSets as they are (apps/v1). */
    public static Owners<ReplicaSet> replicaSets(SharedInformers informers) {
        return new Owners<>(informers.informer(ReplicaSet.class), "ReplicaSet", rs -> rs, (cached, next) -> next);
    }

    /** Any other kind through a conversion to and from ReplicaSet (see {@code replication.ReplicationControllerConversion}). */
    public static <T extends KubeObject> Owners<T> converted(Informer<T> informer, String kind, Function<T, ReplicaSet> toReplicaSet, BiFunction<T, ReplicaSet, T> withStatus) {
        return new Owners<>(informer, kind, toReplicaSet, withStatus);
    }

    /** The kind named by owner references to these objects. */
    public String kind() {
        return kind;
    }

    Informer<T> informer() {
        return informer;
    }

    ReplicaSet get(String key) {
        return view(informer.store().get(key));
    }

    ReplicaSet get(String namespace, String name) {
        return view(informer.store().get(namespace, name));
    }

    List<ReplicaSet> inNamespace(String namespace) {
        List<ReplicaSet> out = new ArrayList<>();
        for (T obj : SharedInformers.inNamespace(informer.store(), namespace)) {
            out.add(toReplicaSet.apply(obj));
        }
        return out;
    }

    /** Writes {@code next}'s status onto the stored object it is a view of (gone from the cache: nothing to write). */
    void updateStatus(ControllerClient client, ReplicaSet next) {
        T cached = informer.store().get(next.key());
        if (cached == null) {
            return;
        }
        client.updateStatus(withStatus.apply(cached, next));
    }

    /** Tells {@code handler} of every add, update and delete, as views. */
    void addHandler(ResourceEventHandler<ReplicaSet> handler) {
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                handler.onAdd(toReplicaSet.apply(obj));
            }

            @Override
            public void onUpdate(T old, T obj) {
                handler.onUpdate(toReplicaSet.apply(old), toReplicaSet.apply(obj));
            }

            @Override
            public void onDelete(T obj) {
                handler.onDelete(toReplicaSet.apply(obj));
            }
        });
    }

    private ReplicaSet view(T obj) {
        return obj == null ? null : toReplicaSet.apply(obj);
    }
}
