package io.kube4j.apiserver.allocation;

import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AddressAssignerTest {
    final AddressAssigner assigner = new AddressAssigner(ServiceIpRange.parse("10.96.0.0/28"), NodePortRange.parse("30000-30009"), new Random(7));
    final Set<String> takenIps = new HashSet<>();
    final Set<Integer> takenPorts = new HashSet<>();
    final AddressAssigner.Taken taken = new AddressAssigner.Taken() {
        @Override
        public Set<String> ips() {
            return takenIps;
        }

        @Override
        public Set<Integer> nodePorts() {
            return takenPorts;
        }
    };

    static ObjectNode service(String json) {
        return (ObjectNode) Json.tree("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":" + json + "}");
    }

    @Test
    void clusterIpServiceGetsAFreeAddressFromTheRange() {
        IntStream.rangeClosed(1, 13).forEach(i -> takenIps.add("10.96.0." + i));
        ObjectNode svc = service("{\"type\":\"ClusterIP\",\"ports\":[{\"port\":80}]}");
        AddressAssigner.Assignment a = assigner.assign(null, svc, taken);
        assertThat(svc.at("/spec/clusterIP").asString()).isEqualTo("10.96.0.14");
        assertThat(svc.at("/spec/clusterIPs/0").asString()).isEqualTo("10.96.0.14");
        assertThat(a.allocateIps()).containsExactly("10.96.0.14");
        assertThat(a.allocatePorts()).isEmpty();
        assertThat(svc.at("/spec/ports/0/nodePort").isMissingNode()).isTrue();
    }

    @Test
    void fullIpRangeIsAnInternalError() {
        IntStream.rangeClosed(1, 14).forEach(i -> takenIps.add("10.96.0." + i));
        ApiError e = catchThrowableOfType(ApiError.class, () -> assigner.assign(null, service("{\"ports\":[{\"port\":80}]}"), taken));
        assertThat(e.code()).isEqualTo(500);
        assertThat(e.getMessage()).contains("range 10.96.0.0/28 is full");
    }

    @Test
    void nodePortServiceGetsDistinctFreePortsAndKeepsRequestedOnes() {
        takenPorts.addAll(Set.of(30000, 30001, 30002));
        ObjectNode svc = service("{\"type\":\"NodePort\",\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":81,\"nodePort\":30005},{\"name\":\"c\",\"port\":82}]}");
        AddressAssigner.Assignment a = assigner.assign(null, svc, taken);
        int p0 = svc.at("/spec/ports/0/nodePort").asInt();
        int p2 = svc.at("/spec/ports/2/nodePort").asInt();
        assertThat(svc.at("/spec/ports/1/nodePort").asInt()).isEqualTo(30005);
        assertThat(Set.of(p0, p2)).doesNotContain(30000, 30001, 30002, 30005).hasSize(2);
        assertThat(a.allocatePorts()).containsExactlyInAnyOrder(p0, 30005, p2);
    }

    @Test
    void loadBalancerBehavesAsNodePort() {
        ObjectNode svc = service("{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80}]}");
        assigner.assign(null, svc, taken);
        assertThat(svc.at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 30009);
    }

    @Test
    void requestedNodePortThatIsTakenIsInvalidWithTheFieldNamed() {
        takenPorts.add(30003);
        ApiError e = catchThrowableOfType(ApiError.class, () -> assigner.assign(null,
                service("{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30003}]}"), taken));
        assertThat(e.code()).isEqualTo(422);
        Status.Cause cause = e.status().details.causes.get(0);
        assertThat(cause.field).isEqualTo("spec.ports[0].nodePort");
        assertThat(cause.message).contains("provided port is already allocated");
    }

    @Test
    void requestedNodePortOutsideTheRangeIsInvalid() {
        ApiError e = catchThrowableOfType(ApiError.class, () -> assigner.assign(null,
                service("{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":8080}]}"), taken));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.status().details.causes.get(0).message).contains("The range of valid ports is 30000-30009");
    }

    @Test
    void requestedClusterIpOutsideTheRangeOrTakenIsInvalid() {
        takenIps.add("10.96.0.5");
        ApiError outside = catchThrowableOfType(ApiError.class, () -> assigner.assign(null, service("{\"clusterIP\":\"10.0.0.1\",\"ports\":[{\"port\":80}]}"), taken));
        ApiError used = catchThrowableOfType(ApiError.class, () -> assigner.assign(null, service("{\"clusterIP\":\"10.96.0.5\",\"ports\":[{\"port\":80}]}"), taken));
        ApiError garbage = catchThrowableOfType(ApiError.class, () -> assigner.assign(null, service("{\"clusterIP\":\"web\",\"ports\":[{\"port\":80}]}"), taken));
        assertThat(outside.status().details.causes.get(0).message).contains("not in the valid range");
        assertThat(used.status().details.causes.get(0).message).contains("already allocated");
        assertThat(garbage.status().details.causes.get(0).field).isEqualTo("spec.clusterIP");
    }

    @Test
    void headlessServiceGetsNoAddress() {
        ObjectNode svc = service("{\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}");
        AddressAssigner.Assignment a = assigner.assign(null, svc, taken);
        assertThat(svc.at("/spec/clusterIP").asString()).isEqualTo("None");
        assertThat(a.allocateIps()).isEmpty();
        ApiError e = catchThrowableOfType(ApiError.class, () -> assigner.assign(null, service("{\"type\":\"NodePort\",\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}"), taken));
        assertThat(e.code()).isEqualTo(422);
    }

    @Test
    void updateKeepsAllocatedAddressesTheClientLeftOut() {
        ObjectNode current = service("{\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.3\",\"ports\":[{\"name\":\"http\",\"port\":80,\"nodePort\":30004}]}");
        takenIps.add("10.96.0.3");
        takenPorts.add(30004);
        ObjectNode proposed = service("{\"type\":\"NodePort\",\"ports\":[{\"name\":\"http\",\"port\":8080}]}");
        AddressAssigner.carryOver(current, proposed);
        AddressAssigner.Assignment a = assigner.assign(current, proposed, taken);
        assertThat(proposed.at("/spec/clusterIP").asString()).isEqualTo("10.96.0.3");
        assertThat(proposed.at("/spec/ports/0/nodePort").asInt()).isEqualTo(30004);
        assertThat(a.allocateIps()).isEmpty();
        assertThat(a.allocatePorts()).isEmpty();
        assertThat(a.releasePorts()).isEmpty();
    }

    @Test
    void changingTypeToClusterIpReleasesTheNodePorts() {
        ObjectNode current = service("{\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.3\",\"ports\":[{\"port\":80,\"nodePort\":30004}]}");
        ObjectNode proposed = current.deepCopy();
        ((ObjectNode) proposed.get("spec")).put("type", "ClusterIP");
        AddressAssigner.carryOver(current, proposed);
        AddressAssigner.Assignment a = assigner.assign(current, proposed, taken);
        assertThat(proposed.at("/spec/ports/0/nodePort").isMissingNode()).isTrue();
        assertThat(a.releasePorts()).containsExactly(30004);
        assertThat(a.releaseIps()).isEmpty();
    }

    @Test
    void clusterIpCannotChangeOnUpdate() {
        ObjectNode current = service("{\"clusterIP\":\"10.96.0.3\",\"ports\":[{\"port\":80}]}");
        ObjectNode proposed = service("{\"clusterIP\":\"10.96.0.4\",\"ports\":[{\"port\":80}]}");
        ApiError e = catchThrowableOfType(ApiError.class, () -> assigner.assign(current, proposed, taken));
        assertThat(e.status().details.causes.get(0).message).contains("field is immutable");
    }
}
