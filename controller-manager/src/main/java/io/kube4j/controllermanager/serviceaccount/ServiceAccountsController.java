package io.kube4j.controllermanager.serviceaccount;

import io.kube4j.api.Namespace;
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

import java.util.List;

/**
 * Makes sure every active namespace has the {@code default} ServiceAccount, recreating it if deleted.
 * Kubernetes: {@code pkg/controller/serviceaccount/serviceaccounts_controller.go}.
 */
public final class ServiceAccountsController implements Controller {
    /** The ServiceAccount every namespace gets. */
    public static final String DEFAULT = "default";

    // reads: namespaces and service accounts
    private final Informer<Namespace> namespaces;
    private final Informer<ServiceAccount> serviceAccounts;
    // writes: creates
    private final ControllerClient client;
    // namespace names
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public ServiceAccountsController(SharedInformers informers, ControllerClient client) {
        this.client = client;
        this.namespaces = informers.informer(Namespace.class);
        this.serviceAccounts = informers.informer(ServiceAccount.class);
        namespaces.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                namespaceChanged(ns);
            }

            @Override
            public void onUpdate(Namespace old, Namespace ns) {
                namespaceChanged(ns);
            }
        });
        serviceAccounts.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(ServiceAccount sa) {
                serviceAccountDeleted(sa);
            }
        });
    }

    /** namespaceAdded/namespaceUpdated: every namespace change is a chance to (re)create its account. */
    void namespaceChanged(Namespace ns) {
        queue.add(ns.metadata.name);
    }

    /** serviceAccountDeleted: a deleted {@code default} account is re-created by syncing its namespace. */
    void serviceAccountDeleted(ServiceAccount sa) {
        if (DEFAULT.equals(sa.metadata.name)) {
            queue.add(sa.metadata.namespace);
        }
    }

    @Override
    public String name() {
        return "serviceaccount";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(namespaces, serviceAccounts);
    }

    @Override
    public Result reconcile(String namespace) {
        Namespace ns = namespaces.store().get(namespace);
        // a namespace being deleted refuses new content anyway
        if (ns == null || ns.metadata.deletionTimestamp != null || "Terminating".equals(ns.status.phase)) {
            return Result.done();
        }
        if (serviceAccounts.store().get(namespace + "/" + DEFAULT) != null) {
            return Result.done();
        }
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = namespace;
        sa.metadata.name = DEFAULT;
        try {
            client.create(sa);
        } catch (ApiException e) {
            // AlreadyExists: the cache was behind; Forbidden: the namespace started terminating
            if (e.code() != 409 && e.code() != 403) {
                throw e;
            }
        }
        return Result.done();
    }
}
