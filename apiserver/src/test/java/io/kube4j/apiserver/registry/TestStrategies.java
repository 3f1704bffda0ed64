package io.kube4j.apiserver.registry;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import io.kube4j.apiserver.registry.kinds.DeploymentStrategy;
import io.kube4j.apiserver.registry.kinds.EndpointsStrategy;
import io.kube4j.apiserver.registry.kinds.EventStrategy;
import io.kube4j.apiserver.registry.kinds.NamespaceStrategy;
import io.kube4j.apiserver.registry.kinds.NodeStrategy;
import io.kube4j.apiserver.registry.kinds.PodStrategy;
import io.kube4j.apiserver.registry.kinds.ReplicaSetStrategy;
import io.kube4j.apiserver.registry.kinds.ServiceStrategy;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;

import java.util.List;

/** The built-in strategies as the application wires them, for unit tests without a Spring context. */
public final class TestStrategies {
    private TestStrategies() {
    }

    /** The apiserver's configuration with every default. */
    public static ApiServerProperties defaultProperties() {
        return Binder.get(new StandardEnvironment()).bindOrCreate("kube4j", ApiServerProperties.class);
    }

    /** Every built-in strategy; Services use {@code allocator} (null where a test writes no Service). */
    public static Strategies builtIn(ServiceAllocator allocator) {
        ApiServerProperties props = defaultProperties();
        return new Strategies(List.of(new PodStrategy(props), new NamespaceStrategy(), new NodeStrategy(), new ServiceStrategy(allocator),
                new EndpointsStrategy(), new EventStrategy(), new ReplicaSetStrategy(), new DeploymentStrategy()));
    }
}
