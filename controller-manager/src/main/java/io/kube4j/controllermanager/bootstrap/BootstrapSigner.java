package io.kube4j.controllermanager.bootstrap;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Secret;
import io.kube4j.bootstrap.BootstrapTokens;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-controller-manager's {@code bootstrapsigner} controller: signs {@code kube-public/cluster-info}'s {@code kubeconfig}
 * with every usable bootstrap token, so a joining node that knows only a token can tell the ConfigMap came from someone who
 * knows the token too. For each Secret {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token}
 * whose name matches its {@code token-id}, with a {@code token-secret}, not expired and {@code usage-bootstrap-signing=true},
 * the ConfigMap gets {@code jws-kubeconfig-<id>} = the detached JWS of the kubeconfig (see {@link BootstrapTokens}); the
 * signatures of other (deleted, expired, no longer signing) tokens are removed. The ConfigMap is updated only when a
 * signature changed, appeared or went away; conflicts and a missing ConfigMap are left to the next event.
 *
 * <p>Kubernetes: {@code pkg/controller/bootstrap/bootstrapsigner.go} ({@code signConfigMap}) and {@code util.go}
 * ({@code validateSecretForSigning}). One key, {@code kube-public/cluster-info}, is queued for any change of either
 * informer. Where Kubernetes waits for the secret resync to drop a token that expired, kube4j requeues at the earliest
 * expiration among the signing tokens.
 */
public final class BootstrapSigner implements Controller {
    private static final Logger log = LoggerFactory.getLogger(BootstrapSigner.class);
    /** The one key this controller works on. */
    public static final String KEY = BootstrapTokens.CLUSTER_INFO_NAMESPACE + "/" + BootstrapTokens.CLUSTER_INFO;

    // reads only: the token Secrets of kube-system and the ConfigMaps of kube-public, never mutated
    private final Informer<Secret> secrets;
    private final Informer<ConfigMap> configMaps;
    private final ControllerClient client;
    private final Clock clock;
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public BootstrapSigner(SharedInformers informers, ControllerClient client, Clock clock) {
        this.secrets = informers.informer(Secret.class, BootstrapTokens.NAMESPACE);
        this.configMaps = informers.informer(ConfigMap.class, BootstrapTokens.CLUSTER_INFO_NAMESPACE);
        this.client = client;
        this.clock = clock;
        secrets.addHandler(poke());
        configMaps.addHandler(poke());
    }

    private <T> ResourceEventHandler<T> poke() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                queue.add(KEY);
            }

            @Override
            public void onUpdate(T old, T obj) {
                queue.add(KEY);
            }

            @Override
            public void onDelete(T obj) {
                queue.add(KEY);
            }
        };
    }

    @Override
    public String name() {
        return "bootstrapsigner";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(secrets, configMaps);
    }

    /** signConfigMap: recompute every signature on the cached objects and write the ConfigMap back if any differs. */
    @Override
    public Result reconcile(String key) {
        ConfigMap cached = configMaps.store().get(KEY);
        if (cached == null) {
            return Result.done();
        }
        String content = cached.data == null ? null : cached.data.get(BootstrapTokens.KUBECONFIG_KEY);
        if (content == null) {
            log.debug("No key {} in ConfigMap {}", BootstrapTokens.KUBECONFIG_KEY, KEY);
            return Result.done();
        }
        ConfigMap updated = Json.copy(cached);
        Map<String, String> old = new HashMap<>();
        updated.data.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(BootstrapTokens.JWS_SIGNATURE_KEY_PREFIX)) {
                old.put(e.getKey().substring(BootstrapTokens.JWS_SIGNATURE_KEY_PREFIX.length()), e.getValue());
                return true;
            }
            return false;
        });
        boolean needUpdate = false;
        Instant now = clock.instant();
        Instant nextExpiry = null;
        for (var token : tokens(now).entrySet()) {
            String sig = BootstrapTokens.computeDetachedSignature(content, token.getKey(), token.getValue().secret());
            if (!sig.equals(old.remove(token.getKey()))) {
                needUpdate = true;
            }
            updated.data.put(BootstrapTokens.JWS_SIGNATURE_KEY_PREFIX + token.getKey(), sig);
            Instant expires = token.getValue().expiration();
            if (expires != null && (nextExpiry == null || expires.isBefore(nextExpiry))) {
                nextExpiry = expires;
            }
        }
        if (!old.isEmpty()) {
            // signatures of tokens that are gone
            needUpdate = true;
        }
        if (needUpdate) {
            try {
                client.update(updated);
            } catch (ApiException e) {
                if (!e.isConflict() && !e.isNotFound()) {
                    log.info("Error updating ConfigMap {}: {}", KEY, e.getMessage());
                }
            }
        }
        return nextExpiry == null ? Result.done() : Result.requeueAfter(Duration.between(now, nextExpiry).plusSeconds(1));
    }

    record Token(String secret, Instant expiration) {
    }

    /** getTokens: token id to secret of the Secrets valid for signing, the first Secret of a duplicated id winning. */
    Map<String, Token> tokens(Instant now) {
        Map<String, Token> out = new TreeMap<>();
        for (Secret s : secrets.store().list()) {
            if (!BootstrapTokens.SECRET_TYPE.equals(s.type) || !BootstrapTokens.NAMESPACE.equals(s.metadata.namespace)) {
                continue;
            }
            String nameId = BootstrapTokens.parseName(s.metadata.name);
            String id = BootstrapTokens.data(s, BootstrapTokens.TOKEN_ID_KEY);
            String secret = BootstrapTokens.data(s, BootstrapTokens.TOKEN_SECRET_KEY);
            if (nameId == null || id.isEmpty() || !nameId.equals(id) || secret.isEmpty()
                    || BootstrapTokens.hasExpired(s, now) || !"true".equals(BootstrapTokens.data(s, BootstrapTokens.USAGE_SIGNING_KEY))) {
                continue;
            }
            if (out.containsKey(id)) {
                log.info("Duplicate bootstrap tokens found for id {}, ignoring on the duplicate secret {}", id, s.metadata.name);
                continue;
            }
            out.put(id, new Token(secret, BootstrapTokens.expiration(s)));
        }
        return out;
    }
}
