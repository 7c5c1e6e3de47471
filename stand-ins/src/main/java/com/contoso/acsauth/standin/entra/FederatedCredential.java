package com.contoso.acsauth.standin.entra;

import java.util.List;

/**
 * A federated identity credential of an app (or of a user-assigned managed identity): Entra accepts a JWT from
 * {@code issuer} about {@code subject} for one of {@code audiences} as that client's assertion. All three are
 * compared case-sensitively and exactly, as Entra does since 2024.
 */
public record FederatedCredential(String name, String issuer, String subject, List<String> audiences) {

    public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

    public FederatedCredential {
        audiences = List.copyOf(audiences);
    }

    public static FederatedCredential of(String name, String issuer, String subject) {
        return new FederatedCredential(name, issuer, subject, List.of(TOKEN_EXCHANGE_AUDIENCE));
    }
}
