package io.kube4j.controllermanager.bootstrap;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Secret;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** After pkg/controller/bootstrap/bootstrapsigner_test.go: signatures added, kept, refreshed and removed. */
class BootstrapSignerTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final String KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n";

    final SharedInformers informers = informers();
    final RecordingClient recording = new RecordingClient();
    final BootstrapSigner signer = new BootstrapSigner(informers, recording, Clock.fixed(NOW, ZoneOffset.UTC));

    static Secret token(String id, String secret, String expiration, boolean signing) {
        Secret s = new Secret();
        s.metadata.namespace = "kube-system";
        s.metadata.name = "bootstrap-token-" + id;
        s.type = "bootstrap.kubernetes.io/token";
        s.put("token-id", id);
        s.put("token-secret", secret);
        if (expiration != null) {
            s.put("expiration", expiration);
        }
        if (signing) {
            s.put("usage-bootstrap-signing", "true");
        }
        return s;
    }

    static ConfigMap clusterInfo(Map<String, String> sigs) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "kube-public";
        cm.metadata.name = "cluster-info";
        cm.metadata.resourceVersion = "7";
        cm.data.put("kubeconfig", KUBECONFIG);
        cm.data.putAll(sigs);
        return cm;
    }

    void given(ConfigMap cm, Secret... tokens) {
        preload(informers.informer(ConfigMap.class, "kube-public"), cm);
        preload(informers.informer(Secret.class, "kube-system"), tokens);
    }

    ConfigMap written() {
        assertThat(recording.summaries()).containsExactly("update ConfigMap kube-public/cluster-info");
        return (ConfigMap) recording.actions().getFirst().object();
    }

    @Test
    void addsTheDetachedJwsOfTheKubeconfigForASigningToken() {
        given(clusterInfo(Map.of()), token("abcdef", "0123456789abcdef", null, true));

        Result r = signer.reconcile(BootstrapSigner.KEY);

        ConfigMap cm = written();
        String sig = cm.data.get("jws-kubeconfig-abcdef");
        // base64url of {"alg":"HS256","kid":"abcdef"}, then the payload left out
        assertThat(sig).startsWith("eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..");
        assertThat(io.kube4j.bootstrap.BootstrapTokens.detachedTokenIsValid(sig, KUBECONFIG, "abcdef", "0123456789abcdef")).isTrue();
        assertThat(cm.data.get("kubeconfig")).isEqualTo(KUBECONFIG);
        // the cached ConfigMap is not mutated
        assertThat(informers.informer(ConfigMap.class, "kube-public").store().get(BootstrapSigner.KEY).data).containsOnlyKeys("kubeconfig");
        assertThat(r.kind()).isEqualTo(Result.Kind.DONE);
    }

    @Test
    void anUpToDateSignatureIsNotWrittenAgain() {
        String sig = io.kube4j.bootstrap.BootstrapTokens.computeDetachedSignature(KUBECONFIG, "abcdef", "0123456789abcdef");
        given(clusterInfo(Map.of("jws-kubeconfig-abcdef", sig)), token("abcdef", "0123456789abcdef", null, true));

        signer.reconcile(BootstrapSigner.KEY);

        assertThat(recording.actions()).isEmpty();
    }

    @Test
    void aWrongSignatureIsReplaced() {
        given(clusterInfo(Map.of("jws-kubeconfig-abcdef", "old")), token("abcdef", "0123456789abcdef", null, true));

        signer.reconcile(BootstrapSigner.KEY);

        assertThat(written().data.get("jws-kubeconfig-abcdef"))
                .isEqualTo(io.kube4j.bootstrap.BootstrapTokens.computeDetachedSignature(KUBECONFIG, "abcdef", "0123456789abcdef"));
    }

    @Test
    void signaturesOfDeletedExpiredOrNonSigningTokensAreRemoved() {
        given(clusterInfo(Map.of("jws-kubeconfig-gone00", "x", "jws-kubeconfig-expire", "y", "jws-kubeconfig-nosign", "z")),
                token("expire", "0123456789abcdef", "2025-12-31T23:59:59Z", true),
                token("nosign", "0123456789abcdef", null, false));

        signer.reconcile(BootstrapSigner.KEY);

        assertThat(written().data).containsOnlyKeys("kubeconfig");
    }

    @Test
    void tokensOfAnotherTypeOrAMismatchedNameDoNotSign() {
        Secret opaque = token("abcdef", "0123456789abcdef", null, true);
        opaque.type = "Opaque";
        Secret mismatched = token("ghijkl", "0123456789abcdef", null, true);
        mismatched.put("token-id", "zzzzzz");
        given(clusterInfo(Map.of()), opaque, mismatched);

        signer.reconcile(BootstrapSigner.KEY);

        assertThat(recording.actions()).isEmpty();
    }

    @Test
    void aTokenThatWillExpireIsLookedAtAgainThen() {
        given(clusterInfo(Map.of()), token("abcdef", "0123456789abcdef", "2026-01-01T01:00:00Z", true));

        Result r = signer.reconcile(BootstrapSigner.KEY);

        assertThat(written().data).containsKey("jws-kubeconfig-abcdef");
        assertThat(r.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(r.after()).isEqualTo(Duration.ofHours(1).plusSeconds(1));
    }

    @Test
    void withoutClusterInfoOrItsKubeconfigNothingHappens() {
        ConfigMap noKubeconfig = clusterInfo(Map.of());
        noKubeconfig.data.remove("kubeconfig");
        given(noKubeconfig, token("abcdef", "0123456789abcdef", null, true));
        assertThat(signer.reconcile(BootstrapSigner.KEY).kind()).isEqualTo(Result.Kind.DONE);
        assertThat(recording.actions()).isEmpty();
    }
}
