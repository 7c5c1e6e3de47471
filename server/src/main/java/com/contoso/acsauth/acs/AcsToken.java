package com.contoso.acsauth.acs;

import java.time.OffsetDateTime;

/** An ACS access token and when it expires. */
public record AcsToken(String token, OffsetDateTime expiresOn) {

    @Override
    public String toString() {
        return "AcsToken[expiresOn=" + expiresOn + "]"; // never the token
    }
}
