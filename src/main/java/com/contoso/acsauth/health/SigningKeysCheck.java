package com.contoso.acsauth.health;

import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.security.BearerTokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the tenant's token signing keys are available: without them no request can be authenticated. Asks
 * the token verifier's own key source, which caches the keys (and keeps them through an outage of the key
 * endpoint) and rate-limits fetches, so frequent probes do not hammer Entra ID; ACS and Graph are never called.
 * The probe answers UP or DOWN only (the key URL names the tenant); why it is down goes to the log.
 */
@Readiness
@ApplicationScoped
public class SigningKeysCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SigningKeysCheck.class.getName());

    @Inject BearerTokenVerifier verifier;
    @Inject EntraSettings entra;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("entra-signing-keys");
        try {
            if (verifier.signingKeyCount() > 0) {
                return response.up().build();
            }
            LOG.warning(() -> "not ready: the signing key set at " + entra.keysUrl() + " is empty");
        } catch (Exception e) {
            LOG.warning(() -> "not ready: the signing keys at " + entra.keysUrl() + " are unavailable: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return response.down().build();
    }
}
