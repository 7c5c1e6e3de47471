package com.contoso.acsauth.problem;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code WWW-Authenticate} challenges of a 401 or 403 (RFC 6750, and the claims challenge Entra ID's
 * On-Behalf-Of guidance asks a middle tier to pass on): the one place they are written, for the token checks and the
 * On-Behalf-Of failures alike.
 */
public final class BearerChallenge {

    public static final String HEADER = "WWW-Authenticate";

    private BearerChallenge() {
    }

    /** No credentials were sent: the scheme only. */
    public static String none() {
        return "Bearer";
    }

    /** The token is malformed, expired, revoked or not for this API. */
    public static String invalidToken() {
        return "Bearer error=\"invalid_token\"";
    }

    /** As {@link #invalidToken()}, with a description for the client. */
    public static String invalidToken(String description) {
        return "Bearer error=\"invalid_token\", error_description=\"" + quoted(description) + "\"";
    }

    /** The token lacks {@code scope}. */
    public static String insufficientScope(String scope) {
        return "Bearer error=\"insufficient_scope\", scope=\"" + quoted(scope) + "\"";
    }

    /** Entra ID wants more claims (Conditional Access, MFA): the claims request, Base64 as Microsoft's clients expect. */
    public static String insufficientClaims(String claimsJson) {
        return "Bearer error=\"insufficient_claims\", claims=\""
                + Base64.getEncoder().encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + "\"";
    }

    // a quoted-string may not hold a bare quote or backslash
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
