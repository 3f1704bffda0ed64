package io.kube4j.kubelet.certificate;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.security.KeyPair;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class NodeCertificateRequestTest {
    final NodeCertificateRequest request = new NodeCertificateRequest("worker-7");
    final KeyPair key = NodeCertificateRequest.generateKey();

    static PKCS10CertificationRequest parse(String pem) throws Exception {
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            return (PKCS10CertificationRequest) p.readObject();
        }
    }

    @Test
    void requestsANodeClientCertificateWithAnEcP256KeyAndNothingElse() throws Exception {
        PKCS10CertificationRequest csr = parse(request.csrPem(key));
        assertThat(Arrays.stream(csr.getSubject().getRDNs(BCStyle.CN)).map(r -> IETFUtils.valueToString(r.getFirst().getValue())))
                .containsExactly("system:node:worker-7");
        assertThat(Arrays.stream(csr.getSubject().getRDNs(BCStyle.O)).map(r -> IETFUtils.valueToString(r.getFirst().getValue())))
                .containsExactly("system:nodes");
        assertThat(csr.getSubject().getRDNs()).hasSize(2);
        assertThat(csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm()).isEqualTo(X9ObjectIdentifiers.id_ecPublicKey);
        assertThat(csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters()).isEqualTo(SECObjectIdentifiers.secp256r1);
        // no SANs or other extension requests: the approver refuses a node client request with DNS/IP/email/URI SANs
        assertThat(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)).isEmpty();
        assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(key.getPublic().getEncoded());
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.getPublic()))).isTrue();
    }

    @Test
    void asksTheKubeletClientSignerForDigitalSignatureAndClientAuth() {
        assertThat(NodeCertificateRequest.SIGNER_NAME).isEqualTo("kubernetes.io/kube-apiserver-client-kubelet");
        assertThat(NodeCertificateRequest.USAGES).containsExactly("digital signature", "client auth");
    }

    @Test
    void theNameIsADigestOfKeySubjectAndUsagesSoARestartFindsItsRequestAgain() {
        String name = request.name(key.getPublic());
        // node-csr- and base64url (no padding) of a 32-byte SHA-512/256 digest
        assertThat(name).matches("node-csr-[A-Za-z0-9_-]{43}");
        assertThat(request.name(key.getPublic())).isEqualTo(name);
        assertThat(new NodeCertificateRequest("worker-8").name(key.getPublic())).isNotEqualTo(name);
        assertThat(request.name(NodeCertificateRequest.generateKey().getPublic())).isNotEqualTo(name);
    }

    @Test
    void theKeyIsWrittenAsSec1EcPrivateKeyAsKeyutilDoes() {
        assertThat(NodeCertificateRequest.pem(key.getPrivate())).startsWith("-----BEGIN EC PRIVATE KEY-----");
    }
}
