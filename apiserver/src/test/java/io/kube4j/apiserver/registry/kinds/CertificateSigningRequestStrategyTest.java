package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.api.Status;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The CertificateSigningRequest strategy and validation against Kubernetes 1.32's
 * {@code pkg/registry/certificates/certificates/strategy.go} and {@code pkg/apis/certificates/validation/validation.go}:
 * field paths, reasons and messages as Kubernetes words them.
 */
class CertificateSigningRequestStrategyTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    static final UserInfo BOOTSTRAPPER = new UserInfo("system:bootstrap:abcdef", "uid-1",
            List.of("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"),
            Map.of("k", List.of("v1", "v2")));

    final CertificateSigningRequestStrategy strategy = new CertificateSigningRequestStrategy(() -> BOOTSTRAPPER, Clock.fixed(NOW, ZoneOffset.UTC));

    static String csrPem(String cn, String... orgs) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        StringBuilder dn = new StringBuilder();
        for (String o : orgs) {
            dn.append("O=").append(o).append(",");
        }
        dn.append("CN=").append(cn);
        PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(new X500Name(dn.toString()), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        return Pki.pem(req);
    }

    static CertificateSigningRequest valid() throws Exception {
        CertificateSigningRequest csr = new CertificateSigningRequest();
        csr.metadata.name = "node-csr-1";
        csr.spec.setRequestPem(csrPem("system:node:n1", "system:nodes"));
        csr.spec.signerName = SIGNER;
        csr.spec.usages = List.of("digital signature", "client auth");
        return csr;
    }

    static List<Status.Cause> create(CertificateSigningRequest csr) {
        FieldErrors errs = new FieldErrors();
        CertificateSigningRequestValidation.validateCreate(csr, errs);
        return errs.causes();
    }

    static CertificateSigningRequestCondition condition(String type, String status) {
        return new CertificateSigningRequestCondition(type, status, "Reason", "message", null);
    }

    @Test
    void createTakesTheRequestorFromTheUserAndClearsStatus() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.spec.username = "system:admin";
        csr.spec.groups = List.of("system:masters");
        csr.status.conditions.add(condition("Approved", "True"));
        ObjectNode tree = (ObjectNode) Json.toTree(csr);

        strategy.prepareForCreate(tree);

        CertificateSigningRequest out = Json.convert(tree, CertificateSigningRequest.class);
        assertThat(out.spec.username).isEqualTo("system:bootstrap:abcdef");
        assertThat(out.spec.uid).isEqualTo("uid-1");
        assertThat(out.spec.groups).containsExactly("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated");
        assertThat(out.spec.extra).containsExactly(Map.entry("k", List.of("v1", "v2")));
        assertThat(out.status.conditions).isEmpty();
        assertThat(tree.get("status").isEmpty()).isTrue();
    }

    @Test
    void createWithoutAUserLeavesNoRequestor() throws Exception {
        CertificateSigningRequestStrategy internal = new CertificateSigningRequestStrategy(() -> null, Clock.fixed(NOW, ZoneOffset.UTC));
        CertificateSigningRequest csr = valid();
        csr.spec.username = "forged";
        csr.spec.uid = "forged";
        ObjectNode tree = (ObjectNode) Json.toTree(csr);
        internal.prepareForCreate(tree);
        assertThat(tree.path("spec").has("username")).isFalse();
        assertThat(tree.path("spec").has("uid")).isFalse();
    }

    @Test
    void aValidRequestPasses() throws Exception {
        assertThat(create(valid())).isEmpty();
    }

    @Test
    void requestMustBeAPemCertificateRequest() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.spec.request = Base64.getEncoder().encodeToString("hi".getBytes());
        assertThat(create(csr)).extracting(c -> c.reason, c -> c.field, c -> c.message)
                .containsExactly(tuple("FieldValueInvalid", "spec.request", "Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST"));
    }

    @Test
    void requestSignatureMustVerify() throws Exception {
        CertificateSigningRequest csr = valid();
        PKCS10CertificationRequest req = new PKCS10CertificationRequest(
                org.bouncycastle.util.io.pem.PemReader.class.cast(new org.bouncycastle.util.io.pem.PemReader(new java.io.StringReader(csr.spec.requestPem())))
                        .readPemObject().getContent());
        byte[] der = req.getEncoded();
        // flip a bit of the signature (the last bytes of the DER)
        der[der.length - 2] ^= 0x01;
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
        csr.spec.setRequestPem(pem);
        List<Status.Cause> causes = create(csr);
        assertThat(causes).extracting(c -> c.field).containsExactly("spec.request");
        assertThat(causes.get(0).message).startsWith("Invalid value: []byte{0x2d, 0x2d, 0x2d").endsWith("}: x509: ECDSA verification failure");
    }

    @Test
    void usagesAreRequiredKnownAndUnique() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.spec.usages = List.of();
        assertThat(create(csr)).extracting(c -> c.reason, c -> c.field, c -> c.message)
                .containsExactly(tuple("FieldValueRequired", "spec.usages", "Required value"));

        csr.spec.usages = List.of("client auth", "fly", "client auth");
        assertThat(create(csr)).extracting(c -> c.reason, c -> c.field, c -> c.message).containsExactly(
                tuple("FieldValueNotSupported", "spec.usages[1]", "Unsupported value: \"fly\": supported values: \"any\", \"cert sign\", \"client auth\", "
                        + "\"code signing\", \"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", \"digital signature\", "
                        + "\"email protection\", \"encipher only\", \"ipsec end system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", "
                        + "\"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", \"s/mime\", \"server auth\", \"signing\", \"timestamping\""),
                tuple("FieldValueDuplicate", "spec.usages[2]", "Duplicate value: \"client auth\""));
    }

    @Test
    void signerNameIsRequiredAndQualified() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.spec.signerName = null;
        assertThat(create(csr)).extracting(c -> c.reason, c -> c.field, c -> c.message)
                .containsExactly(tuple("FieldValueRequired", "spec.signerName", "Required value"));
        csr.spec.signerName = "no-slash";
        assertThat(create(csr)).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("spec.signerName", "Invalid value: \"no-slash\": must be a fully qualified domain and path of the form 'example.com/signer-name'"));
        csr.spec.signerName = "example/signer";
        assertThat(create(csr)).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("spec.signerName", "Invalid value: \"example\": should be a domain with at least two segments separated by dots"));
        csr.spec.signerName = "Example.com/signer";
        assertThat(create(csr)).extracting(c -> c.message).containsExactly("Invalid value: \"Example.com\": validating label \"Example\": a lowercase RFC 1123 label must "
                + "consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        csr.spec.signerName = "kubernetes.io/legacy-unknown";
        assertThat(create(csr)).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("spec.signerName", "Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version"));
    }

    @Test
    void expirationSecondsIsAtLeastTenMinutes() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.spec.expirationSeconds = 600;
        assertThat(create(csr)).isEmpty();
        csr.spec.expirationSeconds = 599;
        assertThat(create(csr)).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("spec.expirationSeconds", "Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)"));
    }

    @Test
    void conditionsApprovedAndDeniedAreExclusiveTrueOnlyAndUnique() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.status.conditions.add(condition("Approved", "True"));
        csr.status.conditions.add(condition("Denied", "False"));
        csr.status.conditions.add(condition("Approved", "True"));
        csr.status.conditions.add(condition("Custom", ""));
        assertThat(create(csr)).extracting(c -> c.reason, c -> c.field, c -> c.message).containsExactly(
                tuple("FieldValueNotSupported", "status.conditions[1].status", "Unsupported value: \"False\": supported values: \"True\""),
                tuple("FieldValueInvalid", "status.conditions[1].type", "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"),
                tuple("FieldValueInvalid", "status.conditions[2].type", "Invalid value: \"Approved\": Approved and Denied conditions are mutually exclusive"),
                tuple("FieldValueDuplicate", "status.conditions[2].type", "Duplicate value: \"Approved\""),
                tuple("FieldValueRequired", "status.conditions[3].status", "Required value"));
    }

    @Test
    void certificateMustBePemCertificates() throws Exception {
        CertificateSigningRequest csr = valid();
        csr.status.setCertificatePem("garbage");
        assertThat(create(csr)).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("status.certificate", "Invalid value: \"<certificate data>\": must contain at least one CERTIFICATE PEM block"));
        csr.status.setCertificatePem(csr.spec.requestPem());
        assertThat(create(csr)).extracting(c -> c.message)
                .containsExactly("Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"CERTIFICATE REQUEST\"");
    }

    @Test
    void mainUpdateKeepsTheStoredSpec() throws Exception {
        CertificateSigningRequest old = valid();
        old.spec.username = "system:bootstrap:abcdef";
        CertificateSigningRequest now = valid();
        now.spec.username = "someone-else";
        now.spec.signerName = "example.com/other";
        ObjectNode next = (ObjectNode) Json.toTree(now);
        strategy.prepareForUpdate(next, (ObjectNode) Json.toTree(old));
        assertThat(next.path("spec")).isEqualTo(Json.toTree(old).path("spec"));
    }

    @Test
    void approvalAddsApprovedWithTimesAndMayNotRemoveIt() throws Exception {
        CertificateSigningRequest old = valid();
        CertificateSigningRequest now = valid();
        now.spec = old.spec;
        now.status.conditions.add(condition("Approved", "True"));
        ObjectNode next = (ObjectNode) Json.toTree(now);
        FieldErrors errs = new FieldErrors();
        strategy.prepareApprovalUpdate(next, (ObjectNode) Json.toTree(old), errs);
        assertThat(errs.causes()).isEmpty();
        assertThat(next.at("/status/conditions/0/lastUpdateTime").asString()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(next.at("/status/conditions/0/lastTransitionTime").asString()).isEqualTo("2026-01-02T03:04:05Z");

        CertificateSigningRequest approved = Json.convert(next, CertificateSigningRequest.class);
        CertificateSigningRequest removed = Json.convert(next, CertificateSigningRequest.class);
        removed.status.conditions.clear();
        errs = new FieldErrors();
        strategy.prepareApprovalUpdate((ObjectNode) Json.toTree(removed), (ObjectNode) Json.toTree(approved), errs);
        assertThat(errs.causes()).extracting(c -> c.reason, c -> c.field, c -> c.message)
                .containsExactly(tuple("FieldValueForbidden", "status.conditions", "Forbidden: updates may not remove a condition of type \"Approved\""));
    }

    @Test
    void approvalMayNotDenyAnApprovedRequest() throws Exception {
        CertificateSigningRequest old = valid();
        old.status.conditions.add(condition("Approved", "True"));
        CertificateSigningRequest now = Json.convert(Json.toTree(old), CertificateSigningRequest.class);
        now.status.conditions.add(condition("Denied", "True"));
        FieldErrors errs = new FieldErrors();
        strategy.prepareApprovalUpdate((ObjectNode) Json.toTree(now), (ObjectNode) Json.toTree(old), errs);
        assertThat(errs.causes()).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("status.conditions[1].type", "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"));
    }

    @Test
    void statusMayNotAddApprovedButKeepsTheStoredOneAndSetsTheCertificateOnce() throws Exception {
        CertificateSigningRequest old = valid();
        CertificateSigningRequest now = Json.convert(Json.toTree(old), CertificateSigningRequest.class);
        now.status.conditions.add(condition("Approved", "True"));
        FieldErrors errs = new FieldErrors();
        strategy.prepareStatusUpdate((ObjectNode) Json.toTree(now), (ObjectNode) Json.toTree(old), errs);
        assertThat(errs.causes()).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("status.conditions", "Forbidden: updates may not add a condition of type \"Approved\""));

        // an approved request: a status write that changes the Approved condition keeps the stored one
        old.status.conditions.add(condition("Approved", "True"));
        old.status.conditions.get(0).lastUpdateTime = "2025-01-01T00:00:00Z";
        old.status.conditions.get(0).lastTransitionTime = "2025-01-01T00:00:00Z";
        now = Json.convert(Json.toTree(old), CertificateSigningRequest.class);
        now.status.conditions.get(0).reason = "Changed";
        String cert = Pki.pem(io.kube4j.apiserver.auth.PkiTestSupport.selfSigned());
        now.status.setCertificatePem(cert);
        ObjectNode next = (ObjectNode) Json.toTree(now);
        errs = new FieldErrors();
        strategy.prepareStatusUpdate(next, (ObjectNode) Json.toTree(old), errs);
        assertThat(errs.causes()).isEmpty();
        assertThat(next.at("/status/conditions/0/reason").asString()).isEqualTo("Reason");
        assertThat(next.at("/status/certificate").asString()).isEqualTo(now.status.certificate);

        // once issued, the certificate stays
        CertificateSigningRequest issued = Json.convert(next, CertificateSigningRequest.class);
        CertificateSigningRequest reissued = Json.convert(next, CertificateSigningRequest.class);
        reissued.status.setCertificatePem(Pki.pem(io.kube4j.apiserver.auth.PkiTestSupport.selfSigned()));
        errs = new FieldErrors();
        strategy.prepareStatusUpdate((ObjectNode) Json.toTree(reissued), (ObjectNode) Json.toTree(issued), errs);
        assertThat(errs.causes()).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("status.certificate", "Forbidden: updates may not modify existing certificate content"));
    }

    @Test
    void mainUpdateMayNotSetTheCertificate() throws Exception {
        CertificateSigningRequest old = valid();
        CertificateSigningRequest now = Json.convert(Json.toTree(old), CertificateSigningRequest.class);
        now.status.setCertificatePem(Pki.pem(io.kube4j.apiserver.auth.PkiTestSupport.selfSigned()));
        FieldErrors errs = new FieldErrors();
        strategy.validateUpdate(now, old, errs);
        assertThat(errs.causes()).extracting(c -> c.field, c -> c.message)
                .containsExactly(tuple("status.certificate", "Forbidden: updates may not set certificate content"));
    }

    @Test
    void lastTransitionTimeIsKeptFromTheStoredConditionOfTheSameTypeAndStatus() throws Exception {
        CertificateSigningRequest old = valid();
        CertificateSigningRequestCondition stored = condition("Approved", "True");
        stored.lastTransitionTime = "2025-05-05T05:05:05Z";
        old.status.conditions.add(stored);
        CertificateSigningRequest now = Json.convert(Json.toTree(old), CertificateSigningRequest.class);
        now.status.conditions.get(0).lastTransitionTime = null;
        now.status.conditions.get(0).lastUpdateTime = null;
        strategy.populateConditionTimestamps(now, old);
        assertThat(now.status.conditions.get(0).lastTransitionTime).isEqualTo("2025-05-05T05:05:05Z");
        assertThat(now.status.conditions.get(0).lastUpdateTime).isEqualTo("2026-01-02T03:04:05Z");
    }
}
