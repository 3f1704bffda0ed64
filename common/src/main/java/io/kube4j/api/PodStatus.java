package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** What the kubelet (and scheduler) report about a pod. */
public class PodStatus {
    public String phase;
    public List<PodCondition> conditions = new ArrayList<>();
    public String message;
    public String reason;
    public String nominatedNodeName;
    public String hostIP;
    public List<PodIP> hostIPs = new ArrayList<>();
    public String podIP;
    public List<PodIP> podIPs = new ArrayList<>();
    public String startTime;
    public List<ContainerStatus> initContainerStatuses = new ArrayList<>();
    public List<ContainerStatus> containerStatuses = new ArrayList<>();
    /** One per ephemeral container the kubelet has started (or tried to). */
    public List<ContainerStatus> ephemeralContainerStatuses = new ArrayList<>();
    public String qosClass;

    /** One IP of a pod or host. */
    public static class PodIP {
        public String ip;

        public PodIP() {
        }

        public PodIP(String ip) {
            this.ip = ip;
        }
    }

    /** The condition of the given type, or null. */
    public PodCondition condition(String type) {
        for (PodCondition c : conditions) {
            if (type.equals(c.type)) {
                return c;
            }
        }
        return null;
    }
}
