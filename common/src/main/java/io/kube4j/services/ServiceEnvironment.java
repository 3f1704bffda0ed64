package io.kube4j.services;

import io.kube4j.api.Service;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment variables Kubernetes gives every container for the Services of its namespace:
 * {@code WEB_SERVICE_HOST}, {@code WEB_SERVICE_PORT}, {@code WEB_SERVICE_PORT_HTTP} for named ports, and
 * the Docker-link style {@code WEB_PORT=tcp://10.96.0.10:80}, {@code WEB_PORT_80_TCP=...} with its
 * {@code _PROTO}, {@code _PORT} and {@code _ADDR}. Headless Services (no ClusterIP) give none, as in
 * Kubernetes; Services are taken in name order so the result does not depend on cache order.
 */
public final class ServiceEnvironment {
    private ServiceEnvironment() {
    }

    /** The variables for {@code services} (those of the pod's namespace; others are the caller's to leave out). */
    public static Map<String, String> of(List<Service> services) {
        Map<String, String> env = new LinkedHashMap<>();
        services.stream()
                .filter(ServiceEnvironment::hasClusterIp)
                .sorted(Comparator.comparing(s -> s.metadata.name))
                .forEach(s -> add(env, s));
        return env;
    }

    private static boolean hasClusterIp(Service s) {
        String ip = s.spec == null ? null : s.spec.clusterIP;
        return s.metadata != null && s.metadata.name != null && ip != null && !ip.isEmpty() && !"None".equals(ip);
    }

    private static void add(Map<String, String> env, Service s) {
        String prefix = envName(s.metadata.name);
        String ip = s.spec.clusterIP;
        List<Service.ServicePort> ports = s.spec.ports;
        env.put(prefix + "_SERVICE_HOST", ip);
        if (ports.isEmpty()) {
            return;
        }
        env.put(prefix + "_SERVICE_PORT", Integer.toString(ports.get(0).port));
        for (Service.ServicePort p : ports) {
            if (p.name != null && !p.name.isEmpty()) {
                env.put(prefix + "_SERVICE_PORT_" + envName(p.name), Integer.toString(p.port));
            }
        }
        Service.ServicePort first = ports.get(0);
        env.put(prefix + "_PORT", url(first, ip));
        for (Service.ServicePort p : ports) {
            String proto = protocol(p);
            String base = prefix + "_PORT_" + p.port + "_" + proto.toUpperCase(Locale.ROOT);
            env.put(base, url(p, ip));
            env.put(base + "_PROTO", proto.toLowerCase(Locale.ROOT));
            env.put(base + "_PORT", Integer.toString(p.port));
            env.put(base + "_ADDR", ip);
        }
    }

    private static String protocol(Service.ServicePort p) {
        return p.protocol == null || p.protocol.isEmpty() ? "TCP" : p.protocol;
    }

    private static String url(Service.ServicePort p, String ip) {
        return protocol(p).toLowerCase(Locale.ROOT) + "://" + ip + ":" + p.port;
    }

    /** {@code my-svc} becomes {@code MY_SVC}, as Kubernetes' makeEnvVariableName. */
    static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
