package io.kube4j.apiserver.web;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.kube4j.apiserver.auth.ServiceAccountTokens;
import io.kube4j.json.Json;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;

/**
 * ServiceAccount issuer discovery (Kubernetes' {@code pkg/serviceaccount/openidmetadata.go}): the OpenID
 * provider configuration at {@code /.well-known/openid-configuration} and the token verification keys at
 * {@code /openid/v1/jwks}, so a party outside the cluster can check ServiceAccount tokens itself. The
 * {@code jwks_uri} is the issuer URL plus {@code /openid/v1/jwks}, as kube-apiserver derives it when
 * {@code --service-account-jwks-uri} is unset; both answers may be cached for an hour.
 */
@RestController
class OidcDiscoveryController {
    private final byte[] configuration;
    private final byte[] keys;

    OidcDiscoveryController(ServiceAccountTokens tokens) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("issuer", tokens.issuer());
        c.put("jwks_uri", tokens.issuer() + "/openid/v1/jwks");
        c.putArray("response_types_supported").add("id_token");
        c.putArray("subject_types_supported").add("public");
        c.putArray("id_token_signing_alg_values_supported").add("RS256");
        this.configuration = Json.writeBytes(c);
        RSAKey jwk = new RSAKey.Builder((RSAPublicKey) tokens.publicKey())
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .keyID(ServiceAccountTokens.keyId(tokens.publicKey()))
                .build();
        this.keys = new JWKSet(jwk).toString(true).getBytes(StandardCharsets.UTF_8);
    }

    @GetMapping("/.well-known/openid-configuration")
    ResponseEntity<byte[]> configuration() {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").body(configuration);
    }

    @GetMapping("/openid/v1/jwks")
    ResponseEntity<byte[]> keys() {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/jwk-set+json")
                .header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").body(keys);
    }
}
