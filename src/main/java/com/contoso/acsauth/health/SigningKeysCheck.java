package com.contoso.acsauth.health;

import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.security.EntraTokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the tenant's token signing keys are available: without them no request can be authenticated. Asks
 * the token verifier's own key source, which caches the keys (and keeps them through an outage of the key
 * endpoint) and rate-limits fetches, so frequent probes do not hammer Entra ID; ACS and Graph are never called.
 */
@Readiness
@ApplicationScoped
public class SigningKeysCheck implements HealthCheck {

    @Inject EntraTokenVerifier verifier;
    @Inject EntraSettings entra;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("entra-signing-keys").withData("jwks", entra.keysUrl());
        try {
            int count = verifier.signingKeyCount();
            return count > 0
                    ? response.up().withData("keys", count).build()
                    : response.down().withData("error", "the key set is empty").build();
        } catch (Exception e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        }
    }
}
