package com.contoso.acsauth.health;

import com.contoso.acsauth.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Reports the configuration the server runs with (never secrets) and any problem found in it. */
@Readiness
@ApplicationScoped
public class ConfigurationCheck implements HealthCheck {

    @Inject Settings settings;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("configuration")
                .withData("tenant", settings.entra().tenantId())
                .withData("authority", settings.entra().authority())
                .withData("graph", settings.graph().baseUrl().toString())
                .withData("acs", settings.acs().endpoint().toString());
        if (settings.valid()) {
            return response.up().build();
        }
        return response.down().withData("problems", String.join("; ", settings.problems())).build();
    }
}
