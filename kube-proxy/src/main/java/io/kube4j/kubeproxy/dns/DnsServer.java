package io.kube4j.kubeproxy.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Serves {@link ClusterDns} over UDP and TCP on one port. Each query is answered on a virtual thread;
 * a malformed packet gets FORMERR (or is dropped when not even its header parses), never an exception
 * that stops the listener. UDP answers larger than 512 bytes (or the client's EDNS size) are truncated
 * with TC set, so the client retries over TCP.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    private static final int UDP_MAX = 512;

    private final ClusterDns zone;
    private final DatagramSocket udp;
    private final ServerSocket tcp;

    /** Binds both sockets now ({@code port} 0: any free port, the same for both where possible). */
    public DnsServer(ClusterDns zone, String bindAddress, int port) throws IOException {
        this.zone = zone;
        InetAddress addr = InetAddress.getByName(bindAddress);
        this.tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(addr, port));
        try {
            this.udp = new DatagramSocket(new InetSocketAddress(addr, tcp.getLocalPort()));
        } catch (IOException e) {
            tcp.close();
            throw e;
        }
        Thread.ofVirtual().name("dns-udp").start(this::udpLoop);
        Thread.ofVirtual().name("dns-tcp").start(this::tcpLoop);
    }

    public int port() {
        return tcp.getLocalPort();
    }

    private void udpLoop() {
        while (!udp.isClosed()) {
            byte[] buf = new byte[4096];
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (!udp.isClosed()) {
                    log.warn("dns: udp receive failed: {}", e.toString());
                }
                continue;
            }
            Thread.ofVirtual().name("dns-query").start(() -> {
                byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                Message request = parse(query);
                if (request == null) {
                    return;
                }
                Message response = respond(request, query);
                int max = request.getOPT() != null ? Math.max(UDP_MAX, request.getOPT().getPayloadSize()) : UDP_MAX;
                byte[] out = response.toWire(max);
                try {
                    udp.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
                } catch (IOException e) {
                    log.debug("dns: udp send failed: {}", e.toString());
                }
            });
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().name("dns-tcp-conn").start(() -> serveTcp(s));
            } catch (IOException e) {
                if (!tcp.isClosed()) {
                    log.warn("dns: tcp accept failed: {}", e.toString());
                }
            }
        }
    }

    /** RFC 1035 4.2.2: each message is preceded by its two-byte length; a connection may carry several. */
    private void serveTcp(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                byte[] query = in.readNBytes(len);
                Message request = parse(query);
                if (request == null) {
                    return;
                }
                byte[] answer = respond(request, query).toWire();
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException e) {
            log.debug("dns: tcp connection ended: {}", e.toString());
        }
    }

    /** The parsed query, or null when not even its header parses (nothing to answer to). */
    private static Message parse(byte[] query) {
        try {
            return new Message(query);
        } catch (IOException e) {
            return null;
        }
    }

    private Message respond(Message request, byte[] raw) {
        try {
            return zone.answer(request);
        } catch (RuntimeException e) {
            log.warn("dns: cannot answer a query: {}", e.toString());
            Message m = new Message(request.getHeader().getID());
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setRcode(raw.length < 12 ? Rcode.FORMERR : Rcode.SERVFAIL);
            return m;
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            log.debug("dns: closing tcp listener: {}", e.toString());
        }
    }
}
