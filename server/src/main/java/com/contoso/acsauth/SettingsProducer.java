package com.contoso.acsauth;

import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.config.ConfigurationProblems;
import com.contoso.acsauth.config.InvalidConfigurationException;
import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphSettings;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.mapping.MappingSettings;
import com.contoso.acsauth.security.TrustedIssuerSettings;
import com.contoso.acsauth.token.TokenQuotaSettings;
import com.contoso.acsauth.web.BrowserSettings;
import com.contoso.acsauth.web.CorsSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the configuration once at startup. A missing or invalid setting fails the deployment with one message
 * that names every environment variable to fix (and never echoes a secret's value).
 */
@ApplicationScoped
public class SettingsProducer {

    private static final Logger LOG = Logger.getLogger(SettingsProducer.class.getName());

    private Settings settings;

    @PostConstruct
    void read() {
        settings = Settings.read(ConfigProvider.getConfig());
    }

    /** {@link Startup}'s first step, so nothing is built from settings that are invalid. */
    public void validate() {
        if (!settings.valid()) {
            String message = "acs-auth-server cannot start, fix its configuration:\n  - "
                    + String.join("\n  - ", settings.problems());
            LOG.severe(message);
            throw new InvalidConfigurationException(message);
        }
        LOG.info(() -> "acs-auth-server configured: " + (settings.entra().configured() ? "tenant " + settings.entra().tenantId()
                + ", authority " + settings.entra().authority() : "no Entra workforce tenant") + ", mapping store " + settings.mapping().store()
                + (settings.mapping().usesGraph() ? " at " + settings.graph().baseUrl() : " at " + settings.mapping().dataSource())
                + ", ACS " + settings.acs().endpoint()
                + ", trusted issuers " + settings.issuers().issuers().stream().map(i -> i.name() + "=" + i.issuer()).toList()
                + (settings.browser().tryPageEnabled() ? ", /try/ page on (browser client " + settings.browser().clientId() + ")" : ""));
    }

    @Produces @Singleton Settings settings() { return settings; }
    @Produces @Singleton ConfigurationProblems configurationProblems() { return settings.configurationProblems(); }
    @Produces @Singleton EntraSettings entra() { return settings.entra(); }
    @Produces @Singleton TrustedIssuerSettings issuers() { return settings.issuers(); }
    @Produces @Singleton GraphSettings graph() { return settings.graph(); }
    @Produces @Singleton MappingCacheSettings mappingCache() { return settings.mappingCache(); }
    @Produces @Singleton MappingSettings mapping() { return settings.mapping(); }
    @Produces @Singleton AcsSettings acs() { return settings.acs(); }
    @Produces @Singleton CorsSettings cors() { return settings.cors(); }
    @Produces @Singleton BrowserSettings browser() { return settings.browser(); }
    @Produces @Singleton DownstreamSettings downstream() { return settings.downstream(); }
    @Produces @Singleton TokenQuotaSettings tokenQuota() { return settings.tokenQuota(); }
}
