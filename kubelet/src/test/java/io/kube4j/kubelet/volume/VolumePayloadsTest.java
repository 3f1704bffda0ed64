package io.kube4j.kubelet.volume;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.ObjectFieldSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceFieldSelector;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.kubelet.testing.MapObjectManager;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The files of API-data volumes, as Kubernetes' configmap/secret MakePayload, downwardapi.CollectData and the projected plugin compute them. */
class VolumePayloadsTest {
    private final MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
    private final MapObjectManager<Secret> secrets = new MapObjectManager<>("secret");
    private final VolumePayloads payloads = new VolumePayloads(configMaps, secrets, () -> Map.of("memory", Quantity.parse("2Gi")));

    private static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-web";
        p.metadata.labels.put("zone", "us-est-coast");
        p.metadata.labels.put("cluster", "test-cluster1");
        p.metadata.annotations.put("builder", "john-doe");
        Container c = new Container();
        c.name = "app";
        p.spec.containers.add(c);
        return p;
    }

    private static String text(FileProjection f) {
        return new String(f.data(), StandardCharsets.UTF_8);
    }

    private static Volume.KeyToPath item(String key, String path, Integer mode) {
        Volume.KeyToPath k = new Volume.KeyToPath();
        k.key = key;
        k.path = path;
        k.mode = mode;
        return k;
    }

    @Test
    void aConfigMapVolumeHasEveryDataAndBinaryDataKeyWithTheDefaultMode() {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = "settings";
        cm.data.put("game.properties", "lives=3");
        cm.binaryData.put("logo", Base64.getEncoder().encodeToString(new byte[]{1, 2, 3}));
        configMaps.put(cm);
        Volume.ConfigMapVolumeSource source = new Volume.ConfigMapVolumeSource();
        source.name = "settings";

        Map<String, FileProjection> payload = payloads.configMap(pod(), source);

        assertThat(payload).containsOnlyKeys("game.properties", "logo");
        assertThat(text(payload.get("game.properties"))).isEqualTo("lives=3");
        assertThat(payload.get("game.properties").mode()).isEqualTo(0644);
        assertThat(payload.get("logo").data()).containsExactly(1, 2, 3);
    }

    @Test
    void itemsMapKeysToPathsWithTheirOwnModesAndAMissingKeyFailsUnlessOptional() {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = "settings";
        cm.data.put("a", "1");
        cm.data.put("b", "2");
        configMaps.put(cm);
        Volume.ConfigMapVolumeSource source = new Volume.ConfigMapVolumeSource();
        source.name = "settings";
        source.defaultMode = 0600;
        source.items.add(item("a", "dir/first", null));
        source.items.add(item("b", "second", 0444));

        Map<String, FileProjection> payload = payloads.configMap(pod(), source);
        assertThat(payload).containsOnlyKeys("dir/first", "second");
        assertThat(payload.get("dir/first").mode()).isEqualTo(0600);
        assertThat(payload.get("second").mode()).isEqualTo(0444);

        source.items.add(item("c", "third", null));
        assertThatThrownBy(() -> payloads.configMap(pod(), source)).hasMessage("configmap references non-existent config key: c");
        source.optional = true;
        assertThat(payloads.configMap(pod(), source)).containsOnlyKeys("dir/first", "second");
    }

    @Test
    void aSecretVolumeHasTheDecodedDataAndMissingSecretsFailWithKubernetesMessage() {
        Secret s = new Secret();
        s.metadata.namespace = "default";
        s.metadata.name = "creds";
        s.put("password", "s3cr3t");
        secrets.put(s);
        Volume.SecretVolumeSource source = new Volume.SecretVolumeSource();
        source.secretName = "creds";

        assertThat(text(payloads.secret(pod(), source).get("password"))).isEqualTo("s3cr3t");

        source.items.add(item("user", "user", null));
        assertThatThrownBy(() -> payloads.secret(pod(), source)).hasMessage("secret references non-existent secret key: user");
        Volume.SecretVolumeSource missing = new Volume.SecretVolumeSource();
        missing.secretName = "absent";
        assertThatThrownBy(() -> payloads.secret(pod(), missing)).isInstanceOf(VolumeSetupException.class).hasMessage("secret \"absent\" not found");
    }

    @Test
    void downwardApiFilesHoldSortedQuotedLabelsSingleFieldsAndResources() {
        Volume.DownwardAPIVolumeFile labels = new Volume.DownwardAPIVolumeFile();
        labels.path = "labels";
        labels.fieldRef = new ObjectFieldSelector();
        labels.fieldRef.fieldPath = "metadata.labels";
        Volume.DownwardAPIVolumeFile builder = new Volume.DownwardAPIVolumeFile();
        builder.path = "meta/builder";
        builder.fieldRef = new ObjectFieldSelector();
        builder.fieldRef.fieldPath = "metadata.annotations['builder']";
        builder.mode = 0400;
        Volume.DownwardAPIVolumeFile memory = new Volume.DownwardAPIVolumeFile();
        memory.path = "mem_limit";
        memory.resourceFieldRef = new ResourceFieldSelector();
        memory.resourceFieldRef.containerName = "app";
        memory.resourceFieldRef.resource = "limits.memory";
        memory.resourceFieldRef.divisor = Quantity.parse("1Mi");

        Map<String, FileProjection> payload = payloads.downwardApi(pod(), List.of(labels, builder, memory), null);

        assertThat(text(payload.get("labels"))).isEqualTo("cluster=\"test-cluster1\"\nzone=\"us-est-coast\"");
        assertThat(text(payload.get("meta/builder"))).isEqualTo("john-doe");
        assertThat(payload.get("meta/builder").mode()).isEqualTo(0400);
        assertThat(text(payload.get("mem_limit"))).isEqualTo("2048"); // no limit: the node's allocatable
    }

    @Test
    void aProjectedVolumeCombinesItsSourcesAndReportsEveryFailingOne() {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = "settings";
        cm.data.put("level", "debug");
        configMaps.put(cm);
        Volume.ProjectedVolumeSource source = new Volume.ProjectedVolumeSource();
        source.defaultMode = 0440;
        Volume.VolumeProjection fromConfigMap = new Volume.VolumeProjection();
        fromConfigMap.configMap = new Volume.ConfigMapProjection();
        fromConfigMap.configMap.name = "settings";
        Volume.VolumeProjection token = new Volume.VolumeProjection();
        token.serviceAccountToken = new Volume.ServiceAccountTokenProjection();
        token.serviceAccountToken.path = "token";
        token.serviceAccountToken.audience = "vault";
        Volume.VolumeProjection namespace = new Volume.VolumeProjection();
        namespace.downwardAPI = new Volume.DownwardAPIProjection();
        Volume.DownwardAPIVolumeFile ns = new Volume.DownwardAPIVolumeFile();
        ns.path = "namespace";
        ns.fieldRef = new ObjectFieldSelector();
        ns.fieldRef.fieldPath = "metadata.namespace";
        namespace.downwardAPI.items.add(ns);
        source.sources.addAll(List.of(fromConfigMap, token, namespace));

        Map<String, FileProjection> payload = payloads.projected(pod(), source);
        assertThat(payload).containsOnlyKeys("level", "token", "namespace");
        assertThat(text(payload.get("namespace"))).isEqualTo("default");
        assertThat(payload.values()).allSatisfy(f -> assertThat(f.mode()).isEqualTo(0440));
        assertThat(text(payload.get("token"))).startsWith("kube4j-placeholder-token").contains("serviceaccount=default/default", "audience=vault");

        Volume.VolumeProjection missingSecret = new Volume.VolumeProjection();
        missingSecret.secret = new Volume.SecretProjection();
        missingSecret.secret.name = "absent";
        Volume.VolumeProjection missingConfigMap = new Volume.VolumeProjection();
        missingConfigMap.configMap = new Volume.ConfigMapProjection();
        missingConfigMap.configMap.name = "gone";
        source.sources.addAll(List.of(missingSecret, missingConfigMap));
        assertThatThrownBy(() -> payloads.projected(pod(), source)).hasMessage("[secret \"absent\" not found, configmap \"gone\" not found]");
    }
}
