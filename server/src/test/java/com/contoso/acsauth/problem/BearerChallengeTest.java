package com.contoso.acsauth.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BearerChallengeTest {

    @Test
    void writesTheChallengesOfRfc6750() {
        assertEquals("Bearer", BearerChallenge.none());
        assertEquals("Bearer error=\"invalid_token\"", BearerChallenge.invalidToken());
        assertEquals("Bearer error=\"insufficient_scope\", scope=\"access_as_user\"",
                BearerChallenge.insufficientScope("access_as_user"));
    }

    @Test
    void aDescriptionCannotEndItsQuotedString() {
        assertEquals("Bearer error=\"invalid_token\", error_description=\"say \\\"again\\\" \\\\ now\"",
                BearerChallenge.invalidToken("say \"again\" \\ now"));
    }

    @Test
    void theClaimsRequestTravelsAsBase64() {
        String claims = "{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}";
        String challenge = BearerChallenge.insufficientClaims(claims);

        String encoded = challenge.substring(challenge.indexOf("claims=\"") + 8, challenge.length() - 1);
        assertEquals(claims, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
        assertEquals("Bearer error=\"insufficient_claims\", claims=\"" + encoded + "\"", challenge);
    }
}
