/**
 * Several "machines" on one Linux box for multi-host tests, built from network namespaces ({@code ip netns}),
 * shared with other modules through common's test-jar (depend on {@code io.kube4j:common} with
 * {@code <type>test-jar</type>}, scope test). Needs root and iproute2; nothing is configured in the root
 * namespace, and everything is removed on close, also when a test fails.
 *
 * <pre>{@code
 * assumeTrue(Netns.available());
 * try (NetnsLan lan = NetnsLan.create("10.123.0")) {            // bridge br0 (10.123.0.1) in <prefix>-lan
 *     NetnsControlPlane cp = NetnsControlPlane.start(lan.host("cp", 254));   // etcd + apiserver jar, insecure HTTP
 *     NetnsHost a = lan.host("node-a", 2);                       // eth0 10.123.0.2/24, default via .1, forwarding on
 *     NetnsHost b = lan.host("node-b", 3);
 *     a.route("10.244.2.0/24", b.ip());                          // host-gw route to b's pod CIDR
 *     NetnsHost pod = b.addPod("web-1", "10.244.2.2");           // veth b:p1 <-> pod:eth0, /32 route on b
 *     pod.start("httpd", List.of("busybox", "httpd", "-f", "-p", "8080", "-h", dir));
 *     Process kubelet = a.startComponent("kubelet", "kubelet", 10250, "/healthz",
 *             List.of("--kube4j.apiserver.url=" + cp.url(), "--kube4j.kubelet.node-name=node-a"), Duration.ofMinutes(2));
 *     cp.api("POST", "/api/v1/namespaces/default/services", json).orThrow("create");   // curl inside cp
 *     a.exec("curl", "-s", "http://10.244.2.2:8080/");          // any command inside a namespace
 *     cp.close();
 * }
 * }</pre>
 *
 * The test JVM stays in the root namespace: it reaches nothing inside these namespaces directly, so clients
 * run inside them ({@link io.kube4j.testing.netns.NetnsHost#exec}, {@link io.kube4j.testing.netns.NetnsControlPlane#api},
 * {@link io.kube4j.testing.netns.NetnsControlPlane#kubectl} where kubectl is installed). The namespaces share the
 * root's mount namespace and filesystem: per-host daemons (containerd, kubelet root dirs) need their own
 * state directories and sockets.
 */
package io.kube4j.testing.netns;
