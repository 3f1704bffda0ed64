package io.kube4j.kubelet.manager;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.KubeList;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.api.Volume;
import io.kube4j.api.WatchEvent;
import io.kube4j.api.WatchEventList;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The watch-based ConfigMap manager against a fake apiserver that answers lists and long-polls from memory:
 * one watch per referenced object, shared by the pods that refer to it, stopped with the last of them,
 * NotFound in Kubernetes' words, and the referring pods told of every change.
 */
class WatchBasedManagerTest {
    private final FakeApi api = new FakeApi();
    private final WatchBasedManager<ConfigMap> manager = WatchBasedManager.configMaps(api);

    @AfterEach
    void stop() {
        manager.stop();
    }

    /** Lists and polls ConfigMaps from memory; records the field selector of every list. */
    static final class FakeApi extends ApiClient {
        final Map<String, ConfigMap> objects = new ConcurrentHashMap<>();
        final List<String> lists = new CopyOnWriteArrayList<>();
        final Map<String, LinkedBlockingQueue<WatchEvent<ConfigMap>>> watches = new ConcurrentHashMap<>();
        private long rv = 10;

        FakeApi() {
            super("http://127.0.0.1:1");
        }

        synchronized void upsert(ConfigMap cm) {
            boolean existed = objects.containsKey(cm.key());
            cm.metadata.resourceVersion = String.valueOf(++rv);
            objects.put(cm.key(), cm);
            queue(cm.metadata.namespace, cm.metadata.name).add(new WatchEvent<>(existed ? "MODIFIED" : "ADDED", Json.copy(cm)));
        }

        private LinkedBlockingQueue<WatchEvent<ConfigMap>> queue(String namespace, String name) {
            return watches.computeIfAbsent(namespace + "/" + name, k -> new LinkedBlockingQueue<>());
        }

        private static String name(ListOptions options) {
            return options.fieldSelector().substring("metadata.name=".length());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends KubeObject> KubeList<T> list(Class<T> type, String namespace, ListOptions options) {
            lists.add(namespace + " " + options.fieldSelector());
            KubeList<T> list = new KubeList<>();
            ConfigMap cm = objects.get(namespace + "/" + name(options));
            if (cm != null) {
                list.items.add((T) Json.copy(cm));
            }
            list.metadata.resourceVersion = String.valueOf(rv);
            return list;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends KubeObject> WatchEventList<T> poll(Class<T> type, String namespace, ListOptions options, String resourceVersion, int timeoutSeconds) {
            WatchEventList<T> events = new WatchEventList<>();
            try {
                WatchEvent<ConfigMap> e = queue(namespace, name(options)).poll(200, TimeUnit.MILLISECONDS);
                if (e != null) {
                    events.items.add((WatchEvent<T>) e);
                }
            } catch (InterruptedException e) {
                throw new io.kube4j.client.ApiException(0, null, "interrupted", e);
            }
            return events;
        }
    }

    private static Pod pod(String uid, String... configMaps) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "pod-" + uid;
        p.metadata.uid = uid;
        Container c = new Container();
        c.name = "app";
        for (String name : configMaps) {
            Volume v = new Volume();
            v.name = "v-" + name;
            v.configMap = new Volume.ConfigMapVolumeSource();
            v.configMap.name = name;
            p.spec.volumes.add(v);
        }
        p.spec.containers.add(c);
        return p;
    }

    private static ConfigMap configMap(String name, String value) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = name;
        cm.data.put("k", value);
        return cm;
    }

    @Test
    void eachReferencedObjectIsWatchedOnceByNameAndStoppedWithTheLastPodReferringToIt() {
        manager.registerPod(pod("a", "shared", "own"));
        manager.registerPod(pod("b", "shared"));

        assertThat(manager.watched()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(api.lists).contains("default metadata.name=shared", "default metadata.name=own").hasSize(2));

        manager.unregisterPod("a");
        assertThat(manager.watched()).isEqualTo(1);
        manager.unregisterPod("b");
        assertThat(manager.watched()).isZero();
    }

    @Test
    void readsAnswerFromTheWatchWithKubernetesMessagesForWhatIsMissingOrUnregistered() {
        api.upsert(configMap("present", "v1"));
        manager.registerPod(pod("a", "present", "absent"));

        assertThat(manager.get("default", "present").data).containsEntry("k", "v1");
        assertThatThrownBy(() -> manager.get("default", "absent")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("configmap \"absent\" not found");
        assertThatThrownBy(() -> manager.get("default", "other")).isInstanceOf(IllegalStateException.class)
                .hasMessage("object \"default\"/\"other\" not registered");
    }

    @Test
    void aChangeOfAnObjectTellsThePodsThatReferToIt() {
        List<Set<String>> told = new CopyOnWriteArrayList<>();
        manager.addListener(told::add);
        manager.registerPod(pod("a", "late"));
        manager.registerPod(pod("b", "late"));
        manager.registerPod(pod("c", "unrelated"));
        assertThatThrownBy(() -> manager.get("default", "late")).isInstanceOf(ObjectNotFoundException.class);

        api.upsert(configMap("late", "v1"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(told).contains(Set.of("a", "b")));
        assertThat(manager.get("default", "late").data).containsEntry("k", "v1");
        api.upsert(configMap("late", "v2"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(manager.get("default", "late").data).containsEntry("k", "v2"));
    }

    @Test
    void aPodWhoseSpecNoLongerRefersToAnObjectReleasesIt() {
        manager.registerPod(pod("a", "first"));
        manager.registerPod(pod("a", "second"));

        assertThat(manager.watched()).isEqualTo(1);
        assertThatThrownBy(() -> manager.get("default", "first")).hasMessage("object \"default\"/\"first\" not registered");
    }

    @Test
    void anImmutableObjectIsNoLongerWatchedOnceRead() throws InterruptedException {
        ConfigMap frozen = configMap("frozen", "v1");
        frozen.immutable = true;
        api.upsert(frozen);
        manager.registerPod(pod("a", "frozen"));
        assertThat(manager.get("default", "frozen").data).containsEntry("k", "v1");

        // the apiserver refuses such a change; were one to come, the stopped watch would not see it
        ConfigMap changed = configMap("frozen", "v2");
        changed.immutable = true;
        api.upsert(changed);

        Thread.sleep(800); // more than the fake watch's poll: a running watch would have applied it
        assertThat(manager.get("default", "frozen").data).containsEntry("k", "v1");
    }
}
