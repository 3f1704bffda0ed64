package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;

import java.util.List;

/**
 * What the certificate controllers share, as Kubernetes' {@code CertificateController}
 * ({@code pkg/controller/certificates/certificate_controller.go}) that the approver and the signer each wrap with their
 * own handler: one CertificateSigningRequest informer, a queue of CSR names (cluster-scoped) filled on every add and
 * update, and a sync that skips requests already gone or already issued ({@code status.certificate} set) before handing
 * the cached request to {@link #handle}.
 */
abstract class CertificateController implements Controller {
    // reads: the certificate signing requests
    protected final Informer<CertificateSigningRequest> csrs;
    // writes: the subclass's (approvals, status)
    protected final ControllerClient client;
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    private final String name;

    CertificateController(String name, SharedInformers informers, ControllerClient client) {
        this.name = name;
        this.client = client;
        this.csrs = informers.informer(CertificateSigningRequest.class);
        csrs.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                queue.add(csr.metadata.name);
            }

            @Override
            public void onUpdate(CertificateSigningRequest old, CertificateSigningRequest csr) {
                queue.add(csr.metadata.name);
            }
        });
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final WorkQueue queue() {
        return queue;
    }

    @Override
    public final List<Informer<?>> informers() {
        return List.of(csrs);
    }

    /** CertificateController.syncFunc: nothing to do for a request that is gone or already has its certificate. */
    @Override
    public final Result reconcile(String name) {
        CertificateSigningRequest cached = csrs.store().get(name);
        if (cached == null || (cached.status.certificate != null && !cached.status.certificate.isEmpty())) {
            return Result.done();
        }
        return handle(cached);
    }

    /**
     * The controller's handler for a request without a certificate.
     *
     * @param cached the informer's object: never mutated (copy before writing)
     * @return done, or retry with the reason (backoff per name)
     */
    protected abstract Result handle(CertificateSigningRequest cached);
}
