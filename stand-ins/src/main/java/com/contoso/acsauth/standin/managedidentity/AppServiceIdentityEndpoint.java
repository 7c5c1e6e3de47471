package com.contoso.acsauth.standin.managedidentity;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.ManagedIdentity;
import jakarta.json.Json;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The App Service / Functions / Container Apps managed-identity endpoint, protocol 2019-08-01, as azure-identity
 * 1.18.4 (through msal4j 1.26.1) calls it when {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} are set:
 *
 * <pre>
 * GET http://127.0.0.1:&lt;port&gt;/msi/token?api-version=2019-08-01&amp;resource=&lt;uri&gt;[&amp;client_id=|object_id=|mi_res_id=]
 * X-IDENTITY-HEADER: &lt;IDENTITY_HEADER&gt;
 *
 * 200 {"access_token","expires_on":"&lt;epoch seconds&gt;","resource":"&lt;as asked&gt;","token_type":"Bearer","client_id"}
 * 4xx {"statusCode":n,"message":"...","correlationId":"..."}
 * </pre>
 *
 * Errors: a missing or wrong {@code X-IDENTITY-HEADER} 401; another {@code api-version} or no {@code resource} 400; an
 * identity the host does not have 400 "Unable to load the proper Managed Identity."; a resource Entra does not know
 * 400 with Entra's AADSTS500011 text.
 */
public final class AppServiceIdentityEndpoint extends ManagedIdentityEndpoint {

    public static final String API_VERSION = "2019-08-01";
    static final String PATH = "/msi/token";

    /** The secret the platform gives the app in IDENTITY_HEADER; new for every start. */
    private final String identityHeader = newIdentityHeader();

    public AppServiceIdentityEndpoint(int port, EntraStandIn entra, CallLog calls, Faults faults) {
        super("managed identity", "standin.identityEndpoint.port", port, entra, calls, faults);
    }

    /** {@code http://127.0.0.1:<port>/msi/token}: IDENTITY_ENDPOINT. */
    public String identityEndpoint() {
        return baseUrl() + PATH.substring(1);
    }

    /** IDENTITY_HEADER: what the caller must echo in {@code X-IDENTITY-HEADER}. */
    public String identityHeader() {
        return identityHeader;
    }

    private static String newIdentityHeader() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    protected Operation classify(Request request) {
        return request.method().equals("GET") && request.path().equals(PATH) ? Operation.MANAGED_IDENTITY_TOKEN : null;
    }

    @Override
    protected Response handle(Operation op, Request request) {
        if (op == null) {
            return error(404, "The requested path " + request.path() + " was not found.");
        }
        if (!identityHeader.equals(request.header("X-IDENTITY-HEADER"))) {
            return error(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
        }
        Map<String, String> query = request.queryParameters();
        String apiVersion = query.get("api-version");
        if (!API_VERSION.equals(apiVersion)) {
            return error(400, "The api-version '" + apiVersion + "' is not supported; use " + API_VERSION + ".");
        }
        String resource = query.get("resource");
        if (resource == null || resource.isBlank()) {
            return error(400, "The resource parameter is required.");
        }
        Optional<ManagedIdentity> identity = selectedIdentity(query, "mi_res_id");
        if (identity.isEmpty()) {
            return error(400, "Unable to load the proper Managed Identity.");
        }
        Optional<SignedToken> token = token(identity.get(), resource);
        if (token.isEmpty()) {
            return error(400, EntraStandIn.resourceNotFoundMessage(resource));
        }
        return Response.json(200, Json.createObjectBuilder()
                .add("access_token", token.get().jwt())
                .add("expires_on", String.valueOf(token.get().expiresOn()))
                .add("resource", resource)
                .add("token_type", "Bearer")
                .add("client_id", identity.get().clientId())
                .build());
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        return error(status, status >= 500 ? "An unexpected error occurred while fetching the AAD Token." : "Injected fault " + status + ".");
    }

    private static Response error(int status, String message) {
        return Response.json(status, Json.createObjectBuilder()
                .add("statusCode", status)
                .add("message", message)
                .add("correlationId", UUID.randomUUID().toString())
                .build());
    }
}
