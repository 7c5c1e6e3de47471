package com.contoso.acsauth.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.entra.EntraSettings;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetSourceWrapper;
import com.nimbusds.jose.jwk.source.RefreshAheadCachingJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BearerTokenVerifierCloseTest {

    @Test
    void undeployStopsTheKeyRefreshThread() throws Exception {
        BearerTokenVerifier verifier = BearerTokenVerifierTest.verifier(
                new EntraSettings(URI.create("https://login.example/"), "tenant", "client", null),
                new DownstreamSettings(Duration.ofSeconds(5), 0));
        verifier.build();
        RefreshAheadCachingJWKSetSource<SecurityContext> refreshAhead = refreshAhead(verifier);
        // the thread nimbus starts for its first refresh ahead of the cache's expiry
        Thread refresher = refreshAhead.getExecutorService().submit(Thread::currentThread).get();
        assertTrue(refresher.isAlive());

        verifier.close();

        refresher.join(5_000);
        assertFalse(refresher.isAlive(), "the key refresh thread outlives the undeployment");
        assertTrue(refreshAhead.getExecutorService().isShutdown());
    }

    @SuppressWarnings("unchecked")
    private static RefreshAheadCachingJWKSetSource<SecurityContext> refreshAhead(BearerTokenVerifier verifier) {
        JWKSetSource<SecurityContext> source = ((JWKSetBasedJWKSource<SecurityContext>) verifier.home().keySource()).getJWKSetSource();
        while (!(source instanceof RefreshAheadCachingJWKSetSource)) {
            source = ((JWKSetSourceWrapper<SecurityContext>) source).getSource();
        }
        return (RefreshAheadCachingJWKSetSource<SecurityContext>) source;
    }
}
