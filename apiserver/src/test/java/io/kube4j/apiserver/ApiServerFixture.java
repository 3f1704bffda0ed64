package io.kube4j.apiserver;

import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A real etcd (container) and a real apiserver (child process) for one test class. */
final class ApiServerFixture implements AutoCloseable {
    final EtcdContainer etcd;
    ApiServerProcess apiserver;
    ApiClient client;
    final HttpClient http = HttpClient.newHttpClient();

    ApiServerFixture() {
        this(new EtcdContainer());
    }

    ApiServerFixture(EtcdContainer etcd) {
        this.etcd = etcd;
    }

    /** As {@link #start}, for an apiserver serving HTTPS (secure, the default). */
    ApiServerFixture startHttps(String... apiserverArgs) {
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), apiserverArgs).https().start();
        return this;
    }

    ApiServerFixture start(String... apiserverArgs) {
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), apiserverArgs).start();
        client = new ApiClient(apiserver.url());
        return this;
    }

    /** A raw request, for asserting on exact codes and bodies. */
    HttpResponse<String> send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiserver.url() + path));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (apiserver != null) {
            apiserver.close();
        }
        etcd.stop();
    }
}
