package io.kube4j.controllermanager.serviceaccount;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Secret;
import io.kube4j.api.ServiceAccount;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Manages Secrets of type {@value #SECRET_TYPE_SERVICE_ACCOUNT_TOKEN}: fills a Secret naming an existing
 * ServiceAccount (annotation {@value #SERVICE_ACCOUNT_NAME_KEY}) with a legacy token, the root CA and the
 * namespace, and deletes token Secrets whose ServiceAccount is gone (or has another uid). Kubernetes:
 * {@code pkg/controller/serviceaccount/tokens_controller.go} (1.32, which no longer creates token Secrets
 * for ServiceAccounts itself), started by kube-controller-manager only with
 * {@code --service-account-private-key-file}.
 *
 * <p>Kubernetes keeps two queues with struct keys; here one queue holds both kinds as strings:
 * {@code serviceaccount:<ns>/<name>/<uid>} (syncServiceAccount: a ServiceAccount with that uid no longer
 * exists, so delete its tokens) and {@code secret:<ns>/<name>/<uid>/<saName>/<saUid>} (syncSecret), the
 * fields the Go keys hold, so a deleted object can still be acted on. The saUid part is empty for a Secret
 * without the {@value #SERVICE_ACCOUNT_UID_KEY} annotation.
 */
public final class TokensController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(TokensController.class);
    /** {@code v1.SecretTypeServiceAccountToken}. */
    public static final String SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
    /** {@code v1.ServiceAccountNameKey}. */
    public static final String SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name";
    /** {@code v1.ServiceAccountUIDKey}. */
    public static final String SERVICE_ACCOUNT_UID_KEY = "kubernetes.io/service-account.uid";
    /** {@code v1.ServiceAccountTokenKey}. */
    public static final String TOKEN_KEY = "token";
    /** {@code v1.ServiceAccountRootCAKey}. */
    public static final String ROOT_CA_KEY = "ca.crt";
    /** {@code v1.ServiceAccountNamespaceKey}. */
    public static final String NAMESPACE_KEY = "namespace";
    /** {@code RemoveTokenBackoff.Steps}: attempts to remove a deleted Secret's reference on conflicts. */
    static final int REMOVE_TOKEN_ATTEMPTS = 10;

    private static final String SA_PREFIX = "serviceaccount:";
    private static final String SECRET_PREFIX = "secret:";

    // reads: service accounts and (token) secrets
    private final Informer<ServiceAccount> serviceAccounts;
    private final Informer<Secret> secrets;
    // writes: secret updates and deletes, service account updates (a deleted secret's reference)
    private final ControllerClient client;
    private final LegacyTokenGenerator token;
    // the CA put in every token secret; empty for none
    private final byte[] rootCA;
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    /**
     * @param rootCA the PEM bundle put in {@code ca.crt} ({@code --root-ca-file}); null or empty for none
     */
    public TokensController(SharedInformers informers, ControllerClient client, LegacyTokenGenerator token, byte[] rootCA) {
        this.client = client;
        this.token = token;
        this.rootCA = rootCA == null ? new byte[0] : rootCA.clone();
        this.serviceAccounts = informers.informer(ServiceAccount.class);
        this.secrets = informers.informer(Secret.class);
        serviceAccounts.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ServiceAccount sa) {
                queueServiceAccountSync(sa);
            }

            @Override
            public void onUpdate(ServiceAccount old, ServiceAccount sa) {
                queueServiceAccountSync(sa);
            }

            @Override
            public void onDelete(ServiceAccount sa) {
                queueServiceAccountSync(sa);
            }
        });
        secrets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                queueSecretSync(secret);
            }

            @Override
            public void onUpdate(Secret old, Secret secret) {
                queueSecretSync(secret);
            }

            @Override
            public void onDelete(Secret secret) {
                queueSecretSync(secret);
            }
        });
    }

    /** The bundle put in token Secrets' {@code ca.crt} (a copy; empty for none). */
    public byte[] rootCA() {
        return rootCA.clone();
    }

    /** queueServiceAccountSync / queueServiceAccountUpdateSync. */
    void queueServiceAccountSync(ServiceAccount sa) {
        queue.add(serviceAccountKey(sa));
    }

    /** The secret handlers' FilteringResourceEventHandler: only token Secrets are queued. */
    void queueSecretSync(Secret secret) {
        if (SECRET_TYPE_SERVICE_ACCOUNT_TOKEN.equals(secret.type)) {
            queue.add(secretKey(secret));
        }
    }

    /** makeServiceAccountKey. */
    static String serviceAccountKey(ServiceAccount sa) {
        return SA_PREFIX + sa.metadata.namespace + "/" + sa.metadata.name + "/" + nz(sa.metadata.uid);
    }

    /** makeSecretQueueKey. */
    static String secretKey(Secret secret) {
        return SECRET_PREFIX + secret.metadata.namespace + "/" + secret.metadata.name + "/" + nz(secret.metadata.uid) + "/"
                + annotation(secret, SERVICE_ACCOUNT_NAME_KEY) + "/" + annotation(secret, SERVICE_ACCOUNT_UID_KEY);
    }

    @Override
    public String name() {
        return "serviceaccount-token";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(serviceAccounts, secrets);
    }

    @Override
    public Result reconcile(String key) {
        if (key.startsWith(SA_PREFIX)) {
            String[] p = key.substring(SA_PREFIX.length()).split("/", -1);
            // parseServiceAccountKey: namespace, name and uid are all required
            if (p.length != 3 || p[0].isEmpty() || p[1].isEmpty() || p[2].isEmpty()) {
                log.error("invalid serviceaccount key: {}", key);
                return Result.done();
            }
            return syncServiceAccount(p[0], p[1], p[2]);
        }
        if (key.startsWith(SECRET_PREFIX)) {
            String[] p = key.substring(SECRET_PREFIX.length()).split("/", -1);
            // parseSecretQueueKey: all but the service account uid are required
            if (p.length != 5 || p[0].isEmpty() || p[1].isEmpty() || p[2].isEmpty() || p[3].isEmpty()) {
                log.error("invalid secret key: {}", key);
                return Result.done();
            }
            return syncSecret(p[0], p[1], p[2], p[3], p[4]);
        }
        log.error("invalid key: {}", key);
        return Result.done();
    }

    /** syncServiceAccount: a ServiceAccount that no longer exists (with that uid) loses its token Secrets. */
    Result syncServiceAccount(String namespace, String name, String uid) {
        if (getServiceAccount(namespace, name, uid, false) != null) {
            return Result.done();
        }
        log.debug("service account {}/{} deleted, removing tokens", namespace, name);
        boolean retry = false;
        for (Secret secret : SharedInformers.inNamespace(secrets.store(), namespace)) {
            if (isServiceAccountToken(secret, name, uid)) {
                retry |= deleteToken(namespace, secret.metadata.name, secret.metadata.uid);
            }
        }
        return retry ? Result.retry("deleting the tokens of service account " + namespace + "/" + name) : Result.done();
    }

    /** syncSecret. */
    Result syncSecret(String namespace, String name, String uid, String saName, String saUid) {
        Secret secret = getSecret(namespace, name, uid);
        if (secret == null) {
            // the secret is gone: a ServiceAccount still listing it in .secrets no longer does
            if (getServiceAccount(namespace, saName, saUid, false) != null) {
                try {
                    removeSecretReference(namespace, saName, saUid, name);
                } catch (ApiException e) {
                    log.error("removing the reference to secret {}/{} from service account {}: {}", namespace, name, saName, e.getMessage());
                }
            }
            return Result.done();
        }
        ServiceAccount sa;
        try {
            sa = getServiceAccount(namespace, saName, saUid, true);
        } catch (ApiException e) {
            return Result.retry("getting service account " + namespace + "/" + saName + ": " + e.getMessage());
        }
        if (sa == null) {
            log.debug("service account {}/{} does not exist, deleting token {}/{}", namespace, saName, namespace, name);
            return deleteToken(namespace, name, uid) ? Result.retry("deleting token " + namespace + "/" + name) : Result.done();
        }
        return generateTokenIfNeeded(sa, secret);
    }

    /**
     * deleteToken: DELETE with a uid precondition (when known); true when worth a retry (NotFound: already gone,
     * Conflict: the precondition failed, i.e. another Secret of that name: neither is).
     */
    private boolean deleteToken(String namespace, String name, String uid) {
        DeleteOptions options = null;
        if (uid != null && !uid.isEmpty()) {
            options = new DeleteOptions();
            options.preconditions = new DeleteOptions.Preconditions();
            options.preconditions.uid = uid;
        }
        try {
            client.delete(Secret.class, namespace, name, options);
            return false;
        } catch (ApiException e) {
            if (e.code() == 404 || e.code() == 409) {
                return false;
            }
            log.error("deleting serviceaccount token {}/{}: {}", namespace, name, e.getMessage());
            return true;
        }
    }

    /** secretUpdateNeeded: {needsCA, needsNamespace, needsToken}. */
    private boolean[] secretUpdateNeeded(Secret secret) {
        byte[] ca = secret.decoded(ROOT_CA_KEY);
        boolean needsCA = rootCA.length > 0 && !Arrays.equals(ca == null ? new byte[0] : ca, rootCA);
        byte[] ns = secret.decoded(NAMESPACE_KEY);
        boolean needsNamespace = ns == null || ns.length == 0;
        byte[] tok = secret.decoded(TOKEN_KEY);
        boolean needsToken = tok == null || tok.length == 0;
        return new boolean[]{needsCA, needsNamespace, needsToken};
    }

    private static boolean any(boolean[] needs) {
        return needs[0] || needs[1] || needs[2];
    }

    /**
     * generateTokenIfNeeded: when the cached Secret lacks the CA, namespace or token, fill a freshly read copy
     * (skipped when the live copy is newer than the cache: its update event comes next) and PUT it, with the
     * ServiceAccount's name and uid annotations.
     */
    private Result generateTokenIfNeeded(ServiceAccount sa, Secret cached) {
        if (!any(secretUpdateNeeded(cached))) {
            return Result.done();
        }
        Secret live;
        try {
            Optional<Secret> found = client.find(Secret.class, cached.metadata.namespace, cached.metadata.name);
            if (found.isEmpty()) {
                return Result.done();
            }
            live = found.get();
        } catch (ApiException e) {
            return e.code() == 404 ? Result.done() : Result.retry("getting secret " + cached.key() + ": " + e.getMessage());
        }
        if (!Objects.equals(live.metadata.resourceVersion, cached.metadata.resourceVersion)) {
            log.debug("secret {} is not up to date, skipping token population", cached.key());
            return Result.done();
        }
        boolean[] needs = secretUpdateNeeded(live);
        if (!any(needs)) {
            return Result.done();
        }
        if (live.data == null) {
            live.data = new LinkedHashMap<>();
        }
        if (needs[0]) {
            live.data.put(ROOT_CA_KEY, java.util.Base64.getEncoder().encodeToString(rootCA));
        }
        if (needs[1]) {
            live.put(NAMESPACE_KEY, live.metadata.namespace);
        }
        if (needs[2]) {
            String jwt;
            try {
                jwt = token.generateToken(sa, live);
            } catch (RuntimeException e) {
                log.error("generating a token for secret {}: {}", live.key(), e.getMessage());
                return Result.done();
            }
            live.data.put(TOKEN_KEY, java.util.Base64.getEncoder().encodeToString(jwt.getBytes(StandardCharsets.UTF_8)));
        }
        if (live.metadata.annotations == null) {
            live.metadata.annotations = new LinkedHashMap<>();
        }
        live.metadata.annotations.put(SERVICE_ACCOUNT_NAME_KEY, sa.metadata.name);
        live.metadata.annotations.put(SERVICE_ACCOUNT_UID_KEY, nz(sa.metadata.uid));
        try {
            client.update(live);
        } catch (ApiException e) {
            // Conflict: updated meanwhile, its event comes next; NotFound: nothing to populate
            if (e.code() == 409 || e.code() == 404) {
                return Result.done();
            }
            return Result.retry("updating secret " + live.key() + ": " + e.getMessage());
        }
        return Result.done();
    }

    /**
     * removeSecretReference: drops {@code secretName} from the live ServiceAccount's {@code secrets}, when it
     * still has {@code saUid} (if given) and lists it; retried on conflict as Kubernetes' RemoveTokenBackoff.
     */
    private void removeSecretReference(String namespace, String saName, String saUid, String secretName) {
        for (int attempt = 1; ; attempt++) {
            Optional<ServiceAccount> found = client.find(ServiceAccount.class, namespace, saName);
            if (found.isEmpty()) {
                return;
            }
            ServiceAccount sa = found.get();
            if (!saUid.isEmpty() && !saUid.equals(sa.metadata.uid)) {
                return;
            }
            if (sa.secrets == null || sa.secrets.stream().noneMatch(r -> secretName.equals(r.name))) {
                return;
            }
            List<ObjectReference> kept = new ArrayList<>();
            for (ObjectReference r : sa.secrets) {
                if (!secretName.equals(r.name)) {
                    kept.add(r);
                }
            }
            sa.secrets = kept;
            try {
                client.update(sa);
                return;
            } catch (ApiException e) {
                if (e.code() == 404) {
                    return;
                }
                if (e.code() != 409 || attempt >= REMOVE_TOKEN_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * getServiceAccount: from the cache, else (when {@code fetchOnCacheMiss}) a live GET; null when absent or
     * of another uid than a non-empty {@code uid}.
     */
    private ServiceAccount getServiceAccount(String namespace, String name, String uid, boolean fetchOnCacheMiss) {
        ServiceAccount sa = serviceAccounts.store().get(namespace, name);
        if (sa != null && (uid.isEmpty() || uid.equals(sa.metadata.uid))) {
            return sa;
        }
        if (!fetchOnCacheMiss) {
            return null;
        }
        ServiceAccount live = client.find(ServiceAccount.class, namespace, name).orElse(null);
        if (live != null && (uid.isEmpty() || uid.equals(live.metadata.uid))) {
            return live;
        }
        return null;
    }

    /** getSecret without the live fallback (syncSecret never asks for it): the cached Secret with that uid. */
    private Secret getSecret(String namespace, String name, String uid) {
        Secret secret = secrets.store().get(namespace, name);
        if (secret != null && (uid.isEmpty() || uid.equals(secret.metadata.uid))) {
            return secret;
        }
        return null;
    }

    /** apiserver's {@code serviceaccount.IsServiceAccountToken} for a ServiceAccount given by name and uid. */
    static boolean isServiceAccountToken(Secret secret, String saName, String saUid) {
        if (!SECRET_TYPE_SERVICE_ACCOUNT_TOKEN.equals(secret.type)) {
            return false;
        }
        if (!saName.equals(annotation(secret, SERVICE_ACCOUNT_NAME_KEY))) {
            return false;
        }
        String uid = annotation(secret, SERVICE_ACCOUNT_UID_KEY);
        return uid.isEmpty() || uid.equals(saUid);
    }

    private static String annotation(Secret secret, String key) {
        return secret.metadata.annotations == null ? "" : nz(secret.metadata.annotations.get(key));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
