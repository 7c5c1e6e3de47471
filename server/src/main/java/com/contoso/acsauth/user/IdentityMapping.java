package com.contoso.acsauth.user;

/** Body of the /api/user answers: the caller's ACS identity. */
public record IdentityMapping(String acsUserIdentity) {
}
