package com.contoso.acsauth.problem;

import java.security.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the single log line of a failed request: the problem's {@code instance} id and {@code correlationId} (both
 * also in the body), the caller's {@code oid} (or {@code sub}, with the issuer's name), the downstream operation, its status and the request ids it answered
 * with. Stack traces go here (for 5xx and downstream failures), never to the caller.
 * Tokens never appear: only claims that identify the user are logged. Every value that came with the request goes
 * through {@link #escape} first, so that a crafted path or header cannot start a line of its own in the log.
 */
public final class ProblemLog {

    private static final Logger LOG = Logger.getLogger("com.contoso.acsauth.problem");

    private ProblemLog() {
    }

    public static String newInstance() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    public static void log(String instance, String correlationId, int status, ProblemType type, String detail,
                           Principal principal, String method, String path, Optional<? extends DownstreamOperation> downstream,
                           Optional<Integer> downstreamStatus, Map<String, String> downstreamIds, Throwable cause) {
        StringBuilder ids = new StringBuilder();
        downstreamIds.forEach((name, value) -> ids.append(' ').append(name).append('=').append(token(value)));
        String line = "request failed: instance=" + instance + " correlationId=" + escape(correlationId)
                + " status=" + status + " type=" + type.name()
                + " method=" + escape(method) + " path=" + escape(path) + " oid=" + escape(userOf(principal)) + issuerOf(principal)
                + downstream.map(d -> " downstream=" + d.logName()).orElse("")
                + downstreamStatus.map(s -> " downstreamStatus=" + s).orElse("")
                + ids
                + " detail=\"" + escape(detail) + "\"";
        boolean serverSide = status >= 500 || downstream.isPresent();
        Level level = status >= 500 ? Level.SEVERE : serverSide ? Level.WARNING : Level.INFO;
        if (serverSide && cause != null) {
            LOG.log(level, line, cause);
        } else {
            LOG.log(level, line);
        }
    }

    /**
     * A value taken from a request (or from anything a user can write), made safe for one log line: line breaks,
     * other control characters, the Unicode line and paragraph separators and backslashes are written as visible
     * escapes (backslash-n, backslash-u and four hex digits, two backslashes), so a value can neither end the line
     * nor fake an escape of its own.
     * {@code null} becomes {@code -}.
     */
    public static String escape(CharSequence value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A downstream's value as one field: escaped, and without a space or quote that could fake another field. */
    private static String token(String value) {
        return escape(value).replace(" ", "\\u0020").replace("\"", "\\u0022");
    }

    private static String userOf(Principal principal) {
        return principal instanceof UserPrincipal caller ? caller.userId() : "-";
    }

    /** Named only for users of issuers other than the Entra workforce tenant, whose lines keep their old shape. */
    private static String issuerOf(Principal principal) {
        return principal instanceof UserPrincipal caller && !"entra".equals(caller.issuerName())
                ? " issuer=" + token(caller.issuerName()) : "";
    }
}
