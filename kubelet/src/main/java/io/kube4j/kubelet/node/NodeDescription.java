package io.kube4j.kubelet.node;

import io.kube4j.api.Taint;
import io.kube4j.quantity.Quantity;

import java.util.List;
import java.util.Map;

/**
 * What this kubelet says about its node when it registers: name, the address and port the apiserver
 * reaches its log endpoint on, labels, taints and capacity (allocatable is the same: no reservations).
 */
public record NodeDescription(
        String name,
        String address,
        String hostname,
        int port,
        Map<String, String> labels,
        List<Taint> taints,
        Map<String, Quantity> capacity) {
}
