package io.kube4j.kubeproxy.dns;

import io.kube4j.api.Endpoints;
import io.kube4j.api.Service;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The cluster zone: answers {@code <service>.<namespace>.svc.<domain>} from the informer caches with
 * the ClusterIP, the ready pod IPs of a headless Service, or a CNAME for an ExternalName Service; and
 * {@code <hostname>.<service>.<namespace>.svc.<domain>} with the ready address of that hostname behind
 * a headless Service (a StatefulSet pod's stable name).
 * Unknown names inside the domain are NXDOMAIN (so a resolver walks its search list on); names
 * outside it are REFUSED, since this server forwards nowhere. Message parsing and building is dnsjava's.
 */
public final class ClusterDns {
    private final Name zone;
    private final String suffix;
    private final long ttl;
    private final BiFunction<String, String, Service> services;
    private final BiFunction<String, String, Endpoints> endpoints;

    /** {@code services} and {@code endpoints} look objects up by (namespace, name); null when absent. */
    public ClusterDns(String domain, long ttl, BiFunction<String, String, Service> services, BiFunction<String, String, Endpoints> endpoints) {
        String d = domain.toLowerCase(Locale.ROOT).replaceAll("^\\.+|\\.+$", "");
        try {
            this.zone = Name.fromString(d + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS domain: " + domain, e);
        }
        this.suffix = ".svc." + d;
        this.ttl = ttl;
        this.services = services;
        this.endpoints = endpoints;
    }

    /** The response to a query; never throws for a well-formed message. */
    public Message answer(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY || question == null) {
            response.getHeader().setRcode(Rcode.NOTIMP);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        Name qname = question.getName();
        if (!qname.subdomain(zone)) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        response.getHeader().setFlag(Flags.AA);
        List<Record> answers = lookup(qname, question.getType());
        if (answers == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        // an existing name with no record of the asked type (e.g. AAAA) is NOERROR with no answers
        answers.forEach(r -> response.addRecord(r, Section.ANSWER));
        return response;
    }

    /** The answers for a name in the zone; null if the name does not exist. */
    private List<Record> lookup(Name qname, int type) {
        String name = qname.toString(true).toLowerCase(Locale.ROOT);
        if (!name.endsWith(suffix)) {
            return null;
        }
        String[] labels = name.substring(0, name.length() - suffix.length()).split("\\.");
        if (labels.length == 3) {
            return endpointLookup(qname, type, labels[0], labels[1], labels[2]);
        }
        if (labels.length != 2) {
            return null;
        }
        Service svc = services.apply(labels[1], labels[0]);
        if (svc == null || svc.spec == null) {
            return null;
        }
        List<Record> out = new ArrayList<>();
        if ("ExternalName".equals(svc.spec.type)) {
            if (svc.spec.externalName != null && (type == Type.CNAME || type == Type.A || type == Type.ANY)) {
                try {
                    out.add(new CNAMERecord(qname, DClass.IN, ttl, Name.fromString(svc.spec.externalName.replaceAll("\\.*$", "") + ".")));
                } catch (TextParseException e) {
                    // an unusable externalName answers nothing
                }
            }
            return out;
        }
        if (type != Type.A && type != Type.ANY) {
            return out;
        }
        for (String ip : addresses(svc)) {
            try {
                out.add(new ARecord(qname, DClass.IN, ttl, InetAddress.getByName(ip)));
            } catch (UnknownHostException e) {
                // not an IP literal: skip it rather than resolve it
            }
        }
        return out;
    }

    /**
     * {@code <hostname>.<service>.<ns>.svc.<zone>}: the ready addresses of a headless Service whose
     * hostname is the first label (DNS spec 2.4.1). An address's hostname is its {@code hostname} field
     * (set by the Endpoints controller for pods whose subdomain names the Service, e.g. StatefulSet
     * pods), or, without one, its IP with dashes (CoreDNS's system-assigned name); null (NXDOMAIN) when
     * no ready address has that name.
     */
    private List<Record> endpointLookup(Name qname, int type, String hostname, String service, String namespace) {
        Service svc = services.apply(namespace, service);
        if (svc == null || svc.spec == null || !"None".equals(svc.spec.clusterIP)) {
            return null;
        }
        Endpoints eps = endpoints.apply(namespace, service);
        if (eps == null) {
            return null;
        }
        TreeSet<String> ips = new TreeSet<>();
        for (Endpoints.EndpointSubset s : eps.subsets) {
            for (Endpoints.EndpointAddress a : s.addresses) {
                if (a.ip != null && a.ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") && hostname.equals(endpointHostname(a))) {
                    ips.add(a.ip);
                }
            }
        }
        if (ips.isEmpty()) {
            return null;
        }
        List<Record> out = new ArrayList<>();
        if (type != Type.A && type != Type.ANY) {
            return out;
        }
        for (String ip : ips) {
            try {
                out.add(new ARecord(qname, DClass.IN, ttl, InetAddress.getByName(ip)));
            } catch (UnknownHostException e) {
                // cannot happen for a dotted quad; skip rather than fail the answer
            }
        }
        return out;
    }

    /** The endpoint's DNS label: its hostname, or its IP with dashes for dots; lower case (names compare case-insensitively). */
    static String endpointHostname(Endpoints.EndpointAddress a) {
        String h = a.hostname != null && !a.hostname.isEmpty() ? a.hostname : a.ip.replace('.', '-');
        return h.toLowerCase(Locale.ROOT);
    }

    /** The ClusterIP, or for a headless Service the ready addresses of its Endpoints. */
    private List<String> addresses(Service svc) {
        String ip = svc.spec.clusterIP;
        if (ip != null && !ip.isEmpty() && !"None".equals(ip)) {
            return ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? List.of(ip) : List.of();
        }
        Endpoints eps = endpoints.apply(svc.metadata.namespace, svc.metadata.name);
        if (eps == null) {
            return List.of();
        }
        TreeSet<String> ips = new TreeSet<>();
        for (Endpoints.EndpointSubset s : eps.subsets) {
            for (Endpoints.EndpointAddress a : s.addresses) {
                if (a.ip != null && a.ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                    ips.add(a.ip);
                }
            }
        }
        return List.copyOf(ips);
    }
}
