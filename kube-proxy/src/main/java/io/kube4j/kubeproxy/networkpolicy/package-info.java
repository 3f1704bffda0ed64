/**
 * NetworkPolicy (networking.k8s.io/v1) enforcement in each node's iptables filter table, run by kube-proxy
 * when {@code kube4j.kube-proxy.network-policy=true} (off by default; in Kubernetes the network plugin does
 * this: kube-router's {@code pkg/controllers/netpol} and Calico's iptables mode are the models).
 * {@link io.kube4j.kubeproxy.networkpolicy.NetworkPolicyRules} renders the rules from NetworkPolicies, Pods
 * and Namespaces; {@link io.kube4j.kubeproxy.networkpolicy.NetworkPolicyController} keeps them in the kernel
 * from informer caches. Pods are matched by IP address (not interface), so the rules work for veth-routed
 * pods and bridged (CNI bridge plugin) pods alike, provided bridged traffic passes iptables
 * ({@code net.bridge.bridge-nf-call-iptables=1}, as kube-proxy requires anyway).
 */
package io.kube4j.kubeproxy.networkpolicy;
