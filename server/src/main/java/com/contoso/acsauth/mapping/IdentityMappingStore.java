package com.contoso.acsauth.mapping;

import com.contoso.acsauth.security.Caller;
import java.util.Optional;

/**
 * Where the 1:1 mapping from a user to an ACS identity is kept (SPI): a Microsoft Graph open extension on the
 * Entra user (signed by this server) or a database the operator owns. {@code MAPPING_STORE} selects the store of the
 * Entra workforce tenant; the users of other issuers are always in the database.
 * <p>
 * Implementations throw {@code ProblemException} for downstream failures, already translated to HTTP problems.
 */
public interface IdentityMappingStore {

    /**
     * Called once at deployment, after the settings were validated: connect, migrate, build clients. Throws
     * {@code InvalidConfigurationException} to fail the deployment with a message naming what to fix.
     */
    void start();

    /**
     * The caller's ACS identity, or empty when no mapping is stored.
     *
     * @throws UntrustedMappingException when a mapping is stored that this server cannot prove it wrote
     */
    Optional<String> find(Caller caller);

    /**
     * Stores the mapping; succeeds only if none existed.
     *
     * @throws MappingAlreadyExistsException when a mapping (possibly written concurrently) is already stored
     */
    void create(Caller caller, String acsUserId);

    /** Removes the mapping; {@code false} when there was nothing to remove. Idempotent. */
    boolean delete(Caller caller);

    /**
     * Removes the mapping only if it still points at {@code acsUserId} (the identity ACS reported gone), so that a
     * mapping another instance wrote meanwhile survives. Atomic where the store allows it; otherwise the store
     * re-reads and compares right before deleting, and says what window is left.
     *
     * @return whether a mapping to {@code acsUserId} was removed
     */
    boolean deleteIfMappedTo(Caller caller, String acsUserId);
}
