package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.api.Secret;
import io.kube4j.kubelet.testing.MapObjectManager;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A container's environment as Kubernetes 1.32's makeEnvironmentVariables builds it (cases after
 * pkg/kubelet/kubelet_pods_test.go TestMakeEnvironmentVariables): each valueFrom source, envFrom with
 * prefix, optional sources, and the messages of missing ones (CreateContainerConfigError).
 */
class EnvironmentVariablesTest {
    private static final Map<String, Quantity> ALLOCATABLE = Map.of("cpu", Quantity.parse("4"), "memory", Quantity.parse("8Gi"));

    private final MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
    private final MapObjectManager<Secret> secrets = new MapObjectManager<>("secret");
    private final EnvironmentVariables env = new EnvironmentVariables(configMaps, secrets, () -> ALLOCATABLE);

    private static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "shop";
        p.metadata.name = "web-1";
        p.metadata.uid = "7b3f0e3a-uid";
        p.metadata.labels.put("app", "web");
        p.metadata.annotations.put("note", "say \"hi\"");
        p.spec.nodeName = "node-1";
        p.spec.serviceAccountName = "builder";
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        p.spec.containers.add(c);
        return p;
    }

    private static Container app(Pod p) {
        return p.spec.containers.get(0);
    }

    private static Container.EnvVar from(String name, String kind, Map<String, Object> selector) {
        Container.EnvVar v = new Container.EnvVar();
        v.name = name;
        v.valueFrom = Map.of(kind, selector);
        return v;
    }

    private static Container.EnvVar field(String name, String path) {
        return from(name, "fieldRef", Map.of("fieldPath", path));
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "shop";
        cm.metadata.name = name;
        cm.data.putAll(data);
        return cm;
    }

    private static Secret secret(String name, Map<String, String> data) {
        Secret s = new Secret();
        s.metadata.namespace = "shop";
        s.metadata.name = name;
        data.forEach(s::put);
        return s;
    }

    private Map<String, String> make(Pod p) {
        return env.make(p, app(p), Map.of(), List.of("10.244.1.7"), List.of("192.0.2.10"));
    }

    @Test
    void configMapKeyRefAndSecretKeyRefResolveTheSecretDecoded() {
        configMaps.put(configMap("settings", Map.of("level", "debug")));
        secrets.put(secret("creds", Map.of("password", "s3cr3t")));
        Pod p = pod();
        app(p).env.add(from("LEVEL", "configMapKeyRef", Map.of("name", "settings", "key", "level")));
        app(p).env.add(from("PASSWORD", "secretKeyRef", Map.of("name", "creds", "key", "password")));

        assertThat(make(p)).containsEntry("LEVEL", "debug").containsEntry("PASSWORD", "s3cr3t");
    }

    @Test
    void everyPodFieldTheDownwardApiOffersEnvVars() {
        Pod p = pod();
        for (String path : List.of("metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['app']", "metadata.annotations['note']",
                "metadata.labels['absent']", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")) {
            app(p).env.add(field(path.replaceAll("[^a-zA-Z]", "_").toUpperCase(), path));
        }

        Map<String, String> e = env.make(p, app(p), Map.of(), List.of("10.244.1.7", "fd00::7"), List.of("192.0.2.10", "2001:db8::10"));

        assertThat(e).containsEntry("METADATA_NAME", "web-1")
                .containsEntry("METADATA_NAMESPACE", "shop")
                .containsEntry("METADATA_UID", "7b3f0e3a-uid")
                .containsEntry("METADATA_LABELS__APP__", "web")
                .containsEntry("METADATA_ANNOTATIONS__NOTE__", "say \"hi\"")
                .containsEntry("METADATA_LABELS__ABSENT__", "")
                .containsEntry("SPEC_NODENAME", "node-1")
                .containsEntry("SPEC_SERVICEACCOUNTNAME", "builder")
                .containsEntry("STATUS_HOSTIP", "192.0.2.10")
                .containsEntry("STATUS_HOSTIPS", "192.0.2.10,2001:db8::10")
                .containsEntry("STATUS_PODIP", "10.244.1.7")
                .containsEntry("STATUS_PODIPS", "10.244.1.7,fd00::7");
    }

    @Test
    void aFieldTheDownwardApiDoesNotKnowIsAConfigError() {
        Pod p = pod();
        app(p).env.add(field("X", "spec.containers"));

        assertThatThrownBy(() -> make(p)).isInstanceOf(ContainerConfigException.class).hasMessage("field label not supported: spec.containers");
    }

    @Test
    void resourceFieldRefUsesTheDivisorRoundsUpAndDefaultsUnsetLimitsToAllocatable() {
        Pod p = pod();
        app(p).resources = new ResourceRequirements();
        app(p).resources.limits.put("memory", Quantity.parse("64Mi"));
        app(p).resources.requests.put("cpu", Quantity.parse("250m"));
        app(p).env.add(from("MEM_MI", "resourceFieldRef", Map.of("resource", "limits.memory", "divisor", "1Mi")));
        app(p).env.add(from("MEM_BYTES", "resourceFieldRef", Map.of("resource", "limits.memory")));
        app(p).env.add(from("CPU_LIMIT", "resourceFieldRef", Map.of("resource", "limits.cpu")));
        app(p).env.add(from("CPU_REQUEST_M", "resourceFieldRef", Map.of("resource", "requests.cpu", "divisor", "1m")));
        app(p).env.add(from("CPU_REQUEST", "resourceFieldRef", Map.of("resource", "requests.cpu")));
        app(p).env.add(from("MEMORY_REQUEST", "resourceFieldRef", Map.of("resource", "requests.memory")));
        Container sidecar = new Container();
        sidecar.name = "sidecar";
        p.spec.containers.add(sidecar);
        app(p).env.add(from("SIDECAR_MEM_GI", "resourceFieldRef", Map.of("containerName", "sidecar", "resource", "limits.memory", "divisor", "1Gi")));

        assertThat(make(p)).containsEntry("MEM_MI", "64")
                .containsEntry("MEM_BYTES", String.valueOf(64L * 1024 * 1024))
                .containsEntry("CPU_LIMIT", "4") // no limit: the node's allocatable cpu
                .containsEntry("CPU_REQUEST_M", "250")
                .containsEntry("CPU_REQUEST", "1") // 0.25 cpu rounded up
                .containsEntry("MEMORY_REQUEST", "0")
                .containsEntry("SIDECAR_MEM_GI", "8");
    }

    @Test
    void envFromTakesEveryKeyWithItsPrefixAndEnvOverridesIt() {
        configMaps.put(configMap("settings", new LinkedHashMap<>(Map.of("REPLACE_ME", "FROM_CONFIG_MAP", "DUPE_TEST", "CONFIG_MAP"))));
        secrets.put(secret("creds", Map.of("TOKEN", "abc")));
        Pod p = pod();
        Container.EnvFromSource plain = new Container.EnvFromSource();
        plain.configMapRef = new Container.ConfigMapEnvSource();
        plain.configMapRef.name = "settings";
        Container.EnvFromSource prefixed = new Container.EnvFromSource();
        prefixed.prefix = "p_";
        prefixed.configMapRef = new Container.ConfigMapEnvSource();
        prefixed.configMapRef.name = "settings";
        Container.EnvFromSource secretRef = new Container.EnvFromSource();
        secretRef.prefix = "s_";
        secretRef.secretRef = new Container.SecretEnvSource();
        secretRef.secretRef.name = "creds";
        app(p).envFrom.addAll(List.of(plain, prefixed, secretRef));
        app(p).env.add(new Container.EnvVar("DUPE_TEST", "ENV_VAR"));

        assertThat(make(p)).containsEntry("REPLACE_ME", "FROM_CONFIG_MAP")
                .containsEntry("DUPE_TEST", "ENV_VAR")
                .containsEntry("p_REPLACE_ME", "FROM_CONFIG_MAP")
                .containsEntry("p_DUPE_TEST", "CONFIG_MAP")
                .containsEntry("s_TOKEN", "abc");
    }

    @Test
    void envFromKeysThatAreNotCIdentifiersAreKeptAsKubernetes132Does() {
        // RelaxedEnvironmentVariableValidation (beta, on in 1.32) dropped the kubelet's skipping of such keys
        configMaps.put(configMap("files", Map.of("app.properties", "x=1", "1badkey", "v")));
        Pod p = pod();
        Container.EnvFromSource all = new Container.EnvFromSource();
        all.configMapRef = new Container.ConfigMapEnvSource();
        all.configMapRef.name = "files";
        app(p).envFrom.add(all);

        assertThat(make(p)).containsEntry("app.properties", "x=1").containsEntry("1badkey", "v");
    }

    @Test
    void optionalSourcesAndKeysThatAreMissingLeaveTheVariableOut() {
        configMaps.put(configMap("settings", Map.of("level", "debug")));
        secrets.put(secret("creds", Map.of("user", "u")));
        Pod p = pod();
        app(p).env.add(from("A", "configMapKeyRef", Map.of("name", "absent", "key", "k", "optional", true)));
        app(p).env.add(from("B", "configMapKeyRef", Map.of("name", "settings", "key", "absent", "optional", true)));
        app(p).env.add(from("C", "secretKeyRef", Map.of("name", "absent", "key", "k", "optional", true)));
        app(p).env.add(from("D", "secretKeyRef", Map.of("name", "creds", "key", "absent", "optional", true)));
        Container.EnvFromSource optionalFrom = new Container.EnvFromSource();
        optionalFrom.secretRef = new Container.SecretEnvSource();
        optionalFrom.secretRef.name = "absent";
        optionalFrom.secretRef.optional = true;
        app(p).envFrom.add(optionalFrom);

        assertThat(make(p)).doesNotContainKeys("A", "B", "C", "D").isEmpty();
    }

    @Test
    void missingRequiredSourcesFailWithKubernetesMessages() {
        configMaps.put(configMap("settings", Map.of("level", "debug")));
        secrets.put(secret("creds", Map.of("user", "u")));

        assertThat(error(from("X", "configMapKeyRef", Map.of("name", "absent", "key", "k")))).isEqualTo("configmap \"absent\" not found");
        assertThat(error(from("X", "configMapKeyRef", Map.of("name", "settings", "key", "k")))).isEqualTo("couldn't find key k in ConfigMap shop/settings");
        assertThat(error(from("X", "secretKeyRef", Map.of("name", "absent", "key", "k")))).isEqualTo("secret \"absent\" not found");
        assertThat(error(from("X", "secretKeyRef", Map.of("name", "creds", "key", "k")))).isEqualTo("couldn't find key k in Secret shop/creds");

        Pod p = pod();
        Container.EnvFromSource from = new Container.EnvFromSource();
        from.configMapRef = new Container.ConfigMapEnvSource();
        from.configMapRef.name = "late";
        app(p).envFrom.add(from);
        assertThatThrownBy(() -> make(p)).isInstanceOf(ContainerConfigException.class).hasMessage("configmap \"late\" not found");
    }

    private String error(Container.EnvVar var) {
        Pod p = pod();
        app(p).env.add(var);
        try {
            make(p);
        } catch (ContainerConfigException e) {
            return e.getMessage();
        }
        return null;
    }

    @Test
    void valuesExpandReferencesToEarlierVariablesEnvFromAndServicesButNotLaterOnes() {
        configMaps.put(configMap("settings", Map.of("HOST", "db")));
        Pod p = pod();
        Container.EnvFromSource from = new Container.EnvFromSource();
        from.configMapRef = new Container.ConfigMapEnvSource();
        from.configMapRef.name = "settings";
        app(p).envFrom.add(from);
        app(p).env.add(new Container.EnvVar("PORT", "5432"));
        app(p).env.add(new Container.EnvVar("URL", "pg://$(HOST):$(PORT)/$(LATER)?svc=$(WEB_SERVICE_HOST)&x=$$(PORT)"));
        app(p).env.add(new Container.EnvVar("LATER", "late"));
        app(p).env.add(new Container.EnvVar("WEB_SERVICE_PORT", "mine"));

        Map<String, String> e = env.make(p, app(p), Map.of("WEB_SERVICE_HOST", "10.96.0.9", "WEB_SERVICE_PORT", "80"), List.of(), List.of());

        assertThat(e).containsEntry("URL", "pg://db:5432/$(LATER)?svc=10.96.0.9&x=$(PORT)")
                .containsEntry("WEB_SERVICE_PORT", "mine")
                .containsEntry("WEB_SERVICE_HOST", "10.96.0.9");
        // the container's own variables first, then the Service variables it did not define
        assertThat(List.copyOf(e.keySet())).containsExactly("HOST", "PORT", "URL", "LATER", "WEB_SERVICE_PORT", "WEB_SERVICE_HOST");
    }

    @Test
    void anEmptyValueWithoutSourceIsAnEmptyVariable() {
        Pod p = pod();
        app(p).env.add(new Container.EnvVar("EMPTY", null));

        assertThat(make(p)).containsEntry("EMPTY", "");
    }
}
