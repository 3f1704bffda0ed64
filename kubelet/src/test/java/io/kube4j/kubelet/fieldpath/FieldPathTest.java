package io.kube4j.kubelet.fieldpath;

import io.kube4j.api.Pod;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kubernetes' pkg/fieldpath and ConvertDownwardAPIFieldLabel behaviour. */
class FieldPathTest {

    @Test
    void formatMapSortsKeysAndQuotesValuesAsGo() {
        assertThat(FieldPath.formatMap(Map.of("b", "2", "a", "say \"hi\"\tnow\\", "c", "line\nbreak")))
                .isEqualTo("a=\"say \\\"hi\\\"\\tnow\\\\\"\nb=\"2\"\nc=\"line\\nbreak\"");
        assertThat(FieldPath.formatMap(Map.of())).isEmpty();
    }

    @Test
    void extractsMetadataFieldsAndSubscriptedKeys() {
        Pod p = new Pod();
        p.metadata.name = "web";
        p.metadata.labels.put("app", "shop");

        assertThat(FieldPath.extract(p, "metadata.name")).isEqualTo("web");
        assertThat(FieldPath.extract(p, "metadata.labels['app']")).isEqualTo("shop");
        assertThat(FieldPath.extract(p, "metadata.labels")).isEqualTo("app=\"shop\"");
        assertThatThrownBy(() -> FieldPath.extract(p, "spec.nodeName")).hasMessage("unsupported fieldPath: spec.nodeName");
        assertThatThrownBy(() -> FieldPath.extract(p, "metadata.name['x']")).hasMessage("fieldPath \"metadata.name['x']\" does not support subscript");
    }

    @Test
    void onlyV1PodFieldLabelsAreAccepted() {
        assertThat(FieldPath.convertDownwardApiFieldLabel("v1", "status.podIPs")).isEqualTo("status.podIPs");
        assertThat(FieldPath.convertDownwardApiFieldLabel(null, "spec.host")).isEqualTo("spec.nodeName");
        assertThatThrownBy(() -> FieldPath.convertDownwardApiFieldLabel("v2", "metadata.name")).hasMessage("unsupported pod version: v2");
        assertThatThrownBy(() -> FieldPath.convertDownwardApiFieldLabel("v1", "spec.nodeName['x']")).hasMessage("field label does not support subscript: spec.nodeName['x']");
        assertThatThrownBy(() -> FieldPath.convertDownwardApiFieldLabel("v1", "status.containerStatuses")).hasMessage("field label not supported: status.containerStatuses");
    }
}
