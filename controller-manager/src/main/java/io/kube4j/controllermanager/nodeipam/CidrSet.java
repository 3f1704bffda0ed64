package io.kube4j.controllermanager.nodeipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.BitSet;

/**
 * The blocks of one cluster CIDR handed out to nodes, as Kubernetes' {@code CidrSet}
 * ({@code pkg/controller/nodeipam/ipam/cidrset/cidr_set.go}): the cluster CIDR (e.g. {@code 10.244.0.0/16}) is cut
 * into {@code 2^(nodeMaskSize - clusterMaskSize)} blocks of {@code /nodeMaskSize} (256 blocks of /24 by default);
 * block {@code i} starts at the cluster address OR {@code i << (bits - nodeMaskSize)}.
 * <p>
 * {@link #allocateNext()} takes the first free block at or after the one following the last block handed out,
 * wrapping around (Kubernetes' {@code nextCandidate}), so a block just released is reused only once the blocks
 * after it are taken. {@link #occupy} and {@link #release} accept any CIDR overlapping the cluster CIDR and mark
 * every block it covers. IPv4 and IPv6; as Kubernetes, an IPv6 node mask may be at most 16 bits longer than the
 * cluster mask. Thread-safe.
 */
public final class CidrSet {
    // Kubernetes' clusterSubnetMaxDiff: the bitmap is uncompressed
    private static final int CLUSTER_SUBNET_MAX_DIFF = 16;

    private final BigInteger clusterIp;
    private final int clusterMaskSize;
    private final int nodeMaskSize;
    private final int bits;
    private final int maxCidrs;
    private final String clusterCidr;
    private final BitSet used = new BitSet();
    private int allocated;
    private int nextCandidate;

    /**
     * @param clusterCidr  e.g. {@code 10.244.0.0/16} (host bits are ignored)
     * @param nodeMaskSize prefix length of each node's block, e.g. 24; not shorter than the cluster's
     * @throws IllegalArgumentException for an unparsable CIDR, or a node mask shorter than the cluster mask or (IPv4)
     *                                  longer than 32 or (IPv6) more than 16 bits longer than the cluster mask
     *                                  (Kubernetes' {@code ErrCIDRSetSubNetTooBig})
     */
    public CidrSet(String clusterCidr, int nodeMaskSize) {
        Cidr c = Cidr.parse(clusterCidr);
        this.bits = c.bits();
        this.clusterMaskSize = c.prefix();
        this.clusterIp = c.network();
        this.nodeMaskSize = nodeMaskSize;
        if (nodeMaskSize < clusterMaskSize || nodeMaskSize > bits) {
            throw new IllegalArgumentException("node CIDR mask size " + nodeMaskSize + " does not fit cluster CIDR " + clusterCidr);
        }
        if (nodeMaskSize - clusterMaskSize > (bits == 32 ? 30 : CLUSTER_SUBNET_MAX_DIFF)) {
            throw new IllegalArgumentException("New CIDR set failed; the node CIDR size is too big");
        }
        this.maxCidrs = 1 << (nodeMaskSize - clusterMaskSize);
        this.clusterCidr = Cidr.format(clusterIp, clusterMaskSize, bits);
    }

    /** The cluster CIDR in canonical form, e.g. {@code 10.244.0.0/16}. */
    public String clusterCidr() {
        return clusterCidr;
    }

    /** How many node blocks the cluster CIDR holds. */
    public int maxCidrs() {
        return maxCidrs;
    }

    /** How many node blocks are taken. */
    public synchronized int allocated() {
        return allocated;
    }

    /**
     * Takes the next free block, e.g. {@code 10.244.0.0/24}, then {@code 10.244.1.0/24}...
     *
     * @throws ExhaustedException when every block is taken (Kubernetes' {@code ErrCIDRRangeNoCIDRsRemaining})
     */
    public synchronized String allocateNext() throws ExhaustedException {
        if (allocated == maxCidrs) {
            throw new ExhaustedException();
        }
        int candidate = nextCandidate;
        for (int i = 0; i < maxCidrs && used.get(candidate); i++) {
            candidate = (candidate + 1) % maxCidrs;
        }
        nextCandidate = (candidate + 1) % maxCidrs;
        used.set(candidate);
        allocated++;
        return Cidr.format(clusterIp.or(BigInteger.valueOf(candidate).shiftLeft(bits - nodeMaskSize)), nodeMaskSize, bits);
    }

    /**
     * Marks every block {@code cidr} covers as taken; taking a taken block again changes nothing.
     *
     * @throws IllegalArgumentException for an unparsable CIDR, another address family, or one outside the cluster
     *                                  CIDR ({@code cidr ... is out the range of cluster cidr ...}, Kubernetes' text)
     */
    public synchronized void occupy(String cidr) {
        int[] range = indices(cidr);
        for (int i = range[0]; i <= range[1]; i++) {
            if (!used.get(i)) {
                used.set(i);
                allocated++;
            }
        }
    }

    /**
     * Marks every block {@code cidr} covers as free again.
     *
     * @throws IllegalArgumentException as {@link #occupy}
     */
    public synchronized void release(String cidr) {
        int[] range = indices(cidr);
        for (int i = range[0]; i <= range[1]; i++) {
            if (used.get(i)) {
                used.clear(i);
                allocated--;
            }
        }
    }

    /** Whether {@code cidr} lies in (or covers) the cluster CIDR, i.e. whether {@link #occupy} would accept it. */
    public boolean contains(String cidr) {
        try {
            indices(cidr);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // Kubernetes' getBeginningAndEndIndices: the first and last block a CIDR covers
    private int[] indices(String text) {
        Cidr c = Cidr.parse(text);
        if (c.bits() != bits) {
            throw new IllegalArgumentException("cidr " + text + " is out the range of cluster cidr " + clusterCidr);
        }
        int common = Math.min(c.prefix(), clusterMaskSize);
        if (!c.network().shiftRight(bits - common).equals(clusterIp.shiftRight(bits - common))) {
            throw new IllegalArgumentException("cidr " + text + " is out the range of cluster cidr " + clusterCidr);
        }
        if (c.prefix() <= clusterMaskSize) {
            return new int[]{0, maxCidrs - 1};
        }
        BigInteger offset = c.network().subtract(clusterIp);
        int begin = offset.shiftRight(bits - nodeMaskSize).intValueExact();
        BigInteger last = offset.add(BigInteger.ONE.shiftLeft(bits - c.prefix())).subtract(BigInteger.ONE);
        int end = last.shiftRight(bits - nodeMaskSize).intValueExact();
        return new int[]{begin, end};
    }

    /** The cluster CIDR has no free block left. */
    public static final class ExhaustedException extends Exception {
        ExhaustedException() {
            super("CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range");
        }
    }

    /** A parsed CIDR: its network address (host bits cleared), prefix length and address width (32 or 128). */
    record Cidr(BigInteger network, int prefix, int bits) {
        static Cidr parse(String text) {
            int slash = text == null ? -1 : text.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("invalid CIDR address: " + text);
            }
            String ip = text.substring(0, slash);
            // InetAddress would resolve host names: accept only literals
            if (!ip.matches("[0-9.]+") && !ip.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("invalid CIDR address: " + text);
            }
            byte[] addr;
            int prefix;
            try {
                addr = InetAddress.getByName(ip).getAddress();
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("invalid CIDR address: " + text);
            }
            int bits = addr.length * 8;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("invalid CIDR address: " + text);
            }
            BigInteger value = new BigInteger(1, addr);
            BigInteger network = value.shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return new Cidr(network, prefix, bits);
        }

        static String format(BigInteger network, int prefix, int bits) {
            byte[] raw = network.toByteArray();
            byte[] addr = new byte[bits / 8];
            int n = Math.min(raw.length, addr.length);
            System.arraycopy(raw, raw.length - n, addr, addr.length - n, n);
            try {
                String host = InetAddress.getByAddress(addr).getHostAddress();
                if (bits == 128) {
                    host = compressIpv6(host);
                }
                return host + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        // Java prints 2001:db8:0:0:0:0:0:0; Go (and Kubernetes' podCIDR) prints 2001:db8::
        private static String compressIpv6(String full) {
            String[] groups = full.split(":");
            int bestStart = -1;
            int bestLen = 0;
            for (int i = 0; i < groups.length; ) {
                if (groups[i].equals("0")) {
                    int j = i;
                    while (j < groups.length && groups[j].equals("0")) {
                        j++;
                    }
                    if (j - i > bestLen && j - i > 1) {
                        bestStart = i;
                        bestLen = j - i;
                    }
                    i = j;
                } else {
                    i++;
                }
            }
            if (bestStart < 0) {
                return full;
            }
            String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
            String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
            return head + "::" + tail;
        }
    }
}
