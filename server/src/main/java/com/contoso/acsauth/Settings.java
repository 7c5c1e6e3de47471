package com.contoso.acsauth;

import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.config.ConfigurationProblems;
import com.contoso.acsauth.config.SettingsReader;
import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphSettings;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.mapping.MappingSettings;
import com.contoso.acsauth.security.TrustedIssuer;
import com.contoso.acsauth.security.TrustedIssuerSettings;
import com.contoso.acsauth.token.TokenQuotaSettings;
import com.contoso.acsauth.web.BrowserSettings;
import com.contoso.acsauth.web.CorsSettings;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/** Every feature's settings, read and validated together so that all problems are reported at once. */
public record Settings(EntraSettings entra, TrustedIssuerSettings issuers, MappingSettings mapping, GraphSettings graph, MappingCacheSettings mappingCache, AcsSettings acs,
                       CorsSettings cors, BrowserSettings browser, DownstreamSettings downstream, TokenQuotaSettings tokenQuota, List<String> problems) {

    public static Settings read(Config config) {
        SettingsReader reader = new SettingsReader(property -> config.getOptionalValue(property, String.class));
        boolean entraSignsIn = EntraSettings.signsIn(reader);
        MappingSettings entraMapping = MappingSettings.read(reader, entraSignsIn);
        // On-Behalf-Of (and so the client secret) serves only the Graph mapping store
        EntraSettings entra = EntraSettings.read(reader, entraMapping.usesGraph(), entraSignsIn);
        TrustedIssuerSettings issuers = TrustedIssuerSettings.read(reader, entra);
        List<String> otherIssuers = issuers.names().stream().filter(name -> !name.equals(TrustedIssuer.ENTRA)).toList();
        MappingSettings mapping = entraMapping.withIssuerStores(reader, otherIssuers);
        if (issuers.multiTenant() && mapping.usesGraph()) {
            reader.problem("aad.allowed-tenants", "needs MAPPING_STORE=database: the Graph store reaches Graph with "
                    + "On-Behalf-Of at the tenant AAD_TENANT_ID, which cannot act for users of other tenants");
        }
        GraphSettings graph = GraphSettings.read(reader);
        MappingCacheSettings mappingCache = MappingCacheSettings.read(reader);
        AcsSettings acs = AcsSettings.read(reader, entra.clientId());
        CorsSettings cors = CorsSettings.read(reader);
        BrowserSettings browser = BrowserSettings.read(reader, entra.instance(), entra.tenantId(), entra.clientId(), acs.teamsAppId());
        DownstreamSettings downstream = DownstreamSettings.read(reader);
        TokenQuotaSettings tokenQuota = TokenQuotaSettings.read(reader);
        return new Settings(entra, issuers, mapping, graph, mappingCache, acs, cors, browser, downstream, tokenQuota, reader.problems());
    }

    public boolean valid() {
        return problems.isEmpty();
    }

    public ConfigurationProblems configurationProblems() {
        return new ConfigurationProblems(problems);
    }
}
