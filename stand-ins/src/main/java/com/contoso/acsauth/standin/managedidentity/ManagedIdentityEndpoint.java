package com.contoso.acsauth.standin.managedidentity;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.StandInServer;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.ManagedIdentity;
import com.nimbusds.jwt.JWTClaimsSet;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What both managed-identity protocols share: a plain-HTTP server on 127.0.0.1 (as the real endpoints are: a host-local
 * agent, no TLS), the host's identities (Entra's system-assigned and user-assigned ones), and the tokens Entra mints
 * for them.
 */
abstract class ManagedIdentityEndpoint extends StandInServer {

    protected final EntraStandIn entra;

    protected ManagedIdentityEndpoint(String service, String portProperty, int port, EntraStandIn entra, CallLog calls, Faults faults) {
        super(service, portProperty, port, null, calls, faults);
        this.entra = entra;
    }

    /**
     * The identity the query selects: {@code client_id}, {@code object_id} (or {@code principal_id}), or the ARM id in
     * {@code resourceIdParameter}; none of them selects the system-assigned identity. Empty when the host has no such identity.
     */
    protected Optional<ManagedIdentity> selectedIdentity(Map<String, String> query, String resourceIdParameter) {
        String clientId = query.get("client_id");
        String objectId = query.getOrDefault("object_id", query.get("principal_id"));
        String resourceId = query.get(resourceIdParameter);
        if (clientId == null && objectId == null && resourceId == null) {
            return entra.managedIdentities().stream().filter(ManagedIdentity::systemAssigned).findFirst();
        }
        return entra.managedIdentities().stream()
                .filter(id -> clientId == null || id.clientId().equalsIgnoreCase(clientId))
                .filter(id -> objectId == null || id.objectId().equalsIgnoreCase(objectId))
                .filter(id -> resourceId == null || id.resourceId().toLowerCase(Locale.ROOT).equals(resourceId.toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    /** Entra's token for the identity, or empty for a resource the tenant does not have. */
    protected Optional<SignedToken> token(ManagedIdentity identity, String resource) {
        return entra.managedIdentityTokenClaims(identity, resource).map(claims -> new SignedToken(entra.sign(claims), claims));
    }

    protected record SignedToken(String jwt, JWTClaimsSet claims) {
        long expiresOn() {
            return claims.getExpirationTime().toInstant().getEpochSecond();
        }

        long notBefore() {
            return claims.getNotBeforeTime().toInstant().getEpochSecond();
        }
    }
}
