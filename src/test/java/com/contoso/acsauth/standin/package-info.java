/**
 * Test-scoped local stand-ins of Microsoft Entra ID v2, Microsoft Graph v1.0 and ACS Identity, faithful enough
 * that the real msal4j, microsoft-graph and azure-communication-identity SDKs run against them unchanged over
 * HTTPS on 127.0.0.1.
 *
 * <pre>{@code
 * try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(Path.of("target/standin")))) {
 *     standIns.serverEnvironment();                        // AAD_INSTANCE, ..., ACS_CONNECTION_STRING
 *     String token = standIns.entra().apiToken(standIns.entra().user("alice"));
 *     standIns.faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.status(429).retryAfter(1).times(2));
 *     standIns.calls().count(Operation.ACS_ISSUE_TOKEN);
 * }
 * }</pre>
 *
 * Run them by hand with {@link com.contoso.acsauth.standin.StandInsMain}. Service logic lives in the
 * {@code entra}, {@code graph} and {@code acs} sub-packages; this package holds the facade, the shared HTTPS
 * plumbing ({@link com.contoso.acsauth.standin.StandInServer}), the call log and fault injection.
 */
package com.contoso.acsauth.standin;
