package com.contoso.acsauth.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

class OnBehalfOfTokensTest {

    @Test
    void publicCloudAuthorityNeedsNoInstanceMetadata() {
        assertTrue(EntraSettings.msalInstanceMetadata(URI.create("https://login.microsoftonline.com/tid/")).isEmpty());
    }

    @Test
    void authorityOnAnotherPortDeclaresHostAndHostPortAsAliases() {
        String metadata = EntraSettings.msalInstanceMetadata(URI.create("https://127.0.0.1:9441/tid/")).orElseThrow();

        assertTrue(metadata.contains("\"preferred_cache\":\"127.0.0.1\""), metadata);
        assertTrue(metadata.contains("\"aliases\":[\"127.0.0.1\",\"127.0.0.1:9441\"]"), metadata);
        assertTrue(metadata.contains("https://127.0.0.1:9441/tid/v2.0/.well-known/openid-configuration"), metadata);
    }

    @Test
    void missingConsentBecomesForbiddenWithAdminConsentAdvice() {
        ProblemException e = (ProblemException) OnBehalfOfTokens.translate(new MsalServiceException(
                "AADSTS65001: The user or administrator has not consented to use the application", "invalid_grant"));

        assertEquals(ProblemType.CONSENT_REQUIRED, e.type());
        assertTrue(e.detail().contains("admin consent"));
    }

    @Test
    void invalidGrantAsksTheUserToSignInAgain() {
        ProblemException e = (ProblemException) OnBehalfOfTokens.translate(new MsalServiceException(
                "AADSTS50013: Assertion failed signature validation", "invalid_grant"));

        assertEquals(ProblemType.REAUTHENTICATION_REQUIRED, e.type());
        assertTrue(e.headers().get("WWW-Authenticate").startsWith("Bearer error="));
    }

    @Test
    void badClientSecretIsTheServersFault() {
        ProblemException e = (ProblemException) OnBehalfOfTokens.translate(new MsalServiceException(
                "AADSTS7000215: Invalid client secret provided.", "invalid_client"));

        assertEquals(502, e.type().status());
        assertTrue(e.detail().contains("AAD_CLIENT_SECRET"));
    }

    @Test
    void unreachableAndSlowAuthoritiesMapTo503And504() {
        assertEquals(ProblemType.DOWNSTREAM_UNAVAILABLE,
                ((ProblemException) OnBehalfOfTokens.translate(new RuntimeException(new ConnectException("refused")))).type());
        assertEquals(ProblemType.DOWNSTREAM_TIMEOUT,
                ((ProblemException) OnBehalfOfTokens.translate(new RuntimeException(new HttpTimeoutException("slow")))).type());
    }
}
