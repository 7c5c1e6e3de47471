package com.contoso.acsauth.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.contoso.acsauth.config.SettingsReader;
import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.entra.AppCredential;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What callers see while the tenant's signing keys cannot be had. */
class BearerTokenVerifierTest {

    @Test
    void whileNoKeyWasEverLoadedEveryTokenIs503NotInvalid() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        EntraSettings entra = new EntraSettings(URI.create("http://127.0.0.1:" + closedPort + "/"), "tenant", "client",
                new AppCredential.None());
        BearerTokenVerifier cut = verifier(entra, new DownstreamSettings(Duration.ofSeconds(1), 0));
        String token = token(entra.issuer());

        ProblemException first = assertThrows(ProblemException.class, () -> cut.verify(token));
        ProblemException second = assertThrows(ProblemException.class, () -> cut.verify(token));
        // measured with nimbus 10.10: from the third call on, the re-fetch is rate-limited
        ProblemException third = assertThrows(ProblemException.class, () -> cut.verify(token));

        assertEquals(ProblemType.DOWNSTREAM_UNAVAILABLE, first.type());
        assertEquals(ProblemType.DOWNSTREAM_UNAVAILABLE, second.type());
        assertEquals(ProblemType.DOWNSTREAM_UNAVAILABLE, third.type(), "not 401: the server cannot judge any token yet");
    }

    /** The verifier of the configured tenant alone, built as at deployment. */
    static BearerTokenVerifier verifier(EntraSettings entra, DownstreamSettings downstream) {
        BearerTokenVerifier verifier = new BearerTokenVerifier(
                TrustedIssuerSettings.read(new SettingsReader(property -> Optional.empty()), entra), entra, downstream);
        verifier.build();
        return verifier;
    }

    private static String token(String issuer) throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
                new JWTClaimsSet.Builder().issuer(issuer).audience("client")
                        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
