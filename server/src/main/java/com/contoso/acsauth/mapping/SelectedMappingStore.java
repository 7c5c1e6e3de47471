package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.InvalidConfigurationException;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Offers the configured store(s) as the one {@link IdentityMappingStore}, and starts them at deployment (asked by
 * the start-up observer). When all issuers use one store, that store is offered as it is; when the Entra workforce
 * tenant uses Graph and another issuer the database, each call goes to the store of the caller's issuer. A store no
 * issuer uses is never instantiated: with the database store alone no Graph or On-Behalf-Of client is built.
 */
@ApplicationScoped
public class SelectedMappingStore {

    private static final Logger LOG = Logger.getLogger(SelectedMappingStore.class.getName());

    @Inject MappingSettings settings;
    // the store produced below (a proxy): starting it instantiates it
    @Inject IdentityMappingStore store;

    @Produces
    @ApplicationScoped
    IdentityMappingStore store(MappingSettings settings, Instance<GraphOpenExtensionStore> graph,
                               Instance<DatabaseMappingStore> database) {
        if (!settings.usesGraph()) {
            return database.get();
        }
        if (!settings.usesDatabase()) {
            return graph.get();
        }
        return new ByIssuer(settings, graph.get(), database.get());
    }

    /** Starts the store(s): called at deployment after the settings were validated, so a bad setting is named first. */
    public void start() {
        try {
            store.start();
        } catch (InvalidConfigurationException e) {
            // servers log a failed deployment differently (some without the message): say it once, plainly
            LOG.severe("acs-auth-server cannot start: " + e.getMessage());
            throw e;
        }
        LOG.info(() -> "identity mapping store: " + settings);
    }

    /** Graph for the Entra workforce tenant, the database for the other issuers. */
    private record ByIssuer(MappingSettings settings, IdentityMappingStore graph, IdentityMappingStore database)
            implements IdentityMappingStore {

        private IdentityMappingStore of(Caller caller) {
            return settings.storeFor(caller.issuerName()) == MappingSettings.Store.GRAPH ? graph : database;
        }

        @Override
        public void start() {
            graph.start();
            database.start();
        }

        @Override
        public Optional<String> find(Caller caller) {
            return of(caller).find(caller);
        }

        @Override
        public void create(Caller caller, String acsUserId) {
            of(caller).create(caller, acsUserId);
        }

        @Override
        public boolean delete(Caller caller) {
            return of(caller).delete(caller);
        }

        @Override
        public boolean deleteIfMappedTo(Caller caller, String acsUserId) {
            return of(caller).deleteIfMappedTo(caller, acsUserId);
        }
    }
}
