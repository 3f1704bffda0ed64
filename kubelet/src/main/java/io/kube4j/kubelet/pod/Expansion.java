package io.kube4j.kubelet.pod;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Kubernetes' {@code $(VAR)} expansion of env values, command and args
 * ({@code third_party/forked/golang/expansion/expand.go}): {@code $(NAME)} becomes the value of NAME when
 * the mapping knows it and stays as written when it does not; {@code $$} is an escaped {@code $};
 * a {@code $} followed by anything else, or an unclosed {@code $(}, is copied as is.
 */
public final class Expansion {
    private static final char OPERATOR = '$';
    private static final char OPENER = '(';
    private static final char CLOSER = ')';

    private Expansion() {
    }

    /**
     * Kubernetes' {@code MappingFuncFor}: looks a name up in each context in turn; an unknown name maps
     * back to its own {@code $(NAME)} syntax, so it survives expansion unchanged.
     */
    public static UnaryOperator<String> mappingFor(List<Map<String, String>> contexts) {
        return name -> {
            for (Map<String, String> vars : contexts) {
                String value = vars.get(name);
                if (value != null) {
                    return value;
                }
            }
            return "" + OPERATOR + OPENER + name + CLOSER;
        };
    }

    /** Expands every {@code $(NAME)} of {@code input} through {@code mapping}; null stays null. */
    public static String expand(String input, UnaryOperator<String> mapping) {
        if (input == null || input.indexOf(OPERATOR) < 0) {
            return input;
        }
        StringBuilder out = new StringBuilder(input.length());
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) != OPERATOR || cursor + 1 >= input.length()) {
                continue;
            }
            out.append(input, checkpoint, cursor);
            char next = input.charAt(cursor + 1);
            int advance = 1;
            if (next == OPERATOR) {
                out.append(OPERATOR); // $$: the escaped operator
            } else if (next == OPENER) {
                int close = input.indexOf(CLOSER, cursor + 2);
                if (close >= 0) {
                    out.append(mapping.apply(input.substring(cursor + 2, close)));
                    advance = close - cursor;
                } else {
                    out.append(OPERATOR).append(OPENER); // an unclosed reference is kept as written
                }
            } else {
                out.append(OPERATOR).append(next); // an operator that starts no expression
            }
            cursor += advance;
            checkpoint = cursor + 1;
        }
        return out.append(input, checkpoint, input.length()).toString();
    }
}
