package com.contoso.acsauth.security;

import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.problem.BearerChallenge;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.nimbusds.jose.JOSEException;
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
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocketFactory;

/**
 * Checks the tokens of one {@link TrustedIssuer}: RS256 with the issuer's published keys, the exact {@code iss},
 * one of its audiences, expiry and not-before, the tenant for Entra kinds, the user claim and the scope. Keys are
 * cached, refreshed (rate-limited) when a token names an unknown key, as after a key rollover, and kept for up to
 * six hours while the key endpoint is unreachable. With a discovery URL, the key URL is read from the discovery
 * document on first use (its {@code issuer} must be this issuer's), so a provider that is down at deployment does
 * not fail the deployment; its users get 503 until it answers.
 */
final class IssuerVerifier implements Closeable {

    private static final Logger LOG = Logger.getLogger(IssuerVerifier.class.getName());
    private static final DownstreamCall ENTRA_KEYS = new DownstreamCall(DownstreamCall.Service.ENTRA_ID, "signingKeys");
    private static final DownstreamCall ISSUER_KEYS = new DownstreamCall(DownstreamCall.Service.TOKEN_ISSUER, "signingKeys");
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;
    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    /** The mapping table's user column (V2__issuer_keys.sql); a longer id could never be stored. */
    static final int MAX_USER_ID_LENGTH = 255;
    private static final Duration KEYS_OUTAGE_TOLERANCE = Duration.ofHours(6);
    /** How long a failed discovery is answered from memory, so an unreachable provider is not asked on every request. */
    private static final Duration DISCOVERY_RETRY = Duration.ofSeconds(5);

    private final TrustedIssuer issuer;
    private final ResourceRetriever retriever;
    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    // built on first use when only the discovery document knows the key URL
    private volatile JWKSource<SecurityContext> keys;
    /** Whether the issuer's keys were ever loaded; until then a rate-limited re-fetch says nothing about the token. */
    private volatile boolean keysLoaded;
    private KeySourceException discoveryFailure;
    private long discoveryRetryAtNanos;

    IssuerVerifier(TrustedIssuer issuer, Duration timeout) {
        this(issuer, timeout, null);
    }

    /** @param tls the TLS sockets for the key and discovery requests; null for the JVM's default trust */
    IssuerVerifier(TrustedIssuer issuer, Duration timeout, SSLSocketFactory tls) {
        this.issuer = issuer;
        int millis = (int) timeout.toMillis();
        this.retriever = new DefaultResourceRetriever(millis, millis, MAX_DOCUMENT_BYTES, true, tls);
        issuer.keysUrl().ifPresent(url -> keys = keySource(url));
        // JWT, none, or RFC 9068's at+jwt (Keycloak, Auth0 and others may type access tokens so)
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, AT_JWT, null));
        // any answer of the key source (even "no key with that kid") means the key set was loaded
        JWKSource<SecurityContext> recordingLoads = (selector, context) -> {
            List<JWK> found = keys().get(selector, context);
            keysLoaded = true;
            return found;
        };
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, recordingLoads));
        Set<String> required = new LinkedHashSet<>(List.of("exp", "iat", issuer.userClaim()));
        issuer.tenantId().ifPresent(tenant -> required.add("tid"));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(issuer.audiences(),
                new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(), required, null));
    }

    TrustedIssuer issuer() {
        return issuer;
    }

    private JWKSource<SecurityContext> keySource(URI url) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(url.toURL(), retriever)
                    .retrying(true)
                    // keep validating with the last good keys while the key endpoint is down
                    .outageTolerant(KEYS_OUTAGE_TOLERANCE.toMillis())
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("the key set URL of issuer " + issuer.name() + " is not valid: " + url, e);
        }
    }

    /** The key source, from the discovery document on first use; a failed discovery is retried by the next request. */
    private JWKSource<SecurityContext> keys() throws KeySourceException {
        JWKSource<SecurityContext> known = keys;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (keys == null) {
                if (discoveryFailure != null && System.nanoTime() - discoveryRetryAtNanos < 0) {
                    throw discoveryFailure;
                }
                try {
                    keys = keySource(discoverKeysUrl(issuer.discoveryUrl().orElseThrow()));
                    discoveryFailure = null;
                } catch (KeySourceException e) {
                    discoveryFailure = e;
                    discoveryRetryAtNanos = System.nanoTime() + DISCOVERY_RETRY.toNanos();
                    throw e;
                }
            }
            return keys;
        }
    }

    private URI discoverKeysUrl(URI discoveryUrl) throws KeySourceException {
        Map<String, Object> document;
        try {
            URL url = discoveryUrl.toURL();
            document = JSONObjectUtils.parse(retriever.retrieveResource(url).getContent());
        } catch (IOException | ParseException e) {
            throw new KeySourceException("the discovery document " + discoveryUrl + " cannot be read: " + e.getMessage(), e);
        }
        Object published = document.get("issuer");
        if (!issuer.issuer().equals(published)) {
            // OpenID Connect Discovery 1.0, section 4.3: a document for another issuer must not be used
            throw new KeySourceException("the discovery document " + discoveryUrl + " is for the issuer " + published
                    + ", not " + issuer.issuer());
        }
        Object jwksUri = document.get("jwks_uri");
        try {
            URI keysUrl = URI.create(String.valueOf(jwksUri));
            if (!"https".equalsIgnoreCase(keysUrl.getScheme())) {
                throw new KeySourceException("the discovery document " + discoveryUrl + " names no https jwks_uri: " + jwksUri);
            }
            return keysUrl;
        } catch (IllegalArgumentException e) {
            throw new KeySourceException("the discovery document " + discoveryUrl + " names an invalid jwks_uri: " + jwksUri, e);
        }
    }

    /**
     * @return the caller the token names, with the issuer's scope
     * @throws ProblemException 401 for any invalid token, 403 without the scope; 503/504 when the keys cannot be loaded
     */
    Caller verify(String token) {
        try {
            return verify(JWTParser.parse(token));
        } catch (ParseException e) {
            throw new ProblemException(ProblemType.INVALID_TOKEN, reason(e), e).challenge(BearerChallenge.invalidToken());
        }
    }

    /** As {@link #verify(String)}, for a token {@link BearerTokenVerifier} already parsed to read its issuer. */
    Caller verify(JWT jwt) {
        String token = jwt.getParsedString();
        JWTClaimsSet claims = claimsOf(jwt);
        String user = text(claims, issuer.userClaim());
        if (user == null) {
            throw invalidToken("The bearer token has no " + issuer.userClaim() + " claim; only tokens issued to users are accepted.");
        }
        if (user.length() > MAX_USER_ID_LENGTH) {
            throw invalidToken("The bearer token's " + issuer.userClaim() + " is longer than " + MAX_USER_ID_LENGTH + " characters.");
        }
        Optional<String> tenant = issuer.tenantId();
        if (tenant.isPresent() && !tenant.get().equalsIgnoreCase(text(claims, "tid"))) {
            throw invalidToken("The bearer token's tid does not match its issuer.");
        }
        if (!scopes(claims).contains(issuer.scope())) {
            throw new ProblemException(ProblemType.INSUFFICIENT_SCOPE,
                    "The bearer token must carry the scope " + issuer.scope() + " of this API.")
                    .challenge(BearerChallenge.insufficientScope(issuer.scope()));
        }
        return new Caller(user, issuer.issuerId(), token, issuer.name(), issuer.entraWorkforce());
    }

    /** The scope claim as a space-separated string (Entra, Keycloak, RFC 8693) or as an array (Okta's {@code scp}). */
    private List<String> scopes(JWTClaimsSet claims) {
        Object value = claims.getClaim(issuer.scopeClaim());
        if (value instanceof String text) {
            return Arrays.asList(text.split(" "));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    private static String text(JWTClaimsSet claims, String name) {
        try {
            String value = claims.getStringClaim(name);
            return value == null || value.isBlank() ? null : value;
        } catch (ParseException e) {
            return null;
        }
    }

    static ProblemException invalidToken(String detail) {
        return new ProblemException(ProblemType.INVALID_TOKEN, detail).challenge(BearerChallenge.invalidToken());
    }

    private JWTClaimsSet claimsOf(JWT token) {
        try {
            return processor.process(token, null);
        } catch (RateLimitReachedException e) {
            if (!keysLoaded) {
                // no key was ever loaded (the issuer unreachable since start): we cannot judge any token yet
                throw keysUnavailable(e);
            }
            // a token naming an unknown key already made us re-fetch the key set moments ago: the token is bad
            throw invalidToken("The bearer token is not signed by any of its issuer's current keys.");
        } catch (KeySourceException e) {
            // we cannot tell a good token from a bad one without the keys: that is our outage, not the caller's fault
            throw keysUnavailable(e);
        } catch (BadJOSEException | JOSEException e) {
            throw new ProblemException(ProblemType.INVALID_TOKEN, reason(e), e).challenge(BearerChallenge.invalidToken());
        }
    }

    private ProblemException keysUnavailable(Exception e) {
        String from = issuer.entraWorkforce() ? "of the tenant cannot be loaded from Entra ID" : "of the issuer " + issuer.name() + " cannot be loaded";
        return new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE, "The token signing keys " + from + "; retry later.", e)
                .from(issuer.kind() == TrustedIssuer.Kind.B2C || issuer.kind() == TrustedIssuer.Kind.OIDC ? ISSUER_KEYS : ENTRA_KEYS, null);
    }

    /**
     * How many signing keys the verifier holds, from the same cached, rate-limited key source that checks tokens.
     *
     * @throws KeySourceException when the keys cannot be loaded and none are cached
     */
    int signingKeyCount() throws KeySourceException {
        int count = keys().get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
        keysLoaded |= count > 0;
        return count;
    }

    /** Where the keys come from, for log lines. */
    String keysLocation() {
        return issuer.keysUrl().or(issuer::discoveryUrl).map(URI::toString).orElse("?");
    }

    /** The key source, for tests. */
    JWKSource<SecurityContext> keySource() {
        return keys;
    }

    /**
     * Stops nimbus' refresh-ahead executor (a non-daemon pool thread, started by the first refresh ahead of the
     * cache's expiry): left running it would outlive an undeployment and pin the WAR's class loader.
     */
    @Override
    public void close() {
        if (keys instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "Closing the signing key source failed", e);
            }
        }
    }

    private String reason(Exception e) {
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
        // before "iss", which "missing" contains
        if (message.contains("missing required claims")) {
            return "The bearer token lacks a required claim (exp, iat, " + (issuer.tenantId().isPresent() ? "tid, " : "")
                    + issuer.userClaim() + "); only user tokens are accepted.";
        }
        if (message.contains("iss")) {
            return "The bearer token was not issued by a trusted issuer.";
        }
        return "The bearer token is invalid: it is malformed, not RS256, or not signed by its issuer's keys.";
    }
}
