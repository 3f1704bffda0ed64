package io.kube4j.kubeproxy.dns;

import io.kube4j.api.Endpoints;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Cluster DNS over real UDP and TCP on 127.0.0.1, queried with dnsjava's own resolver. */
class ClusterDnsTest {
    final Map<String, Service> services = new ConcurrentHashMap<>();
    final Map<String, Endpoints> endpoints = new ConcurrentHashMap<>();
    DnsServer server;
    SimpleResolver resolver;

    @BeforeEach
    void start() throws Exception {
        ClusterDns zone = new ClusterDns("cluster.local", 5, (ns, n) -> services.get(ObjectMeta.key(ns, n)), (ns, n) -> endpoints.get(ObjectMeta.key(ns, n)));
        server = new DnsServer(zone, "127.0.0.1", 0);
        resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", server.port()));
        resolver.setTimeout(Duration.ofSeconds(2));
        put(service("web", "default", "10.96.0.10", null));
        put(service("db", "shop", "None", null));
        put(service("search", "default", null, "search.example.com"));
        Endpoints eps = new Endpoints();
        eps.metadata.name = "db";
        eps.metadata.namespace = "shop";
        Endpoints.EndpointSubset ss = new Endpoints.EndpointSubset();
        for (String ip : List.of("10.1.0.7", "10.1.0.5")) {
            Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
            a.ip = ip;
            // as the Endpoints controller sets it for a pod with hostname db-0 and subdomain db
            a.hostname = ip.equals("10.1.0.5") ? "db-0" : null;
            ss.addresses.add(a);
        }
        Endpoints.EndpointAddress notReady = new Endpoints.EndpointAddress();
        notReady.ip = "10.1.0.9";
        notReady.hostname = "db-2";
        ss.notReadyAddresses.add(notReady);
        eps.subsets.add(ss);
        endpoints.put(eps.key(), eps);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Service service(String name, String ns, String clusterIp, String externalName) {
        Service s = new Service();
        s.metadata.name = name;
        s.metadata.namespace = ns;
        s.spec.clusterIP = clusterIp;
        if (externalName != null) {
            s.spec.type = "ExternalName";
            s.spec.externalName = externalName;
        }
        return s;
    }

    void put(Service s) {
        services.put(s.key(), s);
    }

    Message query(String name, int type) throws Exception {
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static List<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord).map(r -> ((ARecord) r).getAddress().getHostAddress()).toList();
    }

    @Test
    void serviceNameResolvesToItsClusterIp() throws Exception {
        Message m = query("web.default.svc.cluster.local.", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(addresses(m)).containsExactly("10.96.0.10");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);
    }

    @Test
    void headlessServiceResolvesToItsReadyPodIps() throws Exception {
        assertThat(addresses(query("db.shop.svc.cluster.local.", Type.A))).containsExactly("10.1.0.5", "10.1.0.7");
    }

    @Test
    void podHostnameUnderAHeadlessServiceResolvesToThatPodsReadyAddressOnly() throws Exception {
        Message m = query("db-0.db.shop.svc.cluster.local.", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(addresses(m)).containsExactly("10.1.0.5");
        assertThat(addresses(query("DB-0.db.shop.svc.cluster.local.", Type.A))).containsExactly("10.1.0.5");
    }

    @Test
    void anAddressWithoutHostnameIsNamedByItsDashedIp() throws Exception {
        assertThat(addresses(query("10-1-0-7.db.shop.svc.cluster.local.", Type.A))).containsExactly("10.1.0.7");
    }

    @Test
    void notReadyPodsUnknownHostnamesAndNonHeadlessServicesHaveNoPodRecords() throws Exception {
        assertThat(query("db-2.db.shop.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query("db-1.db.shop.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query("web-0.web.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void aaaaForAnExistingPodNameIsAnEmptyNoerror() throws Exception {
        Message m = query("db-0.db.shop.svc.cluster.local.", Type.AAAA);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void lookupWithSearchDomainsFindsTheServiceByShortName() throws Exception {
        Lookup lookup = new Lookup("web", Type.A);
        lookup.setResolver(resolver);
        lookup.setSearchPath("default.svc.cluster.local", "svc.cluster.local", "cluster.local");
        lookup.setCache(null);
        Record[] records = lookup.run();
        assertThat(lookup.getResult()).isEqualTo(Lookup.SUCCESSFUL);
        assertThat(((ARecord) records[0]).getAddress().getHostAddress()).isEqualTo("10.96.0.10");
    }

    @Test
    void unknownNamesInTheZoneAreNxdomainAndOthersAreRefused() throws Exception {
        assertThat(query("nope.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query("web.default.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query("example.com.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void aaaaForAnExistingNameIsAnEmptyNoerror() throws Exception {
        Message m = query("web.default.svc.cluster.local.", Type.AAAA);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void externalNameServiceIsACname() throws Exception {
        Message m = query("search.default.svc.cluster.local.", Type.A);
        assertThat(m.getSection(Section.ANSWER)).singleElement().isInstanceOf(CNAMERecord.class);
        assertThat(((CNAMERecord) m.getSection(Section.ANSWER).get(0)).getTarget().toString()).isEqualTo("search.example.com.");
    }

    @Test
    void answersFollowTheCachesAndTcpWorksToo() throws Exception {
        put(service("web", "default", "10.96.0.99", null));
        resolver.setTCP(true);
        assertThat(addresses(query("web.default.svc.cluster.local.", Type.A))).containsExactly("10.96.0.99");
        services.remove("default/web");
        assertThat(query("web.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
}
