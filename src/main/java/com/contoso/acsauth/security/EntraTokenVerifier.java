package com.contoso.acsauth.security;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.problem.BearerChallenge;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Validates Entra ID v2 access tokens and returns the caller: RS256 signature with the tenant's published keys, exact
 * issuer, audience (client id or {@code api://} form), expiry and not-before, then the tenant ({@code tid}), the user
 * ({@code oid}) and the {@code access_as_user} scope ({@code scp}).
 * <p>
 * Why not the servers' MicroProfile JWT: Payara's implementation rejects every token without a {@code jti} claim,
 * and Entra ID never issues one, so no real Entra token would pass on Payara; Liberty and WildFly differ again in
 * how they treat rejected tokens. One verifier in the WAR behaves the same on every server. Keys are cached,
 * refreshed (rate-limited) when a token names an unknown key, as after Entra ID's key rollover, and kept for up to
 * six hours while the key endpoint is unreachable.
 */
@ApplicationScoped
public class EntraTokenVerifier {

    static final String REQUIRED_SCOPE = "access_as_user";

    private static final Logger LOG = Logger.getLogger(EntraTokenVerifier.class.getName());
    private static final DownstreamCall KEYS = new DownstreamCall(DownstreamCall.Service.ENTRA_ID, "signingKeys");
    private static final int MAX_JWKS_BYTES = 256 * 1024;
    private static final Duration KEYS_OUTAGE_TOLERANCE = Duration.ofHours(6);

    private EntraSettings entra;
    private DownstreamSettings downstream;
    private JWKSource<SecurityContext> keys;
    private ConfigurableJWTProcessor<SecurityContext> processor;

    protected EntraTokenVerifier() {
        // for CDI proxies
    }

    /** Whether the tenant's keys were ever loaded; until then a rate-limited re-fetch says nothing about the token. */
    private volatile boolean keysLoaded;

    @Inject
    public EntraTokenVerifier(EntraSettings entra, DownstreamSettings downstream) {
        this.entra = entra;
        this.downstream = downstream;
    }

    /** Built at deployment rather than on the first request, which would otherwise pay for the SDKs' class loading. */
    void eagerly(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        // the observer's only job is to instantiate the bean
    }

    @PostConstruct
    void build() {
        int timeout = (int) downstream.timeout().toMillis();
        try {
            keys = JWKSourceBuilder
                    .<SecurityContext>create(URI.create(entra.keysUrl()).toURL(),
                            new DefaultResourceRetriever(timeout, timeout, MAX_JWKS_BYTES))
                    .retrying(true)
                    // keep validating with the last good keys while Entra ID's key endpoint is down
                    .outageTolerant(KEYS_OUTAGE_TOLERANCE.toMillis())
                    .build();
            processor = new DefaultJWTProcessor<>();
            processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
            // any answer of the key source (even "no key with that kid") means the key set was loaded
            JWKSource<SecurityContext> recordingLoads = (selector, context) -> {
                List<JWK> found = keys.get(selector, context);
                if (!keysLoaded) {
                    keysLoaded = true;
                }
                return found;
            };
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, recordingLoads));
            processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                    Set.of(entra.clientId(), "api://" + entra.clientId()),
                    new JWTClaimsSet.Builder().issuer(entra.issuer()).build(),
                    Set.of("exp", "iat", "tid", "oid"),
                    null));
        } catch (MalformedURLException e) {
            throw new IllegalStateException("AAD_INSTANCE/AAD_TENANT_ID do not form a valid key set URL", e);
        }
    }

    /**
     * Stops nimbus' refresh-ahead executor (a non-daemon pool thread, started by the first refresh ahead of the
     * cache's expiry): left running it would outlive an undeployment and pin the WAR's class loader.
     */
    @PreDestroy
    void close() {
        if (keys instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "Closing the signing key source failed", e);
            }
        }
    }

    /** The key source, for tests. */
    JWKSource<SecurityContext> keySource() {
        return keys;
    }

    /**
     * @return the caller the token names: a user ({@code oid}) of the configured tenant with the scope
     *         {@value #REQUIRED_SCOPE}
     * @throws ProblemException 401 for any invalid token, 403 without the scope; 503/504 when the signing keys cannot
     *         be loaded
     */
    public Caller verify(String token) {
        JWTClaimsSet claims = claimsOf(token);
        String oid = text(claims, "oid");
        String tid = text(claims, "tid");
        if (oid == null) {
            throw invalidToken("The bearer token has no oid claim; only tokens issued to users are accepted.");
        }
        if (!entra.tenantId().equalsIgnoreCase(tid)) {
            throw invalidToken("The bearer token belongs to another tenant.");
        }
        String scopes = text(claims, "scp");
        if (scopes == null || Arrays.stream(scopes.split(" ")).noneMatch(REQUIRED_SCOPE::equals)) {
            throw new ProblemException(ProblemType.INSUFFICIENT_SCOPE,
                    "The bearer token must carry the scope " + REQUIRED_SCOPE + " of this API.")
                    .challenge(BearerChallenge.insufficientScope(REQUIRED_SCOPE));
        }
        return new Caller(oid, tid, token);
    }

    private static String text(JWTClaimsSet claims, String name) {
        try {
            String value = claims.getStringClaim(name);
            return value == null || value.isBlank() ? null : value;
        } catch (ParseException e) {
            return null;
        }
    }

    private static ProblemException invalidToken(String detail) {
        return new ProblemException(ProblemType.INVALID_TOKEN, detail)
                .challenge(BearerChallenge.invalidToken());
    }

    /**
     * @return the token's verified claims
     * @throws ProblemException 401 for any invalid token; 503/504 when the signing keys cannot be loaded
     */
    private JWTClaimsSet claimsOf(String token) {
        try {
            return processor.process(token, null);
        } catch (RateLimitReachedException e) {
            if (!keysLoaded) {
                // no key was ever loaded (Entra ID unreachable since start): we cannot judge any token yet
                throw new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE,
                        "The token signing keys of the tenant cannot be loaded from Entra ID; retry later.", e).from(KEYS, null);
            }
            // a token naming an unknown key already made us re-fetch the key set moments ago: the token is bad
            throw new ProblemException(ProblemType.INVALID_TOKEN,
                    "The bearer token is not signed by any of the tenant's current keys.", e)
                    .challenge(BearerChallenge.invalidToken());
        } catch (KeySourceException e) {
            // we cannot tell a good token from a bad one without the keys: that is our outage, not the caller's fault
            throw new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE,
                    "The token signing keys of the tenant cannot be loaded from Entra ID; retry later.", e).from(KEYS, null);
        } catch (ParseException | BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new ProblemException(ProblemType.INVALID_TOKEN, reason(e), e)
                    .challenge(BearerChallenge.invalidToken());
        }
    }

    /**
     * How many signing keys the verifier holds, from the same cached, rate-limited key source that checks tokens
     * (so a health probe costs no extra round trip while the cache is fresh).
     *
     * @throws KeySourceException when the keys cannot be loaded and none are cached
     */
    public int signingKeyCount() throws KeySourceException {
        int count = keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
        keysLoaded |= count > 0;
        return count;
    }

    private static String reason(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Expired")) {
            return "The bearer token has expired.";
        }
        if (message.contains("before use time") || message.contains("nbf")) {
            return "The bearer token is not valid yet.";
        }
        if (message.contains("audience") || message.contains("aud")) {
            return "The bearer token was not issued for this API.";
        }
        if (message.contains("iss")) {
            return "The bearer token was not issued by the configured tenant.";
        }
        if (message.contains("missing required claims")) {
            return "The bearer token lacks a required claim (exp, iat, tid, oid); only user tokens are accepted.";
        }
        return "The bearer token is invalid: it is malformed, not RS256, or not signed by the tenant's keys.";
    }
}
