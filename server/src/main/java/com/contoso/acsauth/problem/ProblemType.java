package com.contoso.acsauth.problem;

import java.net.URI;

/**
 * The vocabulary of every error this server answers. Each type is documented in docs/problems.md under its slug;
 * the {@code type} member of a problem body is {@code tag:acs-auth-server,2026:problem:<slug>}.
 */
public enum ProblemType {
    INVALID_REQUEST(400, "invalid-request", "The request is invalid"),
    TEAMS_TOKEN_MISSING(400, "teams-token-missing", "The teams-user-aad-token header is missing"),
    TEAMS_TOKEN_REJECTED(400, "teams-token-rejected", "ACS rejected the Teams user's token"),
    UNAUTHENTICATED(401, "unauthenticated", "A bearer token is required"),
    INVALID_TOKEN(401, "invalid-token", "The bearer token is not valid for this API"),
    REAUTHENTICATION_REQUIRED(401, "reauthentication-required", "The user must sign in again"),
    INSUFFICIENT_SCOPE(403, "insufficient-scope", "The bearer token lacks the access_as_user scope"),
    CONSENT_REQUIRED(403, "consent-required", "Admin consent is needed"),
    TEAMS_NOT_AVAILABLE(403, "teams-not-available", "The Teams token exchange is only for Entra ID workforce users"),
    MAPPING_NOT_FOUND(404, "mapping-not-found", "No identity mapping"),
    MAPPED_IDENTITY_GONE(404, "mapped-identity-gone", "The mapped ACS identity no longer exists"),
    NOT_FOUND(404, "not-found", "No such resource"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    IDENTITY_NOT_OWNED(409, "identity-not-owned", "The mapped identity belongs to another ACS resource"),
    EXTENSION_LIMIT_REACHED(409, "extension-limit-reached", "The user has too many open extensions from this app"),
    MAPPING_CONFLICT(409, "mapping-conflict", "The identity mapping changed concurrently"),
    MAPPING_TAMPERED(409, "mapping-tampered", "The identity mapping was not written by this server"),
    MAPPING_UNSIGNED(409, "mapping-unsigned", "The identity mapping carries no signature of this server"),
    RATE_LIMITED(429, "rate-limited", "Too many token requests for this user"),
    DOWNSTREAM_THROTTLED(429, "downstream-throttled", "A downstream service is throttling requests"),
    USER_BUSY(429, "user-busy", "Another request of this user is still in progress"),
    INTERNAL_ERROR(500, "internal-error", "Internal server error"),
    DOWNSTREAM_FAILED(502, "downstream-failed", "A downstream service failed"),
    DOWNSTREAM_UNAVAILABLE(503, "downstream-unavailable", "A downstream service is unavailable"),
    MAPPING_STORE_UNAVAILABLE(503, "mapping-store-unavailable", "The identity mapping database is unavailable"),
    DOWNSTREAM_TIMEOUT(504, "downstream-timeout", "A downstream service did not answer in time");

    private static final String TYPE_PREFIX = "tag:acs-auth-server,2026:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(TYPE_PREFIX + slug);
    }

    /** The generic type for a bare HTTP status raised by the container or JAX-RS. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHENTICATED;
            case 403 -> INSUFFICIENT_SCOPE;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 501 -> METHOD_NOT_ALLOWED;
            case 503 -> DOWNSTREAM_UNAVAILABLE;
            default -> status >= 400 && status < 500 ? INVALID_REQUEST : INTERNAL_ERROR;
        };
    }
}
