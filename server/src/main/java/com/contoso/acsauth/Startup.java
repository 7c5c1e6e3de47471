package com.contoso.acsauth;

import com.contoso.acsauth.acs.AzureSdkAcsIdentities;
import com.contoso.acsauth.mapping.SelectedMappingStore;
import com.contoso.acsauth.security.BearerTokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The application's one start-up observer: the order of the start-up work is this method's, not observer priorities.
 * Any step may throw {@code InvalidConfigurationException}, which fails the deployment before the next step runs.
 */
@ApplicationScoped
public class Startup {

    // all application-scoped, injected as proxies: nothing is built until its step calls it
    @Inject SettingsProducer settings;
    @Inject SelectedMappingStore mappingStore;
    @Inject BearerTokenVerifier tokens;
    @Inject AzureSdkAcsIdentities acs;

    void start(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        // 1. every setting, every bad variable named at once; nothing below is built from invalid settings
        settings.validate();
        // 2. the mapping store(s): Graph's client and On-Behalf-Of, or the data source and its Flyway migration
        mappingStore.start();
        // 3. the token verifiers of the trusted issuers, 4. the ACS client: built now, not on the first request
        tokens.warmUp();
        acs.warmUp();
    }
}
