package com.contoso.acsauth.acs;

/** ACS does not know the identity: it was deleted (for example by a DELETE on another instance). */
public class AcsIdentityNotFoundException extends RuntimeException {

    public AcsIdentityNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
