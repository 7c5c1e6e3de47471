package com.contoso.acsauth.token;

import com.contoso.acsauth.acs.AcsIdentities;
import com.contoso.acsauth.acs.AcsIdentityNotFoundException;
import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.acs.AcsToken;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import com.contoso.acsauth.user.UserIdentities;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Function;

/**
 * Issues ACS tokens: for the caller's mapped identity, or for a Teams user in exchange for their Entra token, within
 * the caller's {@link TokenQuota}; and revokes the caller's tokens.
 */
@ApplicationScoped
public class AcsTokens {

    private UserIdentities identities;
    private AcsIdentities acs;
    private AcsSettings settings;
    private TokenQuota quota;

    protected AcsTokens() {
        // for CDI proxies
    }

    @Inject
    public AcsTokens(UserIdentities identities, AcsIdentities acs, AcsSettings settings, TokenQuota quota) {
        this.identities = identities;
        this.acs = acs;
        this.settings = settings;
        this.quota = quota;
    }

    /**
     * A token for the caller's mapped identity; never creates an identity (404 without a mapping). If the identity
     * (possibly from this instance's cache) is gone and another instance mapped a new one meanwhile, the token is for
     * the new one.
     */
    public TokenForUser issueFor(Caller caller) {
        quota.take(caller);
        String acsUserId = identities.find(caller);
        try {
            return new TokenForUser(acsUserId, acs.issueToken(acsUserId));
        } catch (AcsIdentityNotFoundException e) {
            return afterGone(caller, acsUserId, e, acs::issueToken);
        }
    }

    /** Revokes every ACS token issued so far for the caller's mapped identity; the identity stays usable. */
    public void revokeFor(Caller caller) {
        String acsUserId = identities.find(caller);
        try {
            acs.revokeTokens(acsUserId);
        } catch (AcsIdentityNotFoundException e) {
            afterGone(caller, acsUserId, e, newer -> {
                acs.revokeTokens(newer);
                return null;
            });
        }
    }

    /**
     * The mapped identity (possibly from this instance's cache) is gone: removes the stale mapping if it still points
     * there, and if another instance mapped a new identity meanwhile, does the operation for that one instead.
     */
    private TokenForUser afterGone(Caller caller, String goneAcsUserId, AcsIdentityNotFoundException e,
                                       Function<String, AcsToken> operation) {
        UserIdentities.AfterGone after = identities.removeDanglingMapping(caller, goneAcsUserId);
        if (after.newer().isEmpty()) {
            throw gone(after.staleMappingKept(), e);
        }
        String newer = after.newer().get();
        try {
            return new TokenForUser(newer, operation.apply(newer));
        } catch (AcsIdentityNotFoundException newerGone) {
            // deleted again meanwhile: the next request sorts it out, this one has tried enough
            throw gone(true, newerGone);
        }
    }

    private static ProblemException gone(boolean staleMappingKept, AcsIdentityNotFoundException e) {
        return new ProblemException(ProblemType.MAPPED_IDENTITY_GONE,
                "The ACS identity in this user's mapping no longer exists (it was deleted). " + (staleMappingKept
                        ? "DELETE /api/user removes the stale mapping; POST /api/user then creates a new identity."
                        : "The stale mapping was removed: POST /api/user creates a new identity."), e);
    }

    /** Exchanges the Teams user's Entra token; ACS checks that it belongs to the caller ({@code oid}). */
    public AcsToken exchangeTeamsToken(Caller caller, String teamsUserAadToken) {
        if (!caller.entraWorkforce()) {
            // Teams users are Entra workforce users; ACS checks the Teams token against the caller's Entra oid
            throw new ProblemException(ProblemType.TEAMS_NOT_AVAILABLE, "Only users who signed in with the Entra ID "
                    + "workforce tenant can exchange a Teams token; this caller signed in with the issuer '"
                    + caller.issuerName() + "'. GET /api/token issues this user's ACS token.");
        }
        if (teamsUserAadToken == null || teamsUserAadToken.isBlank()) {
            throw new ProblemException(ProblemType.TEAMS_TOKEN_MISSING,
                    "Send the Teams user's Entra ID access token for https://auth.msft.communication.azure.com in the "
                            + "teams-user-aad-token header.");
        }
        quota.take(caller);
        return acs.exchangeTeamsToken(teamsUserAadToken.trim(), settings.teamsAppId(), caller.userId());
    }

    /** A token and the identity it was issued for. */
    public record TokenForUser(String acsUserId, AcsToken token) {
    }
}
