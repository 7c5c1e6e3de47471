package com.contoso.acsauth.standin.acs;

import com.contoso.acsauth.standin.StandInServer.Response;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

/** An ACS error answer: {@code {"error":{"code","message","target"?}}}. */
final class AcsError extends Exception {

    final int status;
    final String code;
    final String target;

    AcsError(int status, String code, String message) {
        this(status, code, message, null);
    }

    AcsError(int status, String code, String message, String target) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.target = target;
    }

    static AcsError identityNotFound() {
        return new AcsError(404, "IdentityNotFound", "Identity not found.");
    }

    static AcsError identityNotOwned() {
        return new AcsError(401, "IdentityNotOwned", "Provided identity doesn't belong to the resource.");
    }

    static AcsError invalidAccessToken() {
        return new AcsError(401, "InvalidAccessToken", "Provided access token is not valid.");
    }

    static AcsError requiredField(String field) {
        return new AcsError(400, "ValidationError", field + ": The " + field + " field is required.", field);
    }

    /** What an injected fault of {@code status} answers. */
    static AcsError forStatus(int status) {
        return switch (status) {
            case 401 -> new AcsError(401, "Denied", "Denied by the resource provider.");
            case 404 -> identityNotFound();
            case 429 -> new AcsError(429, "TooManyRequests", "Too many requests. Please retry later.");
            case 500 -> new AcsError(500, "InternalServerError", "An internal server error occurred.");
            case 503 -> new AcsError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.");
            default -> new AcsError(status, status < 500 ? "BadRequest" : "InternalServerError", "Injected fault " + status + ".");
        };
    }

    Response toResponse() {
        JsonObjectBuilder error = Json.createObjectBuilder().add("code", code).add("message", getMessage());
        if (target != null) {
            error.add("target", target);
        }
        return Response.json(status, Json.createObjectBuilder().add("error", error).build());
    }
}
