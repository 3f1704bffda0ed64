package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.kube4j.json.Json;

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
    public List<EnvFromSource> envFrom = new ArrayList<>();
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
    public SecurityContext securityContext;
    /**
     * Kubernetes' {@code stdin}: the runtime keeps a stdin open for the container (an attach writes to it);
     * when false or null its reads see end-of-file at once.
     */
    public Boolean stdin;
    /**
     * Kubernetes' {@code stdinOnce}: stdin is closed when the first attach that opened it closes it, and stays
     * closed (the container sees end-of-file); reopened by no later attach.
     */
    public Boolean stdinOnce;
    /** Kubernetes' {@code tty}: the container runs on a terminal (its stdout and stderr are one stream). Needs stdin. */
    public Boolean tty;

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

    /**
     * An environment variable: a literal value, or valueFrom a pod field, a container resource, a ConfigMap
     * key or a Secret key. valueFrom stays a plain map (the kubelet reads it as one); {@link #source()} is
     * the typed view.
     */
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

        /** valueFrom as an {@link EnvVarSource}, or null when the value is literal. */
        public EnvVarSource source() {
            return valueFrom == null ? null : Json.mapper().convertValue(valueFrom, EnvVarSource.class);
        }
    }

    /** Where an environment variable's value comes from; exactly one is set. */
    public static class EnvVarSource {
        public ObjectFieldSelector fieldRef;
        public ResourceFieldSelector resourceFieldRef;
        public ConfigMapKeySelector configMapKeyRef;
        public SecretKeySelector secretKeyRef;
    }

    /** One key of a ConfigMap. */
    public static class ConfigMapKeySelector {
        public String name;
        public String key;
        public Boolean optional;
    }

    /** One key of a Secret. */
    public static class SecretKeySelector {
        public String name;
        public String key;
        public Boolean optional;
    }

    /** Every key of a ConfigMap or Secret as an environment variable, each name prefixed with prefix. */
    public static class EnvFromSource {
        public String prefix;
        public ConfigMapEnvSource configMapRef;
        public SecretEnvSource secretRef;
    }

    /** The ConfigMap of an envFrom. */
    public static class ConfigMapEnvSource {
        public String name;
        public Boolean optional;
    }

    /** The Secret of an envFrom. */
    public static class SecretEnvSource {
        public String name;
        public Boolean optional;
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
