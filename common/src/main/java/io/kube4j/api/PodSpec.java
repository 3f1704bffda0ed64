package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a pod should run and where it may run. */
public class PodSpec {
    public List<Container> initContainers = new ArrayList<>();
    public List<Container> containers = new ArrayList<>();
    /** Added through the pods/ephemeralcontainers subresource only; never removed or changed. */
    public List<EphemeralContainer> ephemeralContainers = new ArrayList<>();
    public List<Volume> volumes = new ArrayList<>();
    public String restartPolicy;
    public Long terminationGracePeriodSeconds;
    public Long activeDeadlineSeconds;
    public String dnsPolicy;
    public Map<String, String> nodeSelector = new LinkedHashMap<>();
    public String serviceAccountName;
    public String nodeName;
    public Boolean hostNetwork;
    public String hostname;
    public String subdomain;
    public Affinity affinity;
    public String schedulerName;
    public List<Toleration> tolerations = new ArrayList<>();
    public String priorityClassName;
    public PodSecurityContext securityContext;
    public Integer priority;
    public List<TopologySpreadConstraint> topologySpreadConstraints = new ArrayList<>();
    public Boolean enableServiceLinks;
    /** While non-empty the scheduler leaves the pod alone; gates can only be removed (Kubernetes 1.30+ GA). */
    public List<PodSchedulingGate> schedulingGates = new ArrayList<>();

    @JsonAnySetter
    @JsonAnyGetter
    public Map<String, Object> unknownFields = new LinkedHashMap<>();
}
