package io.kube4j.apiserver.web;

import io.kube4j.web.StatusErrorReportValve;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The HTTP connector's own errors (bad request targets, oversized headers) answered as a Status. */
@Configuration(proxyBeanMethods = false)
class WebServerConfiguration {

    @Bean
    TomcatContextCustomizer statusErrorReportValve() {
        return StatusErrorReportValve::install;
    }
}
