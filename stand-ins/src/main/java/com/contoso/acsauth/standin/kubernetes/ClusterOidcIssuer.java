package com.contoso.acsauth.standin.kubernetes;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.SelfSignedKeyStore;
import com.contoso.acsauth.standin.StandInServer;
import com.contoso.acsauth.standin.entra.FederatedCredential;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OIDC issuer of a Kubernetes cluster with workload identity (AKS's {@code --enable-oidc-issuer}): a discovery
 * document and a key set, over HTTPS, with a signing key of its own. It also mints the projected service-account
 * tokens the workload-identity webhook puts in the pod ({@code AZURE_FEDERATED_TOKEN_FILE}). Entra fetches the
 * discovery document and the keys when such a token is presented as a client assertion.
 *
 * <pre>
 * issuer     https://127.0.0.1:&lt;port&gt;/&lt;tenant&gt;/&lt;cluster&gt;/   (trailing slash, as AKS issuers have)
 * GET        &lt;issuer&gt;.well-known/openid-configuration
 * GET        &lt;issuer&gt;openid/v1/jwks
 * </pre>
 */
public final class ClusterOidcIssuer extends StandInServer {

    public static final String CLUSTER_ID = "c1a5e700-0000-4000-8000-00000000c1a5";
    /** The namespace and service account the server's pod runs as. */
    public static final String NAMESPACE = "acs-auth";
    public static final String SERVICE_ACCOUNT = "acs-auth-server";
    /** Kubernetes' default lifetime of a projected service-account token. */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

    private final String tenantId;
    private final RSAKey signingKey;
    private final RSASSASigner signer;

    public ClusterOidcIssuer(int port, SSLContext tls, SelfSignedKeyStore signing, String tenantId, CallLog calls, Faults faults) {
        super("cluster OIDC issuer", "standin.clusterIssuer.port", port, tls, calls, faults);
        this.tenantId = tenantId;
        try {
            this.signingKey = new RSAKey.Builder((RSAPublicKey) signing.certificate().getPublicKey())
                    .privateKey(signing.privateKey())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .keyIDFromThumbprint()
                    .build();
            this.signer = new RSASSASigner(signingKey);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code https://127.0.0.1:<port>/<tenant>/<cluster>/}: the {@code iss} of its tokens and of a federated credential trusting them. */
    public String issuer() {
        return baseUrl() + tenantId + "/" + CLUSTER_ID + "/";
    }

    public String jwksUri() {
        return issuer() + "openid/v1/jwks";
    }

    /** {@code system:serviceaccount:acs-auth:acs-auth-server} */
    public String subject() {
        return subject(NAMESPACE, SERVICE_ACCOUNT);
    }

    public static String subject(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /** The federated credential an app needs to accept the server's service-account tokens. */
    public FederatedCredential federatedCredential() {
        return FederatedCredential.of("aks-acs-auth-server", issuer(), subject());
    }

    /** A fresh projected token of the server's service account for {@code api://AzureADTokenExchange}, valid 1 h. */
    public String serviceAccountToken() {
        return sign(serviceAccountTokenClaims(NAMESPACE, SERVICE_ACCOUNT).build());
    }

    /** The claims of a projected service-account token, prefilled, for crafting bad ones. */
    public JWTClaimsSet.Builder serviceAccountTokenClaims(String namespace, String serviceAccount) {
        Instant now = Instant.now();
        String pod = serviceAccount + "-7d9f8c6b5-x2x4q";
        return new JWTClaimsSet.Builder()
                .audience(List.of(FederatedCredential.TOKEN_EXCHANGE_AUDIENCE))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .issueTime(Date.from(now))
                .issuer(issuer())
                .jwtID(UUID.randomUUID().toString())
                .claim("kubernetes.io", Map.of(
                        "namespace", namespace,
                        "node", Map.of("name", "aks-nodepool1-12345678-vmss000000", "uid", UUID.randomUUID().toString()),
                        "pod", Map.of("name", pod, "uid", UUID.randomUUID().toString()),
                        "serviceaccount", Map.of("name", serviceAccount, "uid", UUID.nameUUIDFromBytes(serviceAccount.getBytes(StandardCharsets.UTF_8)).toString())))
                .notBeforeTime(Date.from(now))
                .subject(subject(namespace, serviceAccount));
    }

    /** Signs with the cluster's key, as the API server does: RS256 and its kid, no typ. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The published key (public part). */
    public RSAKey signingKey() {
        return signingKey.toPublicJWK();
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    @Override
    protected Operation classify(Request request) {
        String prefix = "/" + tenantId + "/" + CLUSTER_ID + "/";
        if (!request.method().equals("GET")) {
            return null;
        }
        if (request.path().equals(prefix + ".well-known/openid-configuration")) {
            return Operation.CLUSTER_OIDC_DISCOVERY;
        }
        if (request.path().equals(prefix + "openid/v1/jwks")) {
            return Operation.CLUSTER_OIDC_KEYS;
        }
        return null;
    }

    @Override
    protected Response handle(Operation op, Request request) {
        if (op == null) {
            return status(404, "NotFound", "the server could not find the requested resource");
        }
        return switch (op) {
            case CLUSTER_OIDC_DISCOVERY -> Response.json(200, Json.createObjectBuilder()
                    .add("issuer", issuer())
                    .add("jwks_uri", jwksUri())
                    .add("response_types_supported", Json.createArrayBuilder().add("id_token"))
                    .add("subject_types_supported", Json.createArrayBuilder().add("public"))
                    .add("id_token_signing_alg_values_supported", Json.createArrayBuilder().add("RS256"))
                    .build());
            case CLUSTER_OIDC_KEYS -> Response.json(200, Json.createObjectBuilder()
                    .add("keys", Json.createArrayBuilder().add(Json.createObjectBuilder(signingKey.toPublicJWK().toJSONObject())))
                    .build()).withContentType("application/jwk-set+json");
            default -> throw new IllegalStateException("not a cluster issuer operation: " + op);
        };
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        return status(status, status >= 500 ? "InternalError" : "BadRequest", "injected fault " + status);
    }

    // Kubernetes' Status object
    private static Response status(int code, String reason, String message) {
        JsonObject status = Json.createObjectBuilder()
                .add("kind", "Status").add("apiVersion", "v1").add("status", "Failure")
                .add("message", message).add("reason", reason).add("code", code)
                .build();
        return Response.json(code, status);
    }
}
