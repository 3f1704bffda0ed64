package io.kube4j.apiserver.allocation;

import io.kube4j.apiserver.storage.Storage;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Service address allocator; a bad range in the configuration stops the apiserver at startup. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ServiceAllocationProperties.class)
public class AllocationConfiguration {

    @Bean
    public ServiceAllocator serviceAllocator(Storage storage, ServiceAllocationProperties props) {
        return new ServiceAllocator(storage, props);
    }
}
