package com.contoso.acsauth.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** The application is deployed and answering; downstream trouble is readiness's business, not a reason to restart. */
@Liveness
@ApplicationScoped
public class AliveCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("acs-auth-server");
    }
}
