package io.kube4j.controllermanager;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Where the apiserver is: one URL or a comma-separated list to fail over across ({@code kube4j.apiserver.url}). */
@ConfigurationProperties("kube4j.apiserver")
public record ApiServerProperties(@DefaultValue("http://127.0.0.1:8080") String url) {
}
