package io.kube4j.apiserver.storage;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.watch.WatchCache;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires etcd storage and the watch cache on top of it. */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {

    @Bean(destroyMethod = "close")
    public Storage etcdStorage(ApiServerProperties props, MeterRegistry meters) {
        return new EtcdStorage(props, meters);
    }

    @Bean(destroyMethod = "close")
    public WatchCache watchCache(Storage storage, ApiServerProperties props, MeterRegistry meters) {
        return new WatchCache(storage, props, meters);
    }
}
