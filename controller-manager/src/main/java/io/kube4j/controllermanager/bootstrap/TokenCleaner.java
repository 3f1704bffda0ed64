package io.kube4j.controllermanager.bootstrap;

import io.kube4j.api.DeleteOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * kube-controller-manager's {@code tokencleaner} controller: deletes a bootstrap token Secret (type
 * {@code bootstrap.kubernetes.io/token} in kube-system) once its {@code expiration} has passed, with a uid precondition so
 * a Secret recreated under the same name survives; a token that has not expired yet is looked at again when it does
 * ({@code AddAfter(key, ttl)}). A token without {@code expiration} never expires; one whose expiration does not parse
 * counts as expired (cluster-bootstrap's {@code GetExpiration}/{@code HasExpired}).
 *
 * <p>Kubernetes: {@code pkg/controller/bootstrap/tokencleaner.go} ({@code syncFunc}, {@code evalSecret}).
 */
public final class TokenCleaner implements Controller {
    private static final Logger log = LoggerFactory.getLogger(TokenCleaner.class);

    // reads only: the Secrets of kube-system, never mutated
    private final Informer<Secret> secrets;
    private final ControllerClient client;
    private final Clock clock;
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public TokenCleaner(SharedInformers informers, ControllerClient client, Clock clock) {
        this.secrets = informers.informer(Secret.class, BootstrapTokens.NAMESPACE);
        this.client = client;
        this.clock = clock;
        secrets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret s) {
                enqueue(s);
            }

            @Override
            public void onUpdate(Secret old, Secret s) {
                enqueue(s);
            }

            @Override
            public void onDelete(Secret s) {
            }
        });
    }

    private void enqueue(Secret s) {
        if (BootstrapTokens.SECRET_TYPE.equals(s.type)) {
            queue.add(s.key());
        }
    }

    @Override
    public String name() {
        return "tokencleaner";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(secrets);
    }

    /** syncFunc + evalSecret: delete the expired token Secret, or look again when it expires. */
    @Override
    public Result reconcile(String key) {
        Secret s = secrets.store().get(key);
        if (s == null || !BootstrapTokens.SECRET_TYPE.equals(s.type) || s.metadata.deletionTimestamp != null) {
            return Result.done();
        }
        Instant expiration = BootstrapTokens.expiration(s);
        if (expiration == null) {
            return Result.done();
        }
        Instant now = clock.instant();
        if (now.isBefore(expiration)) {
            return Result.requeueAfter(Duration.between(now, expiration));
        }
        log.info("Deleting expired secret {}", key);
        DeleteOptions options = new DeleteOptions();
        if (s.metadata.uid != null) {
            options.preconditions = new DeleteOptions.Preconditions();
            options.preconditions.uid = s.metadata.uid;
        }
        try {
            client.delete(Secret.class, s.metadata.namespace, s.metadata.name, options);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }
}
