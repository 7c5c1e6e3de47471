package com.contoso.acsauth.security;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.entra.EntraSettings;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates the bearer token of every API call and returns the caller. The token's {@code iss} picks one of the
 * trusted issuers ({@link TrustedIssuerSettings}); only that issuer's keys, audiences and rules then apply, so a
 * token signed by one issuer can never pass as another's. An {@code iss} nobody trusts is refused before any key
 * is fetched.
 * <p>
 * Why not the servers' MicroProfile JWT: Payara's implementation rejects every token without a {@code jti} claim,
 * and Entra ID never issues one, so no real Entra token would pass on Payara; Liberty and WildFly differ again in
 * how they treat rejected tokens. One verifier in the WAR behaves the same on every server.
 */
@ApplicationScoped
public class BearerTokenVerifier {

    // an Entra v2 issuer of any tenant, to tell "tenant not allowed" from "unknown issuer"
    private static final Pattern ENTRA_TENANT_ISSUER = Pattern.compile("[0-9a-fA-F-]{36}/v2\\.0");

    private TrustedIssuerSettings trusted;
    private EntraSettings entra;
    private DownstreamSettings downstream;
    private final Map<String, IssuerVerifier> byIssuer = new LinkedHashMap<>();
    /** The configured workforce tenant's, or without one the first of TRUSTED_ISSUERS: what readiness looks at. */
    private IssuerVerifier primary;

    protected BearerTokenVerifier() {
        // for CDI proxies
    }

    @Inject
    public BearerTokenVerifier(TrustedIssuerSettings trusted, EntraSettings entra, DownstreamSettings downstream) {
        this.trusted = trusted;
        this.entra = entra;
        this.downstream = downstream;
    }

    /**
     * Called at deployment so the verifiers are built then rather than on the first request, which would otherwise
     * pay for the class loading: the call reaches the bean through its proxy, which builds it ({@link #build}).
     */
    public void warmUp() {
        // building is @PostConstruct's job; the call only has to arrive
    }

    @PostConstruct
    void build() {
        for (TrustedIssuer issuer : trusted.issuers()) {
            byIssuer.put(issuer.issuer(), new IssuerVerifier(issuer, downstream.timeout()));
        }
        primary = entra.configured() ? byIssuer.get(entra.issuer()) : byIssuer.values().iterator().next();
    }

    @PreDestroy
    void close() {
        byIssuer.values().forEach(IssuerVerifier::close);
    }

    /**
     * @return the caller the token names: a user of a trusted issuer with that issuer's scope
     * @throws com.contoso.acsauth.problem.ProblemException 401 for any invalid token, 403 without the scope; 503/504
     *         when the issuer's signing keys cannot be loaded
     */
    public Caller verify(String token) {
        JWT jwt;
        String iss;
        try {
            // parsed once: the issuer picks the verifier, which checks this same parsed token
            jwt = JWTParser.parse(token);
            iss = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw IssuerVerifier.invalidToken("The bearer token is invalid: it is not a JWT with a claims set.");
        }
        IssuerVerifier verifier = iss == null ? null : byIssuer.get(iss);
        if (verifier == null) {
            throw IssuerVerifier.invalidToken(entra.configured() && iss != null && iss.startsWith(entra.instance().toString())
                    && ENTRA_TENANT_ISSUER.matcher(iss.substring(entra.instance().toString().length())).matches()
                    ? "The bearer token belongs to a tenant that may not sign in to this API."
                    : "The bearer token was not issued by a trusted issuer.");
        }
        return verifier.verify(jwt);
    }

    /**
     * How many signing keys the primary issuer has (the configured tenant, AAD_TENANT_ID, or without one the first
     * of TRUSTED_ISSUERS), from the same cached, rate-limited key source that checks tokens (so a health probe costs
     * no extra round trip while the cache is fresh).
     *
     * @throws KeySourceException when the keys cannot be loaded and none are cached
     */
    public int signingKeyCount() throws KeySourceException {
        return primary.signingKeyCount();
    }

    /** Where the primary issuer's keys come from, for log lines. */
    public String signingKeysLocation() {
        return primary.keysLocation();
    }

    /** The verifier of the primary issuer, for tests. */
    IssuerVerifier home() {
        return primary;
    }
}
