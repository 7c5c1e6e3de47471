package com.contoso.acsauth.correlation;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent} (https://www.w3.org/TR/trace-context/): {@code version-traceid-parentid-flags}.
 * The trace id is the request's correlation id; {@link #child()} gives the context to send downstream with a fresh
 * span id, so ACS, Graph and Entra ID see the same trace id as the caller and the problem body.
 */
public record TraceContext(String traceId, String parentId, String flags) {

    private static final Pattern HEX_2 = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern HEX_16 = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern HEX_32 = Pattern.compile("[0-9a-f]{32}");
    private static final int VERSION_00_LENGTH = 55;

    /**
     * The context of an incoming {@code traceparent}, or empty when it is not valid: then the spec says to start a new
     * trace, never to refuse the request. Version 00 is exactly 55 characters of lower-case hex and dashes; a later
     * version is read by its first four fields and may carry more after a dash; version ff is invalid. A trace id or
     * parent id of all zeros is invalid.
     */
    public static Optional<TraceContext> parse(String traceparent) {
        if (traceparent == null) {
            return Optional.empty();
        }
        String value = traceparent.trim();
        if (value.length() < VERSION_00_LENGTH) {
            return Optional.empty();
        }
        String version = value.substring(0, 2);
        if (!HEX_2.matcher(version).matches() || "ff".equals(version)) {
            return Optional.empty();
        }
        if ("00".equals(version) ? value.length() != VERSION_00_LENGTH
                : value.length() > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
            return Optional.empty();
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return Optional.empty();
        }
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!HEX_32.matcher(traceId).matches() || !HEX_16.matcher(parentId).matches() || !HEX_2.matcher(flags).matches()
                || isZeros(traceId) || isZeros(parentId)) {
            return Optional.empty();
        }
        return Optional.of(new TraceContext(traceId, parentId, flags));
    }

    /** A new trace: random trace and span ids, not sampled (this server records no traces itself). */
    public static TraceContext generate() {
        return new TraceContext(randomHex(2), randomHex(1), "00");
    }

    /** The same trace with a fresh span id: what one outgoing call (or this server's own span) carries. */
    public TraceContext child() {
        return new TraceContext(traceId, randomHex(1), flags);
    }

    /** The header value, always written as version 00 (the only version this server speaks). */
    public String traceparent() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }

    /** The trace id in GUID form (8-4-4-4-12), for headers that expect a GUID: Graph's and Entra's client-request-id. */
    public String traceIdAsGuid() {
        return traceId.substring(0, 8) + "-" + traceId.substring(8, 12) + "-" + traceId.substring(12, 16) + "-"
                + traceId.substring(16, 20) + "-" + traceId.substring(20);
    }

    private static boolean isZeros(String hex) {
        return hex.chars().allMatch(c -> c == '0');
    }

    /** {@code longs} random 64-bit values as hex, never all zeros. */
    private static String randomHex(int longs) {
        StringBuilder hex = new StringBuilder(16 * longs);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < longs; i++) {
            hex.append(String.format("%016x", random.nextLong()));
        }
        return isZeros(hex.toString()) ? randomHex(longs) : hex.toString();
    }
}
