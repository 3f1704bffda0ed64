package io.kube4j.json;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Node;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fields that Kubernetes always serializes (Go string fields without omitempty) stay in our JSON even
 * when empty: client-java's generated models reject an object that lacks one of them
 * ("The required field `imageID` is not found in the JSON string").
 */
class RequiredFieldsTest {

    @Test
    void aWaitingContainerStatusCarriesAnEmptyImageID() {
        ContainerStatus s = new ContainerStatus();
        s.name = "web";
        s.image = "nginx:1.27";

        assertThat(Json.write(s)).contains("\"imageID\":\"\"").doesNotContain("containerID");
    }

    @Test
    void nodeInfoCarriesEveryFieldEvenWhenUnknown() {
        Node.NodeSystemInfo info = new Node.NodeSystemInfo();
        info.kubeletVersion = "v1.32.0";

        assertThat(Json.write(info)).contains("\"machineID\":\"\"", "\"systemUUID\":\"\"", "\"bootID\":\"\"", "\"kernelVersion\":\"\"",
                "\"osImage\":\"\"", "\"containerRuntimeVersion\":\"\"", "\"kubeletVersion\":\"v1.32.0\"", "\"kubeProxyVersion\":\"\"",
                "\"operatingSystem\":\"\"", "\"architecture\":\"\"");
    }
}
