package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.SubjectAccess;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.controllermanager.certificates.CsrFixtures.*;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class CsrApprovingControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final CsrApprovingController controller = new CsrApprovingController(informers, client);

    void load(CertificateSigningRequest... csrs) {
        preload(informers.informer(CertificateSigningRequest.class), csrs);
    }

    @Test
    void approvesABootstrapNodeClientRequestWhenTheTokenMayCreateNodeclient() {
        CertificateSigningRequest csr = bootstrapCsr("node-csr-a");
        load(csr);
        client.allowWhen(a -> a.subresource().equals("nodeclient"));

        assertThat(controller.reconcile("node-csr-a")).isEqualTo(Result.done());

        assertThat(client.summaries()).containsExactly("create SubjectAccessReview system:bootstrap:abcdef", "update/approval CertificateSigningRequest node-csr-a");
        // the requestor's identity from spec, asking create on certificatesigningrequests/nodeclient
        assertThat(client.accessReviews()).containsExactly(new SubjectAccess("system:bootstrap:abcdef", "",
                List.of("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"), java.util.Map.of(),
                "create", "certificates.k8s.io", "certificatesigningrequests", "nodeclient"));
        CertificateSigningRequest sent = (CertificateSigningRequest) client.actions().get(1).object();
        CertificateSigningRequestCondition c = sent.status.conditions.getFirst();
        assertThat(List.of(c.type, c.status, c.reason, c.message))
                .containsExactly("Approved", "True", "AutoApproved", "Auto approving kubelet client certificate after SubjectAccessReview.");
        // the cache is untouched
        assertThat(informers.informer(CertificateSigningRequest.class).store().get("node-csr-a").status.conditions).isEmpty();
    }

    @Test
    void aNodeRenewingItsOwnCertificateIsApprovedAsSelfnodeclient() {
        CertificateSigningRequest csr = csr("renew", KUBELET_CLIENT, requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes")),
                "system:node:worker-1", List.of("system:nodes", "system:authenticated"), "digital signature", "key encipherment", "client auth");
        load(csr);
        client.allowWhen(a -> a.subresource().equals("selfnodeclient"));

        controller.reconcile("renew");

        assertThat(client.accessReviews()).extracting(SubjectAccess::subresource).containsExactly("selfnodeclient");
        CertificateSigningRequest sent = (CertificateSigningRequest) client.actions().get(1).object();
        assertThat(sent.status.conditions.getFirst().message).isEqualTo("Auto approving self kubelet client certificate after SubjectAccessReview.");
    }

    @Test
    void aRefusedSubjectAccessReviewApprovesNothingAndRetries() {
        load(bootstrapCsr("node-csr-b"));

        Result result = controller.reconcile("node-csr-b");

        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(result.reason()).isEqualTo("recognized csr \"node-csr-b\" as [nodeclient] but subject access review was not approved");
        assertThat(client.summaries()).containsExactly("create SubjectAccessReview system:bootstrap:abcdef");
    }

    @Test
    void requestsThatAreNotNodeClientCertificatesAreLeftAloneWithoutAReview() {
        var key = ecKey();
        load(csr("other-signer", "kubernetes.io/kube-apiserver-client", requestPem(key, "system:node:worker-1", List.of("system:nodes")),
                        "system:bootstrap:abcdef", List.of(), "digital signature", "client auth"),
                csr("wrong-org", KUBELET_CLIENT, requestPem(key, "system:node:worker-1", List.of("system:masters")),
                        "system:bootstrap:abcdef", List.of(), "digital signature", "client auth"),
                csr("with-san", KUBELET_CLIENT, requestPem(key, "system:node:worker-1", List.of("system:nodes"), "evil.example"),
                        "system:bootstrap:abcdef", List.of(), "digital signature", "client auth"),
                csr("not-a-node", KUBELET_CLIENT, requestPem(key, "admin", List.of("system:nodes")),
                        "system:bootstrap:abcdef", List.of(), "digital signature", "client auth"),
                csr("server-usage", KUBELET_CLIENT, requestPem(key, "system:node:worker-1", List.of("system:nodes")),
                        "system:bootstrap:abcdef", List.of(), "digital signature", "server auth"));
        client.allowWhen(a -> true);

        for (String name : List.of("other-signer", "wrong-org", "with-san", "not-a-node", "server-usage")) {
            assertThat(controller.reconcile(name)).isEqualTo(Result.done());
        }
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void approvedDeniedOrIssuedRequestsAreNotLookedAtAgain() {
        CertificateSigningRequest denied = bootstrapCsr("denied");
        denied.status.conditions.add(new CertificateSigningRequestCondition("Denied", "True", "Nope", "no", null));
        CertificateSigningRequest issued = bootstrapCsr("issued");
        issued.status.setCertificatePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        load(approved(bootstrapCsr("approved")), denied, issued);
        client.allowWhen(a -> true);

        controller.reconcile("approved");
        controller.reconcile("denied");
        controller.reconcile("issued");
        controller.reconcile("gone");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void nodeClientValidationMessagesAreKubernetes() {
        var key = ecKey();
        var req = CertificateRequests.parse(csr("x", KUBELET_CLIENT, requestPem(key, "system:node:a", List.of("system:nodes")), "u", List.of()));
        assertThat(CertificateRequests.validateKubeletClient(req, java.util.Set.of("digital signature", "server auth")))
                .isEqualTo("usages did not match [client auth digital signature key encipherment]");
        var org = CertificateRequests.parse(csr("x", KUBELET_CLIENT, requestPem(key, "system:node:a", List.of("system:nodes", "x")), "u", List.of()));
        assertThat(CertificateRequests.validateKubeletClient(org, java.util.Set.of("digital signature", "client auth")))
                .isEqualTo("subject organization is not system:nodes");
        var san = CertificateRequests.parse(csr("x", KUBELET_CLIENT, requestPem(key, "system:node:a", List.of("system:nodes"), "a.example"), "u", List.of()));
        assertThat(CertificateRequests.validateKubeletClient(san, java.util.Set.of("digital signature", "client auth")))
                .isEqualTo("DNS subjectAltNames are not allowed");
        var cn = CertificateRequests.parse(csr("x", KUBELET_CLIENT, requestPem(key, "root", List.of("system:nodes")), "u", List.of()));
        assertThat(CertificateRequests.validateKubeletClient(cn, java.util.Set.of("digital signature", "client auth")))
                .isEqualTo("subject common name does not begin with system:node:");
    }
}
