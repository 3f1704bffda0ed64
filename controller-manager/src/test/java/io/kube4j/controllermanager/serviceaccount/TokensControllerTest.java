package io.kube4j.controllermanager.serviceaccount;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Secret;
import io.kube4j.api.ServiceAccount;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class TokensControllerTest {
    static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    static final KeyPair KEYS = rsa();
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final TokensController controller = new TokensController(informers, client, new LegacyTokenGenerator(KEYS.getPrivate()),
            PEM.getBytes(StandardCharsets.UTF_8));

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ServiceAccount sa(String name, String uid) {
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = "default";
        sa.metadata.name = name;
        sa.metadata.uid = uid;
        sa.metadata.resourceVersion = "3";
        return sa;
    }

    /** The docs' serviceaccount-token-secret.yaml, as stored (uid, resourceVersion). */
    static Secret tokenSecret(String name, String saName, String saUid) {
        Secret s = new Secret();
        s.metadata.namespace = "default";
        s.metadata.name = name;
        s.metadata.uid = "uid-" + name;
        s.metadata.resourceVersion = "7";
        s.metadata.annotations.put("kubernetes.io/service-account.name", saName);
        if (saUid != null) {
            s.metadata.annotations.put("kubernetes.io/service-account.uid", saUid);
        }
        s.type = "kubernetes.io/service-account-token";
        return s;
    }

    String key(Secret s) {
        return TokensController.secretKey(s);
    }

    @Test
    void fillsTheDocsSecretWithALegacyTokenTheCaAndTheNamespace() throws Exception {
        ServiceAccount sa = sa("sa-name", "sa-uid-1");
        Secret cached = tokenSecret("secret-sa-sample", "sa-name", null);
        preload(informers.informer(ServiceAccount.class), sa);
        preload(informers.informer(Secret.class), cached);
        client.live(tokenSecret("secret-sa-sample", "sa-name", null));

        assertThat(controller.reconcile(key(cached))).isEqualTo(Result.done());

        assertThat(client.summaries()).containsExactly("update Secret default/secret-sa-sample");
        Secret written = (Secret) client.actions().getFirst().object();
        assertThat(written.metadata.annotations).containsEntry("kubernetes.io/service-account.name", "sa-name")
                .containsEntry("kubernetes.io/service-account.uid", "sa-uid-1");
        assertThat(new String(written.decoded("ca.crt"), StandardCharsets.UTF_8)).isEqualTo(PEM);
        assertThat(new String(written.decoded("namespace"), StandardCharsets.UTF_8)).isEqualTo("default");

        SignedJWT jwt = SignedJWT.parse(new String(written.decoded("token"), StandardCharsets.UTF_8));
        assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) KEYS.getPublic()))).isTrue();
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(LegacyTokenGenerator.keyId(KEYS.getPublic()));
        assertThat(jwt.getJWTClaimsSet().getClaims()).containsOnly(
                Map.entry("iss", "kubernetes/serviceaccount"),
                Map.entry("sub", "system:serviceaccount:default:sa-name"),
                Map.entry("kubernetes.io/serviceaccount/namespace", "default"),
                Map.entry("kubernetes.io/serviceaccount/secret.name", "secret-sa-sample"),
                Map.entry("kubernetes.io/serviceaccount/service-account.name", "sa-name"),
                Map.entry("kubernetes.io/serviceaccount/service-account.uid", "sa-uid-1"));
        // the cache is never written to
        assertThat(cached.data).isEmpty();
        assertThat(cached.metadata.annotations).doesNotContainKey("kubernetes.io/service-account.uid");
    }

    @Test
    void aServiceAccountMissingFromTheCacheIsLookedUpLive() {
        Secret cached = tokenSecret("t", "late", null);
        preload(informers.informer(Secret.class), cached);
        client.live(sa("late", "late-uid"), tokenSecret("t", "late", null));
        controller.reconcile(key(cached));
        assertThat(client.summaries()).containsExactly("update Secret default/t");
        assertThat(((Secret) client.actions().getFirst().object()).metadata.annotations).containsEntry("kubernetes.io/service-account.uid", "late-uid");
    }

    @Test
    void aCompleteSecretIsLeftAlone() {
        ServiceAccount sa = sa("sa-name", "u1");
        Secret done = tokenSecret("t", "sa-name", "u1");
        done.put("token", "abc");
        done.put("namespace", "default");
        done.put("ca.crt", PEM);
        preload(informers.informer(ServiceAccount.class), sa);
        preload(informers.informer(Secret.class), done);
        assertThat(controller.reconcile(key(done))).isEqualTo(Result.done());
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aChangedCaIsPutBackButTheTokenKept() {
        ServiceAccount sa = sa("sa-name", "u1");
        Secret stale = tokenSecret("t", "sa-name", "u1");
        stale.put("token", "abc");
        stale.put("namespace", "default");
        stale.put("ca.crt", "old");
        preload(informers.informer(ServiceAccount.class), sa);
        preload(informers.informer(Secret.class), stale);
        client.live(io.kube4j.json.Json.copy(stale));
        controller.reconcile(key(stale));
        Secret written = (Secret) client.actions().getFirst().object();
        assertThat(new String(written.decoded("ca.crt"), StandardCharsets.UTF_8)).isEqualTo(PEM);
        assertThat(new String(written.decoded("token"), StandardCharsets.UTF_8)).isEqualTo("abc");
    }

    @Test
    void aLiveSecretNewerThanTheCacheIsSkippedUntilItsEvent() {
        ServiceAccount sa = sa("sa-name", "u1");
        Secret cached = tokenSecret("t", "sa-name", null);
        Secret newer = tokenSecret("t", "sa-name", null);
        newer.metadata.resourceVersion = "8";
        preload(informers.informer(ServiceAccount.class), sa);
        preload(informers.informer(Secret.class), cached);
        client.live(newer);
        assertThat(controller.reconcile(key(cached))).isEqualTo(Result.done());
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aSecretWhoseServiceAccountDoesNotExistIsDeletedWithAUidPrecondition() {
        Secret orphan = tokenSecret("t", "nobody", null);
        preload(informers.informer(Secret.class), orphan);
        controller.reconcile(key(orphan));
        assertThat(client.summaries()).containsExactly("delete Secret default/t");
        assertThat(client.deleteOptions().getFirst().preconditions.uid).isEqualTo("uid-t");
    }

    @Test
    void aSecretForAnotherIncarnationOfTheServiceAccountIsDeleted() {
        preload(informers.informer(ServiceAccount.class), sa("sa-name", "new-uid"));
        Secret old = tokenSecret("t", "sa-name", "old-uid");
        preload(informers.informer(Secret.class), old);
        client.live(sa("sa-name", "new-uid"));
        controller.reconcile(key(old));
        assertThat(client.summaries()).containsExactly("delete Secret default/t");
    }

    @Test
    void aDeletedServiceAccountTakesItsTokenSecretsAlong() {
        ServiceAccount gone = sa("sa-name", "u1");
        Secret mine = tokenSecret("mine", "sa-name", "u1");
        Secret unbound = tokenSecret("unbound", "sa-name", null);
        Secret otherIncarnation = tokenSecret("other-uid", "sa-name", "u2");
        Secret otherAccount = tokenSecret("other-sa", "robot", null);
        Secret opaque = tokenSecret("opaque", "sa-name", "u1");
        opaque.type = "Opaque";
        preload(informers.informer(Secret.class), mine, unbound, otherIncarnation, otherAccount, opaque);
        // the ServiceAccount is no longer in the cache
        assertThat(controller.reconcile(TokensController.serviceAccountKey(gone))).isEqualTo(Result.done());
        assertThat(client.summaries()).containsExactlyInAnyOrder("delete Secret default/mine", "delete Secret default/unbound");
    }

    @Test
    void anExistingServiceAccountKeepsItsTokens() {
        ServiceAccount sa = sa("sa-name", "u1");
        preload(informers.informer(ServiceAccount.class), sa);
        preload(informers.informer(Secret.class), tokenSecret("mine", "sa-name", "u1"));
        controller.reconcile(TokensController.serviceAccountKey(sa));
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aDeletedSecretIsRemovedFromTheServiceAccountsSecrets() {
        ServiceAccount sa = sa("sa-name", "u1");
        ObjectReference ref = new ObjectReference();
        ref.name = "t";
        ObjectReference keep = new ObjectReference();
        keep.name = "other";
        sa.secrets.add(ref);
        sa.secrets.add(keep);
        preload(informers.informer(ServiceAccount.class), sa);
        client.live(io.kube4j.json.Json.copy(sa));
        // the secret is no longer in the cache
        controller.reconcile(key(tokenSecret("t", "sa-name", "u1")));
        assertThat(client.summaries()).containsExactly("update ServiceAccount default/sa-name");
        assertThat(((ServiceAccount) client.actions().getFirst().object()).secrets).extracting(r -> r.name).containsExactly("other");
        assertThat(sa.secrets).hasSize(2);
    }

    @Test
    void conflictsAreLeftToTheNextEventOtherFailuresRetried() {
        preload(informers.informer(ServiceAccount.class), sa("sa-name", "u1"));
        Secret cached = tokenSecret("t", "sa-name", null);
        preload(informers.informer(Secret.class), cached);
        client.live(tokenSecret("t", "sa-name", null));
        client.failWhen(a -> a.verb().equals("update"), 409);
        assertThat(controller.reconcile(key(cached))).isEqualTo(Result.done());
        client.failWhen(a -> a.verb().equals("update"), 500);
        assertThat(controller.reconcile(key(cached)).kind()).isEqualTo(Result.Kind.RETRY);
    }

    @Test
    void onlyTokenSecretsAreQueuedAndBadKeysDropped() {
        Secret opaque = tokenSecret("o", "sa-name", null);
        opaque.type = "Opaque";
        controller.queueSecretSync(opaque);
        assertThat(controller.queue().length()).isZero();
        Secret token = tokenSecret("t", "sa-name", "u1");
        controller.queueSecretSync(token);
        assertThat(controller.queue().isQueued("secret:default/t/uid-t/sa-name/u1")).isTrue();
        // parseSecretQueueKey requires the service account name
        Secret unnamed = tokenSecret("n", "", null);
        assertThat(controller.reconcile(key(unnamed))).isEqualTo(Result.done());
        assertThat(client.actions()).isEmpty();
    }
}
