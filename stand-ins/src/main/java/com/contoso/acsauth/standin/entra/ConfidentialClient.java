package com.contoso.acsauth.standin.entra;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client that must prove itself at the token endpoint: with its secret (if it has one), an assertion signed with
 * one of its certificates, or a JWT its federated identity credentials trust. The lists are live: tests add and
 * remove credentials, {@link EntraStandIn#reset()} puts back the defaults.
 *
 * @param servicePrincipalId {@code oid} and {@code sub} of its app-only tokens
 */
public record ConfidentialClient(String clientId, String displayName, String servicePrincipalId, String secret,
                                 List<X509Certificate> certificates, List<FederatedCredential> federatedCredentials) {

    ConfidentialClient(String clientId, String displayName, String servicePrincipalId, String secret) {
        this(clientId, displayName, servicePrincipalId, secret, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    }
}
