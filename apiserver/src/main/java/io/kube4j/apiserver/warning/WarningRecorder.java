package io.kube4j.apiserver.warning;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code Warning} response headers of one request, deduplicated and bounded as Kubernetes'
 * {@code k8s.io/apiserver/pkg/endpoints/filters/warning.go} bounds them: warnings are written as
 * {@code 299 - "<text>"} until their texts total 4096 runes; the warning that would pass that budget
 * switches to truncation, which rewrites every warning cut to 256 runes, and once the truncated texts
 * reach the budget later warnings are dropped. So a body with hundreds of unknown fields still gets a
 * 201 with a few KB of headers, never a header overflow.
 *
 * <p>One recorder per request, kept as a request attribute: {@code WarningRecorder.of(req, resp).add(text)}.
 */
public final class WarningRecorder {
    static final int TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
    static final int TRUNCATE_ITEM_RUNES = 256;
    private static final String ATTRIBUTE = WarningRecorder.class.getName();

    private final HttpServletResponse response;
    private final int totalRunes;
    private final int itemRunes;
    private final Set<String> recorded = new HashSet<>();
    private final List<String> ordered = new ArrayList<>();
    private final List<String> headers = new ArrayList<>();
    private int written;
    private boolean truncating;

    WarningRecorder(HttpServletResponse response, int totalRunes, int itemRunes) {
        this.response = response;
        this.totalRunes = totalRunes;
        this.itemRunes = itemRunes;
    }

    /** The recorder of {@code req}, created on first use; its headers go to {@code resp}. */
    public static WarningRecorder of(HttpServletRequest req, HttpServletResponse resp) {
        Object r = req.getAttribute(ATTRIBUTE);
        if (r instanceof WarningRecorder recorder) {
            return recorder;
        }
        WarningRecorder recorder = new WarningRecorder(resp, TRUNCATE_AT_TOTAL_RUNES, TRUNCATE_ITEM_RUNES);
        req.setAttribute(ATTRIBUTE, recorder);
        return recorder;
    }

    /** Adds a warning with agent {@code -}; empty and repeated texts are ignored. */
    public synchronized void add(String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        if (written >= totalRunes && truncating) {
            return;
        }
        if (!recorded.add(text)) {
            return;
        }
        ordered.add(text);
        String t = truncating ? cut(text) : text;
        int runes = runes(t);
        if (written + runes <= totalRunes || truncating) {
            written += runes;
            write(t);
            return;
        }
        // over budget for the first time: replay everything so far, each warning truncated
        truncating = true;
        written = 0;
        headers.clear();
        for (String w : ordered) {
            String c = cut(w);
            written += runes(c);
            headers.add(header(c));
        }
        flush();
    }

    /** The header values written so far, in order. */
    public synchronized List<String> headers() {
        return List.copyOf(headers);
    }

    private void write(String text) {
        headers.add(header(text));
        flush();
    }

    private void flush() {
        // setHeader then addHeader rewrites the whole set, which a replay after truncation needs
        response.setHeader("Warning", null);
        for (String h : headers) {
            response.addHeader("Warning", h);
        }
    }

    private String cut(String text) {
        return runes(text) > itemRunes ? text.substring(0, text.offsetByCodePoints(0, itemRunes)) : text;
    }

    private static int runes(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code 299 - "<text>"} with quotes and backslashes escaped, as net.NewWarningHeader writes it. */
    static String header(String text) {
        StringBuilder b = new StringBuilder("299 - \"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c < 0x20 && c != '\t' ? ' ' : c);
        }
        return b.append('"').toString();
    }
}
