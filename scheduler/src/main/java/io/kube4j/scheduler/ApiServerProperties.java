package io.kube4j.scheduler;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Where the apiserver is ({@code kube4j.apiserver.url}, one URL or several comma-separated). */
@ConfigurationProperties("kube4j.apiserver")
public record ApiServerProperties(@DefaultValue("http://127.0.0.1:8080") String url) {
}
