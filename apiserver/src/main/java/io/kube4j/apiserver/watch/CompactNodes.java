package io.kube4j.apiserver.watch;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

import java.io.Serial;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the JSON trees the watch cache holds for every stored object, in less heap than Jackson's
 * default nodes: an object's fields in one array instead of a {@link LinkedHashMap} (whose map, table and
 * one entry per field cost ~200 bytes for a two-field object; a pod has about a hundred objects, most of
 * them the empty {@code {}} of its managedFields' {@code fieldsV1}), and short string values shared
 * between trees ({@code "True"}, {@code "TCP"}, image names, node names, timestamps of one second).
 * With 10,000 pods the default trees took ~21 KiB per pod (ApiServerHeapBenchmark, GC.class_histogram:
 * LinkedHashMap, its entries and tables were two thirds of them).
 *
 * <p>The trees are ordinary {@link ObjectNode}s: every read, write and {@code deepCopy} works as on
 * Jackson's own (a copy is built by this factory too); field order is kept. Shared {@link StringNode}s
 * are immutable. Kubernetes holds decoded Go structs in its watch cache, which need no such care.
 */
final class CompactNodes extends JsonNodeFactory {
    @Serial
    private static final long serialVersionUID = 1L;
    static final CompactNodes INSTANCE = new CompactNodes();
    /** Longer strings (annotations, certificates, last-applied configurations) are rarely repeated. */
    static final int MAX_SHARED_LENGTH = 64;
    /** Distinct shared strings at most; the table starts over when full (trees keep what they have). */
    static final int MAX_SHARED = 1 << 16;
    private static final ObjectReader READER = Json.mapper().reader().with(INSTANCE);

    private final transient ConcurrentHashMap<String, StringNode> strings = new ConcurrentHashMap<>();

    private CompactNodes() {
    }

    /** Decodes a stored JSON object into a compact tree; a JSON value that is not an object throws ClassCastException. */
    static ObjectNode decode(byte[] json) {
        return (ObjectNode) READER.readTree(json);
    }

    @Override
    public ObjectNode objectNode() {
        return new ObjectNode(this, new SmallMap());
    }

    @Override
    public StringNode stringNode(String text) {
        if (text == null || text.length() > MAX_SHARED_LENGTH) {
            return super.stringNode(text);
        }
        StringNode n = strings.get(text);
        if (n == null) {
            if (strings.size() >= MAX_SHARED) {
                strings.clear();
            }
            n = strings.computeIfAbsent(text, StringNode::new);
        }
        return n;
    }

    /**
     * An insertion-ordered map of up to {@link #MAX_SMALL} fields kept as alternating keys and values in
     * one array (looked up by a linear scan; field names are interned by the parser, so most comparisons
     * are identity), and as a {@link LinkedHashMap} beyond that.
     */
    static final class SmallMap extends AbstractMap<String, JsonNode> {
        static final int MAX_SMALL = 16;
        private static final Object[] EMPTY = {};
        private Object[] kv = EMPTY;
        private int size;
        private Map<String, JsonNode> big;

        private int index(Object key) {
            Object[] a = kv;
            for (int i = 0; i < size; i++) {
                Object k = a[2 * i];
                if (k == key || k.equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public int size() {
            return big != null ? big.size() : size;
        }

        @Override
        public boolean containsKey(Object key) {
            return big != null ? big.containsKey(key) : index(key) >= 0;
        }

        @Override
        public JsonNode get(Object key) {
            if (big != null) {
                return big.get(key);
            }
            int i = index(key);
            return i < 0 ? null : (JsonNode) kv[2 * i + 1];
        }

        @Override
        public JsonNode put(String key, JsonNode value) {
            if (big != null) {
                return big.put(key, value);
            }
            int i = index(key);
            if (i >= 0) {
                JsonNode old = (JsonNode) kv[2 * i + 1];
                kv[2 * i + 1] = value;
                return old;
            }
            if (size == MAX_SMALL) {
                Map<String, JsonNode> m = new LinkedHashMap<>();
                for (int j = 0; j < size; j++) {
                    m.put((String) kv[2 * j], (JsonNode) kv[2 * j + 1]);
                }
                kv = EMPTY;
                size = 0;
                big = m;
                return m.put(key, value);
            }
            if (2 * size == kv.length) {
                kv = Arrays.copyOf(kv, Math.max(2, kv.length * 2));
            }
            kv[2 * size] = key;
            kv[2 * size + 1] = value;
            size++;
            return null;
        }

        @Override
        public JsonNode remove(Object key) {
            if (big != null) {
                return big.remove(key);
            }
            int i = index(key);
            if (i < 0) {
                return null;
            }
            JsonNode old = (JsonNode) kv[2 * i + 1];
            removeAt(i);
            return old;
        }

        private void removeAt(int i) {
            System.arraycopy(kv, 2 * i + 2, kv, 2 * i, 2 * (size - i - 1));
            size--;
            kv[2 * size] = null;
            kv[2 * size + 1] = null;
        }

        @Override
        public void clear() {
            big = null;
            kv = EMPTY;
            size = 0;
        }

        @Override
        public Set<Entry<String, JsonNode>> entrySet() {
            if (big != null) {
                return big.entrySet();
            }
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return SmallMap.this.size();
                }

                @Override
                public Iterator<Entry<String, JsonNode>> iterator() {
                    return new Iterator<>() {
                        private int next;
                        private int last = -1;

                        @Override
                        public boolean hasNext() {
                            return big == null && next < size;
                        }

                        @Override
                        public Entry<String, JsonNode> next() {
                            if (!hasNext()) {
                                throw new NoSuchElementException();
                            }
                            last = next++;
                            return new Field(last);
                        }

                        @Override
                        public void remove() {
                            if (last < 0 || big != null) {
                                throw new IllegalStateException();
                            }
                            removeAt(last);
                            next = last;
                            last = -1;
                        }
                    };
                }
            };
        }

        /** A view of the field at index {@code i} (valid until the map changes shape). */
        private final class Field implements Entry<String, JsonNode> {
            private final int i;

            Field(int i) {
                this.i = i;
            }

            @Override
            public String getKey() {
                return (String) kv[2 * i];
            }

            @Override
            public JsonNode getValue() {
                return (JsonNode) kv[2 * i + 1];
            }

            @Override
            public JsonNode setValue(JsonNode value) {
                JsonNode old = getValue();
                kv[2 * i + 1] = value;
                return old;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Entry<?, ?> e && getKey().equals(e.getKey()) && java.util.Objects.equals(getValue(), e.getValue());
            }

            @Override
            public int hashCode() {
                return getKey().hashCode() ^ java.util.Objects.hashCode(getValue());
            }

            @Override
            public String toString() {
                return getKey() + "=" + getValue();
            }
        }
    }
}
