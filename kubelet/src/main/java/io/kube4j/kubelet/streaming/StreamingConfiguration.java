package io.kube4j.kubelet.streaming;

import io.kube4j.kubelet.Kubelets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * The kubelet's streaming server: exec and attach ({@link RemoteCommandHandler}) and port-forward
 * ({@link PortForwardHandler}) as WebSockets on the kubelet's port, where the apiserver proxies
 * {@code pods/{name}/exec|attach|portforward}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class StreamingConfiguration implements WebSocketConfigurer {
    private final Kubelets kubelets;

    StreamingConfiguration(Kubelets kubelets) {
        this.kubelets = kubelets;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        StreamingHandshake handshake = new StreamingHandshake(kubelets);
        // no Origin check: the apiserver (or a client holding the kubelet's address) is the only caller
        registry.addHandler(new RemoteCommandHandler(), "/exec/**", "/attach/**").addInterceptors(handshake).setAllowedOriginPatterns("*");
        registry.addHandler(new PortForwardHandler(), "/portForward/**").addInterceptors(handshake).setAllowedOriginPatterns("*");
    }

    /** The SPDY/3.1 fallback for clients that do not speak WebSocket: before the WebSocket handshake sees the upgrade. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<SpdyUpgradeFilter> spdyUpgradeFilter() {
        var bean = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new SpdyUpgradeFilter(new StreamingHandshake(kubelets)));
        bean.addUrlPatterns("/exec/*", "/attach/*", "/portForward/*");
        bean.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 10);
        return bean;
    }

    /** kubectl cp sends stdin in messages of up to 32 KiB and more; Tomcat's default buffer is 8 KiB. */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(1024 * 1024);
        container.setMaxTextMessageBufferSize(1024 * 1024);
        container.setMaxSessionIdleTimeout(0L);
        return container;
    }
}
