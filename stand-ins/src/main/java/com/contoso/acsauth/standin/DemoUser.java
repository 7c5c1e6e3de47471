package com.contoso.acsauth.standin;

/** A user of the stand-in tenant; {@code oid} is both the Entra object id and the Graph user id. */
public record DemoUser(String username, String password, String oid, String displayName) {

    /** "alice" for alice@contoso.test. */
    public String shortName() {
        return username.substring(0, username.indexOf('@'));
    }
}
