package com.contoso.acsauth.acs;

/**
 * The ACS Identity operations this server uses. Implementations throw {@code ProblemException} for failures,
 * already translated to HTTP problems, except where a method documents a specific exception.
 */
public interface AcsIdentities {

    /** Creates a new ACS identity and returns its raw id ({@code 8:acs:...}). */
    String createIdentity();

    /** Deletes the identity (which revokes its tokens); one ACS no longer knows counts as deleted. */
    void deleteIdentity(String acsUserId);

    /**
     * Issues an access token with the configured scopes and lifetime.
     *
     * @throws AcsIdentityNotFoundException when ACS no longer knows the identity
     */
    AcsToken issueToken(String acsUserId);

    /**
     * Revokes every access token issued so far for the identity; the identity stays usable.
     *
     * @throws AcsIdentityNotFoundException when ACS no longer knows the identity
     */
    void revokeTokens(String acsUserId);

    /** Exchanges a Teams user's Entra ID token for an ACS token. */
    AcsToken exchangeTeamsToken(String teamsUserAadToken, String appId, String userObjectId);
}
