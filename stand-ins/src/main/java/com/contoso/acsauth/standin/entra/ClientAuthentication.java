package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.StandInServer.Request;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who a token request comes from, checked as Entra checks it: {@code client_secret} (body or Basic), or
 * {@code client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer} with a {@code client_assertion}
 * that is either
 * <ul>
 *   <li>a certificate assertion: RS256 or PS256, {@code x5t#S256} or {@code x5t} of a certificate registered on the
 *       client (both Base64 alphabets: msal4j writes standard Base64), {@code iss} = {@code sub} = the client id,
 *       {@code aud} = this token endpoint, {@code exp}/{@code nbf}, {@code jti}; or</li>
 *   <li>a federated assertion: a JWT whose issuer, subject and audience match one of the client's federated identity
 *       credentials, signed with a key the issuer publishes (Entra's own key for its own issuer, else fetched from
 *       the issuer's {@code .well-known/openid-configuration} and {@code jwks_uri}), within its lifetime, and (from
 *       Entra's own issuer, i.e. a managed identity's token) app-only.</li>
 * </ul>
 */
final class ClientAuthentication {

    static final String JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Set<JWSAlgorithm> CERTIFICATE_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256);
    // Entra's tolerance for clock skew on nbf; exp is strict, so an assertion that has just expired fails
    private static final Duration NOT_BEFORE_SKEW = Duration.ofMinutes(5);
    private static final String CERTIFICATE_DOCS = " Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .";
    private static final String FEDERATION_DOCS = " Check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            + " https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

    /** How the client proved itself: {@code appidacr} / {@code azpacr} of the tokens it gets. */
    enum Method {
        SECRET("1"), CERTIFICATE("2"), FEDERATED("2");

        final String authenticationContextClass;

        Method(String acr) {
            this.authenticationContextClass = acr;
        }
    }

    record Authenticated(ConfidentialClient client, Method method) {
        String clientId() {
            return client.clientId();
        }
    }

    /** What the request presented: any of these may be null. */
    record Presented(String clientId, String secret, String assertionType, String assertion) {
        boolean anyCredential() {
            return secret != null || assertion != null || assertionType != null;
        }
    }

    private final EntraStandIn entra;
    private final HttpClient federatedIssuers;

    ClientAuthentication(EntraStandIn entra, HttpClient federatedIssuers) {
        this.entra = entra;
        this.federatedIssuers = federatedIssuers;
    }

    /** client_secret_post, client_secret_basic (RFC 6749 2.3.1: both parts form-url-encoded before Base64) or private_key_jwt. */
    static Presented presented(Request request, Map<String, String> form) throws AadError {
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalidSecret(null, "(malformed Basic credentials)");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw invalidSecret(null, "(malformed Basic credentials)");
            }
            return new Presented(URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8), null, null);
        }
        return new Presented(form.get("client_id"), form.get("client_secret"), form.get("client_assertion_type"),
                form.get("client_assertion"));
    }

    /** The confidential client the request authenticates as, or the AADSTS error Entra answers. */
    Authenticated authenticate(Presented presented, String tokenEndpointTenant) throws AadError {
        String clientId = presented.clientId();
        if (clientId == null) {
            throw AadError.missingParameter("client_id");
        }
        requireRegistered(clientId);
        Optional<ConfidentialClient> confidential = entra.confidentialClientIfAny(clientId);
        if (confidential.isEmpty()) {
            if (presented.anyCredential()) {
                throw new AadError(401, "invalid_client", 700025,
                        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
            }
            throw credentialMissing();
        }
        ConfidentialClient client = confidential.get();
        if (presented.secret() != null) {
            if (client.secret() == null || !client.secret().equals(presented.secret())) {
                throw invalidSecret(clientId, null);
            }
            return new Authenticated(client, Method.SECRET);
        }
        if (presented.assertion() == null || presented.assertion().isBlank()) {
            throw credentialMissing();
        }
        if (presented.assertionType() == null || presented.assertionType().isBlank()) {
            throw AadError.missingParameter("client_assertion_type");
        }
        if (!presented.assertionType().equals(JWT_BEARER_ASSERTION)) {
            throw AadError.invalidRequest(90011, "Unexpected client assertion type.");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(presented.assertion());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw malformed();
        }
        JWSHeader header = jwt.getHeader();
        boolean certificateAssertion = header.getX509CertSHA256Thumbprint() != null || header.getX509CertThumbprint() != null
                || clientId.equals(claims.getIssuer());
        if (certificateAssertion) {
            checkCertificateAssertion(client, jwt, claims, tokenEndpointTenant);
            return new Authenticated(client, Method.CERTIFICATE);
        }
        checkFederatedAssertion(client, jwt, claims);
        return new Authenticated(client, Method.FEDERATED);
    }

    void requireRegistered(String clientId) throws AadError {
        if (!entra.registeredClients().contains(clientId)) {
            throw new AadError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId + "' was not found in"
                    + " the directory '" + EntraStandIn.TENANT_DOMAIN + "'. This can happen if the application has not been installed by"
                    + " the administrator of the tenant or consented to by any user in the tenant.");
        }
    }

    // ---- certificate assertions -------------------------------------------------------------------------------

    private void checkCertificateAssertion(ConfidentialClient client, SignedJWT jwt, JWTClaimsSet claims, String tenant) throws AadError {
        String clientId = client.clientId();
        if (!CERTIFICATE_ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
            throw malformed();
        }
        if (!clientId.equals(claims.getIssuer())) {
            throw new AadError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id'"
                    + " parameter." + CERTIFICATE_DOCS);
        }
        if (!clientId.equals(claims.getSubject())) {
            throw new AadError(401, "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion for application '"
                    + clientId + "'." + CERTIFICATE_DOCS);
        }
        byte[] presentedHash = presentedThumbprint(jwt.getHeader());
        String shownThumbprint = presentedHash == null ? "" : HexFormat.of().withUpperCase().formatHex(presentedHash);
        X509Certificate certificate = client.certificates().stream()
                .filter(c -> presentedHash != null && (MessageDigest.isEqual(presentedHash, sha(c, "SHA-256"))
                        || MessageDigest.isEqual(presentedHash, sha(c, "SHA-1"))))
                .findFirst()
                .orElseThrow(() -> new AadError(401, "invalid_client", 700027, "The certificate with identifier used to sign the client"
                        + " assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by"
                        + " client: '" + shownThumbprint + "', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to"
                        + " see configured keys for app Id '" + clientId + "'." + CERTIFICATE_DOCS + "]"));
        if (!verifies(jwt, (RSAPublicKey) certificate.getPublicKey())) {
            throw new AadError(401, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - Key was found,"
                    + " but use of the key to verify the signature failed., Thumbprint of key used by client: '" + shownThumbprint
                    + "', Found key 'Start=" + certificate.getNotBefore().toInstant() + ", End=" + certificate.getNotAfter().toInstant()
                    + "']" + CERTIFICATE_DOCS);
        }
        List<String> audience = claims.getAudience();
        Set<String> tokenEndpoints = Set.of(
                entra.aadInstance() + tenant + "/oauth2/v2.0/token", entra.aadInstance() + tenant + "/oauth2/token");
        if (audience.size() != 1) {
            throw malformed();
        }
        if (!tokenEndpoints.contains(audience.get(0))) {
            throw new AadError(401, "invalid_client", 50012, "Client assertion audience claim does not match Realm issuer. The audience"
                    + " in the assertion was '" + audience.get(0) + "' and the expected audience is '" + entra.aadInstance() + tenant
                    + "/oauth2/v2.0/token'." + CERTIFICATE_DOCS);
        }
        requireWithinLifetime(claims, CERTIFICATE_DOCS);
        if (claims.getJWTID() == null || claims.getJWTID().isBlank()) {
            throw malformed();
        }
    }

    // x5t#S256 first (msal4j's choice), else x5t; either Base64 alphabet, padded or not
    private static byte[] presentedThumbprint(JWSHeader header) {
        Base64URL thumbprint = header.getX509CertSHA256Thumbprint() != null ? header.getX509CertSHA256Thumbprint()
                : header.getX509CertThumbprint();
        if (thumbprint == null) {
            return null;
        }
        String value = thumbprint.toString().replace('+', '-').replace('/', '_').replace("=", "");
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] sha(X509Certificate certificate, String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- federated assertions ---------------------------------------------------------------------------------

    private void checkFederatedAssertion(ConfidentialClient client, SignedJWT jwt, JWTClaimsSet claims) throws AadError {
        String issuer = claims.getIssuer();
        List<FederatedCredential> sameIssuer = client.federatedCredentials().stream()
                .filter(f -> f.issuer().equals(issuer))
                .toList();
        if (sameIssuer.isEmpty()) {
            throw new AadError(401, "invalid_client", 700211, "No matching federated identity record found for presented assertion"
                    + " issuer '" + issuer + "'. Please note that the matching is done using a case-sensitive comparison." + FEDERATION_DOCS);
        }
        RSAPublicKey key = issuerKey(issuer, jwt.getHeader().getKeyID());
        if (key == null || !JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !verifies(jwt, key)) {
            throw new AadError(401, "invalid_client", 700027, "Client assertion failed signature validation. [Reason - The key was not"
                    + " found or the signature did not verify., Key id: '" + jwt.getHeader().getKeyID() + "', Issuer: '" + issuer + "']");
        }
        requireWithinLifetime(claims, FEDERATION_DOCS);
        if (isEntraIssuer(issuer) && !"app".equals(claims.getClaim("idtyp"))) {
            throw new AadError(401, "invalid_client", 700229, "Forbidden token type. Only app-only tokens may be used as Federated"
                    + " Identity Credentials for AAD issuer.");
        }
        List<String> audience = claims.getAudience();
        List<FederatedCredential> sameAudience = sameIssuer.stream()
                .filter(f -> f.audiences().stream().anyMatch(audience::contains))
                .toList();
        if (sameAudience.isEmpty()) {
            throw new AadError(401, "invalid_client", 700212, "No matching federated identity record found for presented assertion"
                    + " audience '" + String.join(",", audience) + "'." + FEDERATION_DOCS);
        }
        if (sameAudience.stream().noneMatch(f -> f.subject().equals(claims.getSubject()))) {
            throw new AadError(401, "invalid_client", 700213, "No matching federated identity record found for presented assertion"
                    + " subject '" + claims.getSubject() + "'. Please note that the matching is done using a case-sensitive comparison."
                    + FEDERATION_DOCS);
        }
    }

    private boolean isEntraIssuer(String issuer) {
        return issuer.equals(entra.issuer()) || issuer.equals(entra.v1Issuer());
    }

    // Entra trusts its own keys for its own issuers; any other issuer publishes its keys under OpenID discovery
    private RSAPublicKey issuerKey(String issuer, String keyId) throws AadError {
        if (isEntraIssuer(issuer)) {
            try {
                return entra.signingKey().getKeyID().equals(keyId) ? entra.signingKey().toRSAPublicKey() : null;
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        try {
            JsonObject discovery = getJson(base + "/.well-known/openid-configuration");
            JWKSet keys = JWKSet.parse(getJson(discovery.getString("jwks_uri")).toString());
            for (JWK jwk : keys.getKeys()) {
                if (jwk instanceof RSAKey rsa && (keyId == null || keyId.equals(rsa.getKeyID()))) {
                    return rsa.toRSAPublicKey();
                }
            }
            return null;
        } catch (IOException | JsonException | ClassCastException | NullPointerException | ParseException | JOSEException
                 | IllegalArgumentException e) {
            throw new AadError(401, "invalid_client", 50166, "Request to External OIDC endpoint failed. Issuer: '" + issuer + "'.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AadError(401, "invalid_client", 50166, "Request to External OIDC endpoint failed. Issuer: '" + issuer + "'.");
        }
    }

    private JsonObject getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = federatedIssuers.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    private static boolean verifies(SignedJWT jwt, RSAPublicKey key) {
        try {
            return jwt.verify(new RSASSAVerifier(key));
        } catch (JOSEException e) {
            return false;
        }
    }

    private static void requireWithinLifetime(JWTClaimsSet claims, String docs) throws AadError {
        Instant now = Instant.now();
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || !exp.toInstant().isAfter(now) || (nbf != null && nbf.toInstant().isAfter(now.plus(NOT_BEFORE_SKEW)))) {
            throw new AadError(401, "invalid_client", 700024, "Client assertion is not within its valid time range. Current time: " + now
                    + ", assertion valid from " + (nbf == null ? Instant.EPOCH : nbf.toInstant()) + ", expiry time of assertion "
                    + (exp == null ? "(none)" : exp.toInstant()) + "." + docs);
        }
    }

    private static AadError malformed() {
        return new AadError(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
    }

    private static AadError credentialMissing() {
        return new AadError(401, "invalid_client", 7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }

    private static AadError invalidSecret(String clientId, String detail) {
        if (clientId == null) {
            return new AadError(401, "invalid_client", 7000215, "Invalid client secret provided " + detail + ".");
        }
        return new AadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the"
                + " request is the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
    }
}
