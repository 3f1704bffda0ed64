package io.kube4j.kubelet.volume;

import java.util.Arrays;

/**
 * One file of a volume's payload (Kubernetes' {@code volumeutil.FileProjection}): its bytes and its
 * permission bits (e.g. {@code 0644}).
 */
public record FileProjection(byte[] data, int mode) {

    @Override
    public boolean equals(Object o) {
        return o instanceof FileProjection f && f.mode == mode && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + mode;
    }

    @Override
    public String toString() {
        return "FileProjection[" + data.length + " bytes, mode " + Integer.toOctalString(mode) + "]";
    }
}
