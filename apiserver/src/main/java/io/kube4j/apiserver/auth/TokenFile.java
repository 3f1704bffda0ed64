package io.kube4j.apiserver.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer tokens from a CSV file, Kubernetes' {@code --token-auth-file}
 * (k8s.io/apiserver/pkg/authentication/token/tokenfile): one line per token,
 * {@code token,user,uid,"group1,group2"}; the groups column is optional; lines starting with '#' and
 * blank lines are skipped. Read once at start (Kubernetes does not reload it either).
 *
 * @throws IllegalArgumentException at construction for a line with fewer than 3 columns or a repeated
 *                                  token, naming the line, so a bad file stops the apiserver at start
 */
public final class TokenFile implements TokenAuthenticator {
    private final Map<String, UserInfo> tokens;

    private TokenFile(Map<String, UserInfo> tokens) {
        this.tokens = Map.copyOf(tokens);
    }

    /** Reads {@code file}; see the class comment for its format. */
    public static TokenFile read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
    }

    /** Parses the file's content. */
    public static TokenFile parse(String content) {
        Map<String, UserInfo> tokens = new HashMap<>();
        String[] lines = content.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> cols = csv(line);
            if (cols.size() < 3) {
                throw new IllegalArgumentException("token file line " + (i + 1) + ": expected token,user,uid[,\"groups\"], got " + cols.size() + " columns");
            }
            List<String> groups = cols.size() > 3 && !cols.get(3).isBlank()
                    ? Arrays.stream(cols.get(3).split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList()
                    : List.of();
            if (tokens.put(cols.get(0), new UserInfo(cols.get(1), cols.get(2), groups, Map.of())) != null) {
                throw new IllegalArgumentException("token file line " + (i + 1) + ": duplicate token");
            }
        }
        return new TokenFile(tokens);
    }

    @Override
    public Optional<UserInfo> authenticateToken(String token) {
        UserInfo user = tokens.get(token);
        if (user == null) return Optional.empty();
        return Optional.of(user);
    }

    /** Splits one CSV line: commas separate columns, double quotes group a column with commas in it. */
    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }
}
