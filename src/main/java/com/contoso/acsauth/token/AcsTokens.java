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

    /** A token for the caller's mapped identity; never creates an identity (404 without a mapping). */
    public TokenForUser issueFor(Caller caller) {
        quota.take(caller);
        String acsUserId = identities.find(caller);
        try {
            AcsToken token = acs.issueToken(acsUserId);
            return new TokenForUser(acsUserId, token);
        } catch (AcsIdentityNotFoundException e) {
            throw identityGone(caller, acsUserId, e);
        }
    }

    /** Revokes every ACS token issued so far for the caller's mapped identity; the identity stays usable. */
    public void revokeFor(Caller caller) {
        String acsUserId = identities.find(caller);
        try {
            acs.revokeTokens(acsUserId);
        } catch (AcsIdentityNotFoundException e) {
            throw identityGone(caller, acsUserId, e);
        }
    }

    private ProblemException identityGone(Caller caller, String acsUserId, AcsIdentityNotFoundException e) {
        boolean removed = identities.removeDanglingMapping(caller, acsUserId);
        return new ProblemException(ProblemType.MAPPED_IDENTITY_GONE,
                "The ACS identity in this user's mapping no longer exists (it was deleted). " + (removed
                        ? "The stale mapping was removed: POST /api/user creates a new identity."
                        : "DELETE /api/user removes the stale mapping; POST /api/user then creates a new identity."), e);
    }

    /** Exchanges the Teams user's Entra token; ACS checks that it belongs to the caller ({@code oid}). */
    public AcsToken exchangeTeamsToken(Caller caller, String teamsUserAadToken) {
        if (teamsUserAadToken == null || teamsUserAadToken.isBlank()) {
            throw new ProblemException(ProblemType.TEAMS_TOKEN_MISSING,
                    "Send the Teams user's Entra ID access token for https://auth.msft.communication.azure.com in the "
                            + "teams-user-aad-token header.");
        }
        quota.take(caller);
        return acs.exchangeTeamsToken(teamsUserAadToken.trim(), settings.teamsAppId(), caller.oid());
    }

    /** A token and the identity it was issued for. */
    public record TokenForUser(String acsUserId, AcsToken token) {
    }
}
