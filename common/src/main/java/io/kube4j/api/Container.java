package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One container of a pod. */
public class Container {
    public String name;
    public String image;
    public List<String> command = new ArrayList<>();
    public List<String> args = new ArrayList<>();
    public String workingDir;
    public List<ContainerPort> ports = new ArrayList<>();
    public List<EnvVar> env = new ArrayList<>();
    public ResourceRequirements resources;
    public List<VolumeMount> volumeMounts = new ArrayList<>();
    public Probe livenessProbe;
    public Probe readinessProbe;
    public Probe startupProbe;
    public Lifecycle lifecycle;
    public String terminationMessagePath;
    public String terminationMessagePolicy;
    public String imagePullPolicy;
    /**
     * Only for init containers: {@code Always} makes it a sidecar (a restartable init container), started
     * in order with the other init containers, kept running beside the main containers and stopped after them.
     */
    public String restartPolicy;

    @JsonAnySetter
    @JsonAnyGetter
    public Map<String, Object> unknownFields = new LinkedHashMap<>();

    /** A port a container listens on. */
    public static class ContainerPort {
        public String name;
        public Integer hostPort;
        public Integer containerPort;
        public String protocol;
        public String hostIP;
    }

    /** An environment variable: a literal value (valueFrom is kept but not resolved). */
    public static class EnvVar {
        public String name;
        public String value;
        public Map<String, Object> valueFrom;

        public EnvVar() {
        }

        public EnvVar(String name, String value) {
            this.name = name;
            this.value = value;
        }
    }

    /** A volume mounted into the container. */
    public static class VolumeMount {
        public String name;
        public Boolean readOnly;
        public String mountPath;
        public String subPath;
    }

    /** preStop / postStart hooks. */
    public static class Lifecycle {
        public Probe.Handler postStart;
        public Probe.Handler preStop;
    }
}
