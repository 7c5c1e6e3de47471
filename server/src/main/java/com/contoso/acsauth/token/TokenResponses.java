package com.contoso.acsauth.token;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/** Bodies of the /api/token answers. */
public final class TokenResponses {

    private TokenResponses() {
    }

    /**
     * {@code user} carries the identity under both {@code communicationUserId} (Node.js original) and {@code id}
     * (C# original, read by the MinimalClient), so clients of either original work unchanged.
     */
    @JsonbPropertyOrder({"token", "expiresOn", "user"})
    public record UserToken(String token, String expiresOn, CommunicationUser user) {
    }

    @JsonbPropertyOrder({"communicationUserId", "id"})
    public record CommunicationUser(String communicationUserId, String id) {
    }

    @JsonbPropertyOrder({"token", "expiresOn"})
    public record TeamsUserToken(String token, String expiresOn) {
    }
}
