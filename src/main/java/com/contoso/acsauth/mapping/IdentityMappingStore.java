package com.contoso.acsauth.mapping;

import com.contoso.acsauth.security.Caller;
import java.util.Optional;

/**
 * Where the 1:1 mapping from an Entra user to an ACS identity is kept (SPI). The default implementation is a
 * Microsoft Graph open extension on the user; a database store can implement the same contract.
 * <p>
 * Implementations throw {@code ProblemException} for downstream failures, already translated to HTTP problems.
 */
public interface IdentityMappingStore {

    /** The caller's ACS identity, or empty when no (usable) mapping is stored. */
    Optional<String> find(Caller caller);

    /**
     * Stores the mapping; succeeds only if none existed.
     *
     * @throws MappingAlreadyExistsException when a mapping (possibly written concurrently) is already stored
     */
    void create(Caller caller, String acsUserId);

    /** Removes the mapping; {@code false} when there was nothing to remove. Idempotent. */
    boolean delete(Caller caller);
}
