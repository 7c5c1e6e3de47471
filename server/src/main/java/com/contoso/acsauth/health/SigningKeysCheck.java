package com.contoso.acsauth.health;

import com.contoso.acsauth.security.BearerTokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the primary issuer's token signing keys are available (the tenant AAD_TENANT_ID, or without one the first
 * of TRUSTED_ISSUERS): without them its users cannot be authenticated. The name stays {@code entra-signing-keys}. Asks
 * the token verifier's own key source, which caches the keys (and keeps them through an outage of the key
 * endpoint) and rate-limits fetches, so frequent probes do not hammer Entra ID; ACS and Graph are never called.
 * The probe answers UP or DOWN only (the key URL names the tenant); why it is down goes to the log.
 */
@Readiness
@ApplicationScoped
public class SigningKeysCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SigningKeysCheck.class.getName());

    @Inject BearerTokenVerifier verifier;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("entra-signing-keys");
        try {
            if (verifier.signingKeyCount() > 0) {
                return response.up().build();
            }
            LOG.warning(() -> "not ready: the signing key set at " + verifier.signingKeysLocation() + " is empty");
        } catch (Exception e) {
            LOG.warning(() -> "not ready: the signing keys at " + verifier.signingKeysLocation() + " are unavailable: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return response.down().build();
    }
}
