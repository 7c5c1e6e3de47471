package com.contoso.acsauth.standin.managedidentity;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.ManagedIdentity;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The Azure Instance Metadata Service's token endpoint (VMs, scale sets, AKS nodes), as msal4j 1.26.1 calls it when
 * no other managed-identity source is configured; {@code AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:<port>}
 * points it here instead of {@code http://169.254.169.254}:
 *
 * <pre>
 * GET /metadata/identity/oauth2/token?api-version=2018-02-01&amp;resource=&lt;uri&gt;[&amp;client_id=|object_id=|msi_res_id=]
 * Metadata: true
 *
 * 200 {"access_token","client_id","expires_in","expires_on","not_before","refresh_token":"","resource","token_type"} (all strings)
 * 400 {"error":"invalid_request"|"invalid_resource","error_description":"..."}
 * </pre>
 *
 * Errors: no {@code Metadata: true} "Required metadata header not specified"; no {@code resource} "Required query
 * variable 'resource' is missing"; an identity the host does not have "Identity not found"; a resource Entra does not
 * know {@code invalid_resource} with AADSTS500011. All 400, which msal4j does not retry (it retries 404, 408, 410, 429
 * and 5xx, and 410 for a minute: never answered here).
 */
public final class ImdsEndpoint extends ManagedIdentityEndpoint {

    public static final String API_VERSION = "2018-02-01";
    static final String PATH = "/metadata/identity/oauth2/token";

    public ImdsEndpoint(int port, EntraStandIn entra, CallLog calls, Faults faults) {
        super("IMDS", "standin.imds.port", port, entra, calls, faults);
    }

    /** {@code http://127.0.0.1:<port>}: AZURE_POD_IDENTITY_AUTHORITY_HOST (no trailing slash; msal4j appends the path). */
    public String authorityHost() {
        return baseUrl().substring(0, baseUrl().length() - 1);
    }

    @Override
    protected Operation classify(Request request) {
        return request.method().equals("GET") && request.path().equals(PATH) ? Operation.IMDS_TOKEN : null;
    }

    @Override
    protected Response handle(Operation op, Request request) {
        if (op == null) {
            return error(404, "invalid_request", "The requested resource " + request.path() + " was not found.");
        }
        if (!"true".equalsIgnoreCase(request.header("Metadata"))) {
            return error(400, "invalid_request", "Required metadata header not specified");
        }
        Map<String, String> query = request.queryParameters();
        String apiVersion = query.get("api-version");
        if (apiVersion == null || apiVersion.isBlank()) {
            return error(400, "invalid_request", "Required query variable 'api-version' is missing");
        }
        if (!API_VERSION.equals(apiVersion)) {
            return error(400, "invalid_request", "Invalid api-version '" + apiVersion + "'");
        }
        String resource = query.get("resource");
        if (resource == null || resource.isBlank()) {
            return error(400, "invalid_request", "Required query variable 'resource' is missing");
        }
        Optional<ManagedIdentity> identity = selectedIdentity(query, "msi_res_id");
        if (identity.isEmpty()) {
            return error(400, "invalid_request", "Identity not found");
        }
        Optional<SignedToken> token = token(identity.get(), resource);
        if (token.isEmpty()) {
            return error(400, "invalid_resource", EntraStandIn.resourceNotFoundMessage(resource));
        }
        long expiresIn = Math.max(0, token.get().expiresOn() - Instant.now().getEpochSecond());
        return Response.json(200, Json.createObjectBuilder()
                .add("access_token", token.get().jwt())
                .add("client_id", identity.get().clientId())
                .add("expires_in", String.valueOf(expiresIn))
                .add("expires_on", String.valueOf(token.get().expiresOn()))
                .add("not_before", String.valueOf(token.get().notBefore()))
                .add("refresh_token", "")
                .add("resource", resource)
                .add("token_type", "Bearer")
                .build());
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        return error(status, status >= 500 ? "server_error" : "invalid_request", "Injected fault " + status + ".");
    }

    private static Response error(int status, String error, String description) {
        JsonObjectBuilder body = Json.createObjectBuilder().add("error", error).add("error_description", description);
        return Response.json(status, body.build());
    }
}
