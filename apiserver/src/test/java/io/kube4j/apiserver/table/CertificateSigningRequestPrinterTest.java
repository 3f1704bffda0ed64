package io.kube4j.apiserver.table;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** printCertificateSigningRequest and extractCSRStatus (pkg/printers/internalversion/printers.go, Kubernetes 1.32). */
class CertificateSigningRequestPrinterTest {
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

    @Test
    void columnsAreKubernetes() {
        assertThat(Printers.forResource("certificatesigningrequests").columns()).extracting(Printers.Column::name)
                .containsExactly("Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition");
    }

    @Test
    void pendingWithoutSignerOrDuration() {
        var o = Json.tree("{\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},\"spec\":{\"username\":\"u\"}}");
        assertThat(RowPrinters.certificateSigningRequest(o, NOW)).containsExactly("a", "60m", "<none>", "u", "<none>", "Pending");
    }

    @Test
    void approvedIssuedWithDuration() {
        var o = Json.tree("{\"metadata\":{\"name\":\"b\",\"creationTimestamp\":\"2026-01-01T00:59:00Z\"},\"spec\":{\"username\":\"system:bootstrap:abcdef\","
                + "\"signerName\":\"kubernetes.io/kube-apiserver-client-kubelet\",\"expirationSeconds\":3600},"
                + "\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"}],\"certificate\":\"Zm9v\"}}");
        assertThat(RowPrinters.certificateSigningRequest(o, NOW))
                .containsExactly("b", "60s", "kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:abcdef", "60m", "Approved,Issued");
    }

    @Test
    void deniedWinsOverApprovedAndFailedIsAppended() {
        var o = Json.tree("{\"metadata\":{\"name\":\"c\"},\"spec\":{},\"status\":{\"conditions\":[{\"type\":\"Approved\"},{\"type\":\"Denied\"},{\"type\":\"Failed\"}]}}");
        assertThat(RowPrinters.certificateSigningRequest(o, NOW).get(5)).isEqualTo("Denied,Failed");
    }
}
