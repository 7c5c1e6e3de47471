package com.contoso.acsauth.health;

import com.contoso.acsauth.config.ConfigurationProblems;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether the configuration is valid. Probes are unauthenticated, so a problem is named by its variable only, and
 * neither the tenant nor any endpoint is shown: the deployment log has the full message.
 */
@Readiness
@ApplicationScoped
public class ConfigurationCheck implements HealthCheck {

    @Inject ConfigurationProblems configuration;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("configuration");
        if (configuration.valid()) {
            return response.up().build();
        }
        return response.down().withData("problems", String.join(", ", variablesOf(configuration))).build();
    }

    /** Each problem starts with its environment variable's name (SettingsReader.problem). */
    static Set<String> variablesOf(ConfigurationProblems configuration) {
        Set<String> variables = new LinkedHashSet<>();
        for (String problem : configuration.problems()) {
            int end = problem.indexOf(' ');
            variables.add(end < 0 ? problem : problem.substring(0, end));
        }
        return variables;
    }
}
