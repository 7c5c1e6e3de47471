package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.InvalidConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.interceptor.Interceptor;
import java.util.logging.Logger;

/**
 * Offers the store {@code MAPPING_STORE} names as the one {@link IdentityMappingStore}, and starts it at deployment.
 * The other store is never instantiated: with the database store no Graph or On-Behalf-Of client is built.
 */
@ApplicationScoped
public class SelectedMappingStore {

    private static final Logger LOG = Logger.getLogger(SelectedMappingStore.class.getName());

    @Produces
    @ApplicationScoped
    IdentityMappingStore store(MappingSettings settings, Instance<GraphOpenExtensionStore> graph,
                               Instance<DatabaseMappingStore> database) {
        return settings.usesGraph() ? graph.get() : database.get();
    }

    /** After the settings were validated (their observer runs first), so a bad setting is reported as such. */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION) @Initialized(ApplicationScoped.class) Object deployed,
               MappingSettings settings, IdentityMappingStore store) {
        try {
            store.start();
        } catch (InvalidConfigurationException e) {
            // servers log a failed deployment differently (some without the message): say it once, plainly
            LOG.severe("acs-auth-server cannot start: " + e.getMessage());
            throw e;
        }
        LOG.info(() -> "identity mapping store: " + settings);
    }
}
