package io.kube4j.api;

import io.kube4j.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Cases of Kubernetes' pkg/apis/core/helper/qos qos_test.go (TestComputePodQOS), on defaulted pods. */
class PodQosTest {

    static Pod pod(String containers, String initContainers) {
        return Json.readYaml("{metadata: {name: p}, spec: {containers: " + containers + ", initContainers: " + initContainers + "}}", Pod.class);
    }

    @ParameterizedTest(name = "{2}: {0} / {1}")
    @CsvSource(delimiter = '|', value = {
            "[{name: a}]|[]|BestEffort",
            "[{name: a, resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 1}}}]|[]|BestEffort",
            "[{name: a, resources: {requests: {cpu: '0', memory: '0'}}}]|[]|BestEffort",
            "[{name: a, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}}]|[]|Guaranteed",
            "[{name: a, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}}, {name: b, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}}]|[]|Guaranteed",
            "[{name: a, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}}, {name: b}]|[]|Burstable",
            "[{name: a, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 200m, memory: 100Mi}}}]|[]|Burstable",
            "[{name: a, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}}]|[{name: i, resources: {requests: {cpu: 10m}}}]|Burstable",
            "[{name: a, resources: {requests: {cpu: 100m}, limits: {cpu: 100m}}}]|[]|Burstable",
            "[{name: a, resources: {requests: {memory: 100Mi}}}]|[]|Burstable"})
    void computesTheClassAsKubernetes(String containers, String initContainers, String expected) {
        assertThat(PodQos.compute(pod(containers, initContainers))).isEqualTo(expected);
    }
}
