package io.kube4j.apiserver.allocation;

/**
 * An IPv4 service range in CIDR form ({@code 10.96.0.0/12}). Offsets number the usable addresses:
 * the network and broadcast addresses are never handed out, as in Kubernetes.
 */
public record ServiceIpRange(String cidr, long base, int prefixLength) {

    /** Parses {@code a.b.c.d/n}; the prefix must leave at least two usable addresses. */
    public static ServiceIpRange parse(String cidr) {
        String[] parts = cidr.trim().split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        long ip = toLong(parts[0]);
        int prefix;
        try {
            prefix = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        if (ip < 0 || prefix < 1 || prefix > 30) {
            throw new IllegalArgumentException("not a usable IPv4 service range (prefix 1-30): " + cidr);
        }
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return new ServiceIpRange(cidr.trim(), ip & mask, prefix);
    }

    /** How many addresses can be allocated. */
    public long size() {
        return (1L << (32 - prefixLength)) - 2;
    }

    /** The address at {@code offset} (0 is the first usable address). */
    public String ipAt(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException("offset " + offset + " outside " + cidr);
        }
        return toString(base + 1 + offset);
    }

    /** Whether {@code ip} is a usable address of this range (false for anything that is not IPv4). */
    public boolean contains(String ip) {
        long v = toLong(ip);
        return v > base && v < base + (1L << (32 - prefixLength)) - 1;
    }

    /** A dotted-quad IPv4 address as a number; -1 when it is not one. */
    static long toLong(String ip) {
        if (ip == null) {
            return -1;
        }
        String[] octets = ip.split("\\.", -1);
        if (octets.length != 4) {
            return -1;
        }
        long v = 0;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int n = Integer.parseInt(o);
            if (n > 255) {
                return -1;
            }
            v = (v << 8) | n;
        }
        return v;
    }

    static String toString(long v) {
        return ((v >> 24) & 0xFF) + "." + ((v >> 16) & 0xFF) + "." + ((v >> 8) & 0xFF) + "." + (v & 0xFF);
    }

    @Override
    public String toString() {
        return cidr;
    }
}
