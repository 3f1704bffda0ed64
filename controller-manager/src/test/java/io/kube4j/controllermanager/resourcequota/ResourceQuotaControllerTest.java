package io.kube4j.controllermanager.resourcequota;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceQuota;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class ResourceQuotaControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final ResourceQuotaController controller = new ResourceQuotaController(informers, client);

    static ResourceQuota quota(Map<String, String> hard) {
        ResourceQuota q = new ResourceQuota();
        q.metadata.namespace = NS;
        q.metadata.name = "q";
        hard.forEach((k, v) -> q.spec.hard.put(k, Quantity.parse(v)));
        return q;
    }

    static Pod requesting(String name, String cpu, String phase) {
        Pod p = pod(name, Map.of(), null);
        Container c = new Container();
        c.name = "c";
        c.resources = new ResourceRequirements();
        c.resources.requests.put("cpu", Quantity.parse(cpu));
        p.spec.containers.add(c);
        p.status.phase = phase;
        return p;
    }

    @Test
    void usedSumsLivePodsAndObjectsAndSkipsFinishedPods() {
        preload(informers.informer(ResourceQuota.class), quota(Map.of("pods", "10", "requests.cpu", "2", "configmaps", "5", "count/configmaps", "5")));
        preload(informers.informer(Pod.class), requesting("a", "250m", "Running"), requesting("b", "500m", "Pending"), requesting("done", "1", "Succeeded"));
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = NS;
        cm.metadata.name = "cm";
        preload(informers.informer(ConfigMap.class), cm);

        controller.reconcile(NS + "/q");

        assertThat(client.summaries()).containsExactly("updateStatus ResourceQuota default/q");
        ResourceQuota written = (ResourceQuota) client.actions().getFirst().object();
        assertThat(written.status.used.get("pods")).isEqualTo(Quantity.parse("2"));
        assertThat(written.status.used.get("requests.cpu")).isEqualTo(Quantity.parse("750m"));
        assertThat(written.status.used.get("configmaps")).isEqualTo(Quantity.parse("1"));
        assertThat(written.status.used.get("count/configmaps")).isEqualTo(Quantity.parse("1"));
        assertThat(written.status.hard).isEqualTo(written.spec.hard);
    }

    @Test
    void doesNothingWhenStatusIsCurrent() {
        ResourceQuota q = quota(Map.of("pods", "10"));
        q.status.hard.putAll(q.spec.hard);
        q.status.used.put("pods", Quantity.parse("1"));
        preload(informers.informer(ResourceQuota.class), q);
        preload(informers.informer(Pod.class), requesting("a", "1", "Running"));

        controller.reconcile(NS + "/q");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void scopedQuotaCountsOnlyMatchingPods() {
        ResourceQuota q = quota(Map.of("pods", "10"));
        q.spec.scopes.add("BestEffort");
        preload(informers.informer(ResourceQuota.class), q);
        Pod bestEffort = pod("be", Map.of(), null);
        bestEffort.spec.containers.add(new Container());
        bestEffort.status.phase = "Running";
        preload(informers.informer(Pod.class), bestEffort, requesting("burstable", "100m", "Running"));

        controller.reconcile(NS + "/q");

        ResourceQuota written = (ResourceQuota) client.actions().getFirst().object();
        assertThat(written.status.used.get("pods")).isEqualTo(Quantity.parse("1"));
    }
}
