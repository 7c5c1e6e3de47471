package com.contoso.acsauth.security;

/**
 * Who a user is across every trusted issuer: the issuer part ({@link TrustedIssuer#issuerId()}) and the user part
 * ({@code oid} or {@code sub}). Two issuers' users never share a key, so they never share a mapping, a lock or a quota.
 */
public record UserKey(String issuerId, String userId) {
}
