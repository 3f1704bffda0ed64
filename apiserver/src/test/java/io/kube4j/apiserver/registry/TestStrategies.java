package io.kube4j.apiserver.registry;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.type.filter.AssignableTypeFilter;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in strategies as the application wires them (every {@link Strategy} class in
 * {@code registry.kinds}, found by classpath scanning so none is forgotten), for unit tests without a
 * Spring context.
 */
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
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(Strategy.class));
        List<Strategy> out = new ArrayList<>();
        try {
            for (BeanDefinition bd : scanner.findCandidateComponents("io.kube4j.apiserver.registry.kinds")) {
                Constructor<?> c = Class.forName(bd.getBeanClassName()).getConstructors()[0];
                Object[] args = new Object[c.getParameterCount()];
                for (int i = 0; i < args.length; i++) {
                    Class<?> t = c.getParameterTypes()[i];
                    args[i] = t == ApiServerProperties.class ? props : t == ServiceAllocator.class ? allocator : null;
                }
                out.add((Strategy) c.newInstance(args));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        out.add(new io.kube4j.apiserver.crd.CustomResourceDefinitionStrategy());
        return new Strategies(out);
    }
}
