package io.kube4j.apiserver.allocation;

/** An inclusive range of node ports, written {@code 30000-32767}. */
public record NodePortRange(int first, int last) {

    public static NodePortRange parse(String range) {
        String[] parts = range.trim().split("-");
        try {
            if (parts.length == 2) {
                int first = Integer.parseInt(parts[0].trim());
                int last = Integer.parseInt(parts[1].trim());
                if (first >= 1 && last <= 65535 && first <= last) {
                    return new NodePortRange(first, last);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a port range like 30000-32767: " + range);
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
