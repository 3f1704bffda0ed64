package io.kube4j.apiserver.admission;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.json.Json;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CertificateApproval, CertificateSigning and CertificateSubjectRestriction (plugin/pkg/admission/certificates):
 * the signer permission checks (exact name, then {@code <domain>/*}) and Kubernetes' messages.
 */
class CertificateSigningRequestAdmissionTest {
    static final UserInfo ALICE = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
    final List<String> asked = new ArrayList<>();
    /** verb + " " + signer name allowed. */
    Set<String> allowed = Set.of();
    final Authorizer authz = a -> {
        asked.add(a.verb() + " " + a.resource() + " " + a.name());
        return allowed.contains(a.verb() + " " + a.name()) && a.apiGroup().equals("certificates.k8s.io") && a.resource().equals("signers")
                ? Authorizer.Decision.allow("") : Authorizer.Decision.noOpinion("");
    };
    final CertificateSigningRequestAdmission plugin = new CertificateSigningRequestAdmission(() -> authz, () -> ALICE);

    static ObjectNode csr(String signer) {
        CertificateSigningRequest c = new CertificateSigningRequest();
        c.metadata.name = "csr";
        c.spec.signerName = signer;
        return (ObjectNode) Json.toTree(c);
    }

    static Admission.Attributes update(String subresource, ObjectNode now, ObjectNode old) {
        return new Admission.Attributes(Admission.Operation.UPDATE, ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, "csr", now, old, subresource);
    }

    @Test
    void approvalNeedsApproveOnTheSignerOrItsDomain() {
        ObjectNode old = csr("example.com/something");
        ObjectNode now = old.deepCopy();
        // the new object's signer does not count: the stored one does
        ((ObjectNode) now.path("spec")).put("signerName", "example.com/other");
        assertThatThrownBy(() -> plugin.validateSubresourceOrDelete(update("approval", now, old)))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).isEqualTo("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: "
                            + "user not permitted to approve requests with signerName \"example.com/something\"");
                });
        assertThat(asked).containsExactly("approve signers example.com/something", "approve signers example.com/*");

        allowed = Set.of("approve example.com/*");
        assertThatCode(() -> plugin.validateSubresourceOrDelete(update("approval", now, old))).doesNotThrowAnyException();
        allowed = Set.of("approve example.com/something");
        assertThatCode(() -> plugin.validateSubresourceOrDelete(update("approval", now, old))).doesNotThrowAnyException();
    }

    @Test
    void signingIsCheckedOnlyWhenTheCertificateOrConditionsChange() {
        ObjectNode old = csr("kubernetes.io/kube-apiserver-client-kubelet");
        assertThatCode(() -> plugin.validateSubresourceOrDelete(update("status", old.deepCopy(), old))).doesNotThrowAnyException();
        assertThat(asked).isEmpty();
        ObjectNode issued = old.deepCopy();
        ((ObjectNode) issued.path("status")).put("certificate", "Zm9v");
        assertThatThrownBy(() -> plugin.validateSubresourceOrDelete(update("status", issued, old)))
                .hasMessage("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: "
                        + "user not permitted to sign requests with signerName \"kubernetes.io/kube-apiserver-client-kubelet\"");
        allowed = Set.of("sign kubernetes.io/kube-apiserver-client-kubelet");
        assertThatCode(() -> plugin.validateSubresourceOrDelete(update("status", issued, old))).doesNotThrowAnyException();
    }

    @Test
    void withoutAUserNothingIsChecked() {
        CertificateSigningRequestAdmission internal = new CertificateSigningRequestAdmission(() -> authz, () -> null);
        assertThatCode(() -> internal.validateSubresourceOrDelete(update("approval", csr("a.b/c"), csr("a.b/c")))).doesNotThrowAnyException();
        assertThat(asked).isEmpty();
    }

    @Test
    void kubeApiserverClientRequestsMayNotAskForSystemMasters() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        String pem = Pki.pem(new JcaPKCS10CertificationRequestBuilder(new X500Name("O=system:masters,CN=evil"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        CertificateSigningRequest c = new CertificateSigningRequest();
        c.metadata.name = "csr";
        c.spec.signerName = "kubernetes.io/kube-apiserver-client";
        c.spec.setRequestPem(pem);
        ObjectNode obj = (ObjectNode) Json.toTree(c);
        assertThatThrownBy(() -> plugin.validate(new Admission.Attributes(Admission.Operation.CREATE, ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, "csr", obj, null)))
                .hasMessage("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: "
                        + "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
        // another signer may
        ((ObjectNode) obj.path("spec")).put("signerName", "kubernetes.io/kube-apiserver-client-kubelet");
        assertThatCode(() -> plugin.validate(new Admission.Attributes(Admission.Operation.CREATE, ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, "csr", obj, null)))
                .doesNotThrowAnyException();
    }
}
