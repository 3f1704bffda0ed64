package io.kube4j.apiserver.auth;

import io.kube4j.apiserver.auth.node.NodeAuthorizer;
import io.kube4j.apiserver.auth.rbac.BootstrapPolicy;
import io.kube4j.apiserver.auth.rbac.RbacAuthorizer;
import io.kube4j.apiserver.auth.rbac.RbacState;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The authorizers, in Kubernetes' order for {@code --authorization-mode=Node,RBAC} with the privileged
 * group first (pkg/kubeapiserver/authorizer/config.go): {@code system:masters} always allowed, then the
 * Node authorizer for kubelets, then RBAC.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorizationConfiguration {
    /** The one authorizer the authorization filter, the access reviews and impersonation ask. */
    @Bean
    AuthorizerChain authorizer(RbacState rbac, io.kube4j.apiserver.watch.WatchCache cache) {
        return new AuthorizerChain(List.of(new PrivilegedGroupAuthorizer(),
                new NodeAuthorizer(NodeAuthorizer.fromCache(cache), BootstrapPolicy.nodeRules()), new RbacAuthorizer(rbac)));
    }
}
