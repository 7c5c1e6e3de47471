/**
 * Test-scoped local stand-ins of Microsoft Entra ID v2, Microsoft Graph v1.0 and ACS Identity, faithful enough
 * that the real msal4j, microsoft-graph, azure-identity and azure-communication-identity SDKs run against them
 * unchanged over HTTPS on 127.0.0.1; with the Azure managed-identity endpoints (App Service / Container Apps and
 * IMDS, plain HTTP as on Azure) and a Kubernetes cluster's OIDC issuer for a server without secrets.
 *
 * <pre>{@code
 * try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(Path.of("target/standin")))) {
 *     standIns.serverEnvironment();                        // AAD_INSTANCE, ..., ACS_CONNECTION_STRING
 *     standIns.managedIdentityEnvironment();               // IDENTITY_ENDPOINT, IDENTITY_HEADER (with acsEndpoint())
 *     standIns.workloadIdentityEnvironment();              // AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE, ...
 *     standIns.certificateFiles().pkcs12();                // the API app's client certificate
 *     String token = standIns.entra().apiToken(standIns.entra().user("alice"));
 *     String b2c = standIns.entra().b2cToken(standIns.entra().b2cUser());    // also partner, unlisted, External ID
 *     standIns.faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.status(429).retryAfter(1).times(2));
 *     standIns.acs().unassignRole(EntraStandIn.SYSTEM_ASSIGNED_IDENTITY.objectId());
 *     standIns.calls().count(Operation.ACS_ISSUE_TOKEN);
 *     standIns.entra().registerSpaRedirectUri(EntraStandIn.API_CLIENT_ID, "http://localhost:8080/try/");  // browser sign-in
 * }
 * }</pre>
 *
 * Run them by hand with {@link com.contoso.acsauth.standin.StandInsMain}. Service logic lives in the
 * {@code entra}, {@code graph}, {@code acs}, {@code managedidentity} and {@code kubernetes} sub-packages; this package
 * holds the facade, the shared HTTP(S) plumbing ({@link com.contoso.acsauth.standin.StandInServer}), the call log and
 * fault injection.
 */
package com.contoso.acsauth.standin;
