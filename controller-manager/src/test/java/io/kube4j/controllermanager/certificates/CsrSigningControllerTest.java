package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.kube4j.controllermanager.certificates.CsrFixtures.*;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class CsrSigningControllerTest {
    static final Instant NOW = Instant.now();
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final CertificateAuthority ca = ca(Duration.ofDays(3650));
    final CsrSigningController controller = new CsrSigningController(informers, client, ca, Duration.ofHours(8760), Clock.fixed(NOW, ZoneOffset.UTC));

    void load(CertificateSigningRequest... csrs) {
        preload(informers.informer(CertificateSigningRequest.class), csrs);
    }

    static X509Certificate certificate(CertificateSigningRequest csr) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(csr.status.certificatePem().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void signsAnApprovedKubeletClientRequestWithTheClusterCaThroughStatus() throws Exception {
        KeyPair key = ecKey();
        load(approved(csr("node-csr-a", KUBELET_CLIENT, requestPem(key, "system:node:worker-1", List.of("system:nodes")),
                "system:bootstrap:abcdef", List.of(), "digital signature", "client auth")));

        assertThat(controller.reconcile("node-csr-a")).isEqualTo(Result.done());

        assertThat(client.summaries()).containsExactly("updateStatus CertificateSigningRequest node-csr-a");
        CertificateSigningRequest sent = (CertificateSigningRequest) client.actions().getFirst().object();
        X509Certificate cert = certificate(sent);
        cert.verify(ca.certificate().getPublicKey());
        assertThat(cert.getPublicKey()).isEqualTo(key.getPublic());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:worker-1,O=system:nodes");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()[0]).isTrue(); // digitalSignature
        assertThat(cert.getKeyUsage()[2]).isFalse(); // keyEncipherment not asked
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        // backdated 5 minutes; 8760h less the backdate (not a short certificate)
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(8760)).minus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
        // conditions stay as they were: the signer only adds the certificate
        assertThat(sent.status.conditions).extracting(c -> c.type).containsExactly("Approved");
    }

    @Test
    void aRequestedExpirationShorterThanTheSigningDurationIsHonouredButNotBelowTenMinutes() {
        assertThat(controller.duration(null)).isEqualTo(Duration.ofHours(8760));
        assertThat(controller.duration(3600)).isEqualTo(Duration.ofHours(1));
        assertThat(controller.duration(600 * 1000)).isEqualTo(Duration.ofSeconds(600_000));
        assertThat(controller.duration(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(8760));
        assertThat(controller.duration(60)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aShortCertificateEndsExactlyAfterItsTtlAndNeverAfterTheCa() throws Exception {
        CertificateSigningRequest csr = approved(csr("short", KUBELET_CLIENT, requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes")),
                "u", List.of(), "digital signature", "client auth"));
        csr.spec.expirationSeconds = 3600;
        load(csr);
        controller.reconcile("short");
        X509Certificate cert = certificate((CertificateSigningRequest) client.actions().getFirst().object());
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

        CertificateAuthority expiring = ca(Duration.ofDays(2));
        RecordingClient other = new RecordingClient();
        SharedInformers inf = informers();
        preload(inf.informer(CertificateSigningRequest.class), approved(csr("capped", KUBELET_CLIENT,
                requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes")), "u", List.of(), "digital signature", "client auth")));
        new CsrSigningController(inf, other, expiring, Duration.ofHours(8760), Clock.fixed(NOW, ZoneOffset.UTC)).reconcile("capped");
        assertThat(certificate((CertificateSigningRequest) other.actions().getFirst().object()).getNotAfter())
                .isEqualTo(expiring.certificate().getNotAfter());
    }

    @Test
    void aRequestTheSignerRefusesGetsFailedSignerValidationFailure() {
        load(approved(csr("bad", KUBELET_CLIENT, requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes"), "x.example"),
                "u", List.of(), "digital signature", "client auth")),
                approved(csr("apiclient", "kubernetes.io/kube-apiserver-client", requestPem(ecKey(), "jane", List.of("dev")),
                        "u", List.of(), "digital signature", "server auth")));

        controller.reconcile("bad");
        controller.reconcile("apiclient");

        assertThat(client.summaries()).containsExactly("updateStatus CertificateSigningRequest bad", "updateStatus CertificateSigningRequest apiclient");
        CertificateSigningRequestCondition bad = ((CertificateSigningRequest) client.actions().get(0).object()).status.condition("Failed");
        assertThat(List.of(bad.status, bad.reason, bad.message)).containsExactly("True", "SignerValidationFailure", "DNS subjectAltNames are not allowed");
        assertThat(bad.lastUpdateTime).isNotNull();
        CertificateSigningRequest api = (CertificateSigningRequest) client.actions().get(1).object();
        assertThat(api.status.condition("Failed").message).isEqualTo("invalid usage for client certificate: server auth");
        assertThat(api.status.certificate).isNull();
    }

    @Test
    void signsApiserverClientAndKubeletServingRequestsWithTheirUsagesAndSans() throws Exception {
        load(approved(csr("jane", "kubernetes.io/kube-apiserver-client", requestPem(ecKey(), "jane", List.of("dev")), "u", List.of(), "client auth")),
                approved(csr("serving", "kubernetes.io/kubelet-serving", requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes"), "worker-1"),
                        "system:node:worker-1", List.of(), "digital signature", "server auth")));

        controller.reconcile("jane");
        controller.reconcile("serving");

        X509Certificate jane = certificate((CertificateSigningRequest) client.actions().get(0).object());
        assertThat(jane.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(jane.getKeyUsage()).isNull();
        X509Certificate serving = certificate((CertificateSigningRequest) client.actions().get(1).object());
        assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(serving.getSubjectAlternativeNames()).containsExactly(List.of(2, "worker-1"));
    }

    @Test
    void unapprovedDeniedFailedIssuedOrForeignRequestsAreNotSigned() {
        CertificateSigningRequest pending = bootstrapCsr("pending");
        CertificateSigningRequest denied = approved(bootstrapCsr("denied"));
        denied.status.conditions.add(new CertificateSigningRequestCondition("Denied", "True", "x", "x", null));
        CertificateSigningRequest failed = approved(bootstrapCsr("failed"));
        failed.status.conditions.add(new CertificateSigningRequestCondition("Failed", "True", "x", "x", null));
        CertificateSigningRequest issued = approved(bootstrapCsr("issued"));
        issued.status.setCertificatePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        CertificateSigningRequest foreign = approved(bootstrapCsr("foreign"));
        foreign.spec.signerName = "example.com/my-signer";
        load(pending, denied, failed, issued, foreign);

        for (String name : List.of("pending", "denied", "failed", "issued", "foreign", "gone")) {
            assertThat(controller.reconcile(name)).isEqualTo(Result.done());
        }
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void anUnknownUsageOrAForgedRequestIsNotSigned() {
        KeyPair key = ecKey();
        var request = CertificateRequests.parse(csr("x", KUBELET_CLIENT, requestPem(key, "system:node:a", List.of("system:nodes")), "u", List.of()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ca.sign(request, List.of("client auth", "teleport"), Duration.ofHours(1), NOW))
                .hasMessage("unrecognized usage values: [\"teleport\"]");
    }
}
