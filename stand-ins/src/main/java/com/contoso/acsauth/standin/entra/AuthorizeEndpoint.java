package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.StandInServer.Request;
import com.contoso.acsauth.standin.StandInServer.Response;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_DOMAIN;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_ID;

/**
 * The browser side of Entra's sign-in for single-page apps: {@code GET /{tenant}/oauth2/v2.0/authorize} (authorization
 * code with PKCE), the sign-in form it shows and its {@code POST /{tenant}/login}, and
 * {@code GET /{tenant}/oauth2/v2.0/logout}.
 *
 * <p>As Entra does, it answers with its own error page (never a redirect) while it cannot trust the redirect URI: a
 * tenant it does not have, an unknown client, a redirect URI not registered for the client. Anything else that is wrong
 * goes back to the redirect URI in the requested response mode, with {@code error}, {@code error_description}
 * (AADSTS code, Trace ID, Correlation ID, Timestamp), {@code error_uri} and {@code state}.
 */
final class AuthorizeEndpoint {

    private static final String CODE_CHALLENGE_ALPHABET = "[A-Za-z0-9._~-]{43,128}";

    private final EntraStandIn entra;
    private final SpaRegistrations registrations;
    private final BrowserSessions sessions;

    AuthorizeEndpoint(EntraStandIn entra, SpaRegistrations registrations, BrowserSessions sessions) {
        this.entra = entra;
        this.registrations = registrations;
        this.sessions = sessions;
    }

    // ---- authorize --------------------------------------------------------------------------------------------

    Response authorize(Request request) {
        Map<String, String> query = request.queryParameters();
        String correlationId = query.get("client-request-id");
        AuthorizationRequest asked;
        try {
            requireOurTenant(request);
            asked = trustworthyPart(query, tenantOf(request));
        } catch (AadError e) {
            return SignInPages.errorPage(e, correlationId);
        }
        try {
            check(asked);
        } catch (AadError e) {
            return answer(asked, e.redirectParameters(correlationId));
        }
        String prompt = asked.prompt() == null ? "" : asked.prompt().toLowerCase(Locale.ROOT);
        Optional<BrowserSessions.Session> session = sessions.session(sessionCookie(request))
                .filter(s -> asked.loginHint() == null || asked.loginHint().equalsIgnoreCase(s.user().username()));
        if (prompt.equals("none")) {
            return session.map(s -> answerWithCode(asked, s)).orElseGet(() -> answer(asked, new AadError(400, "login_required", 50058,
                    "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session"
                            + " were not sent in the request to Azure AD. This can happen if the user is using Internet Explorer or"
                            + " Edge, and the web app sending the silent sign-in request is in different IE security zone than the"
                            + " Azure AD endpoint (login.microsoftonline.com).").redirectParameters(correlationId)));
        }
        if (session.isPresent() && !prompt.equals("login")) {
            return answerWithCode(asked, session.get());
        }
        BrowserSessions.PendingSignIn signIn = sessions.await(tenantOf(request), asked);
        return SignInPages.signInForm(signIn.tenant(), signIn.id(), entra.users(), asked.loginHint(), null);
    }

    // client and redirect URI: until both are known good, errors are shown, not sent to the redirect URI
    private AuthorizationRequest trustworthyPart(Map<String, String> query, String tenant) throws AadError {
        String clientId = TokenEndpoint.required(query, "client_id");
        if (!entra.registeredClients().contains(clientId)) {
            throw new AadError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId + "' was not found in"
                    + " the directory '" + tenant + "'. This can happen if the application has not been installed by the administrator"
                    + " of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the"
                    + " wrong tenant.");
        }
        if (!registrations.hasAny(clientId)) {
            throw AadError.invalidRequest(500113, "No reply address is registered for the application.");
        }
        String redirectUri = TokenEndpoint.required(query, "redirect_uri");
        if (!registrations.isRegistered(clientId, redirectUri)) {
            throw AadError.invalidRequest(50011, "The redirect URI '" + redirectUri + "' specified in the request does not match the"
                    + " redirect URIs configured for the application '" + clientId + "'. Make sure the redirect URI sent in the request"
                    + " matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError"
                    + " to learn more about how to fix this.");
        }
        String responseMode = query.getOrDefault("response_mode", "query").toLowerCase(Locale.ROOT);
        String scope = query.getOrDefault("scope", "").trim();
        return new AuthorizationRequest(clientId, redirectUri, query.get("response_type"),
                AuthorizationRequest.RESPONSE_MODES.contains(responseMode) ? responseMode : "query",
                scope.isEmpty() ? List.of() : List.of(scope.split("\\s+")), query.get("state"), query.get("nonce"),
                query.get("code_challenge"), query.get("code_challenge_method"), query.get("prompt"), blankToNull(query.get("login_hint")),
                "1".equals(query.get("client_info")), query.get("client-request-id"));
    }

    // what goes back to the app when it is wrong
    private static void check(AuthorizationRequest asked) throws AadError {
        if (asked.responseType() == null || asked.responseType().isBlank()) {
            throw AadError.missingParameter("response_type");
        }
        if (!asked.responseType().equals("code")) {
            throw new AadError(400, "unsupported_response_type", 700054, "response_type '" + asked.responseType()
                    + "' is not enabled for the application.");
        }
        if (asked.scopes().isEmpty()) {
            throw AadError.missingParameter("scope");
        }
        for (String scope : asked.scopes()) {
            if (!TokenEndpoint.OIDC_SCOPES.contains(scope.toLowerCase(Locale.ROOT)) && !TokenEndpoint.isApiScope(scope)
                    && !TokenEndpoint.isTeamsScope(scope)) {
                throw new AadError(400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid."
                        + " The scope '" + scope + "' does not exist.");
            }
        }
        // every redirect URI here is a single-page app's: its codes are redeemed cross-origin, so PKCE is a must
        if (asked.codeChallenge() == null || asked.codeChallenge().isEmpty()) {
            throw AadError.invalidRequest(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption.");
        }
        if (!"S256".equals(asked.codeChallengeMethod())) {
            throw AadError.invalidRequest(50149, "Invalid Code_Challenge_method parameter. The stand-in takes S256 only, as msal-browser"
                    + " sends it; got '" + asked.codeChallengeMethod() + "'.");
        }
        if (!asked.codeChallenge().matches(CODE_CHALLENGE_ALPHABET)) {
            throw AadError.invalidRequest(501491, "Invalid size of Code_Challenge parameter.");
        }
    }

    // ---- the sign-in form -------------------------------------------------------------------------------------

    Response login(Request request) {
        Map<String, String> form = request.form();
        try {
            requireOurTenant(request);
        } catch (AadError e) {
            return SignInPages.errorPage(e, null);
        }
        Optional<BrowserSessions.PendingSignIn> pending = sessions.pending(form.get("flow"));
        if (pending.isEmpty()) {
            return SignInPages.errorPage(AadError.invalidRequest(50089, "Flow token expired - Authentication Failed. Start the sign-in"
                    + " again from the application."), null);
        }
        BrowserSessions.PendingSignIn signIn = pending.get();
        String username = form.getOrDefault("username", "").trim();
        String password = form.getOrDefault("password", "");
        Optional<DemoUser> user = entra.users().stream()
                .filter(u -> u.username().equalsIgnoreCase(username) && u.password().equals(password))
                .findFirst();
        if (user.isEmpty()) {
            return SignInPages.signInForm(signIn.tenant(), signIn.id(), entra.users(), username,
                    "AADSTS50126: Error validating credentials due to invalid username or password.");
        }
        sessions.signedIn(signIn);
        BrowserSessions.Session session = sessions.start(user.get());
        return answerWithCode(signIn.request(), session).withHeader("Set-Cookie",
                BrowserSessions.COOKIE + "=" + session.id() + "; Path=/; Secure; HttpOnly; SameSite=None");
    }

    // ---- end session ------------------------------------------------------------------------------------------

    /** Signs the browser out; back to a registered post-logout redirect URI (with {@code state}), else the signed-out page. */
    Response logout(Request request) {
        Map<String, String> query = request.queryParameters();
        try {
            requireOurTenant(request);
        } catch (AadError e) {
            return SignInPages.errorPage(e, query.get("client-request-id"));
        }
        sessions.end(sessionCookie(request));
        String postLogout = query.get("post_logout_redirect_uri");
        Response answer = registrations.isPostLogoutRedirectUri(postLogout)
                ? redirect(query.get("state") == null ? postLogout : withParameters(postLogout, '?', Map.of("state", query.get("state"))))
                : SignInPages.signedOut();
        return answer.withHeader("Set-Cookie", BrowserSessions.COOKIE
                + "=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    }

    // ---- answers ----------------------------------------------------------------------------------------------

    private Response answerWithCode(AuthorizationRequest asked, BrowserSessions.Session session) {
        BrowserSessions.AuthorizationCode code = sessions.issueCode(asked, session);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("code", code.code());
        if (asked.clientInfo()) {
            parameters.put("client_info", TokenEndpoint.clientInfo(session.user()));
        }
        return answer(asked, parameters, session.sessionState());
    }

    private static Response answer(AuthorizationRequest asked, Map<String, String> parameters) {
        return answer(asked, parameters, null);
    }

    // state after the answer, then session_state, in the order Entra writes them
    private static Response answer(AuthorizationRequest asked, Map<String, String> parameters, String sessionState) {
        Map<String, String> all = new LinkedHashMap<>(parameters);
        if (asked.state() != null) {
            all.put("state", asked.state());
        }
        if (sessionState != null) {
            all.put("session_state", sessionState);
        }
        return switch (asked.responseMode()) {
            case "fragment" -> redirect(asked.redirectUri() + "#" + encode(all));
            case "form_post" -> SignInPages.formPost(asked.redirectUri(), all);
            default -> redirect(withParameters(asked.redirectUri(), '?', all));
        };
    }

    private static Response redirect(String location) {
        return Response.empty(302).withHeader("Location", location);
    }

    private static String withParameters(String uri, char separator, Map<String, String> parameters) {
        return uri + (separator == '?' && uri.contains("?") ? '&' : separator) + encode(parameters);
    }

    // %20 rather than '+' for spaces: msal-browser 2.x decodes the hash with decodeURIComponent
    private static String encode(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
        return String.join("&", pairs);
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    private static String tenantOf(Request request) {
        return request.path().split("/")[1];
    }

    private static void requireOurTenant(Request request) throws AadError {
        String tenant = tenantOf(request);
        if (!tenant.equalsIgnoreCase(TENANT_ID) && !tenant.equalsIgnoreCase(TENANT_DOMAIN)) {
            throw AadError.invalidRequest(90002, "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID"
                    + " and are signing into the correct cloud.");
        }
    }

    static String sessionCookie(Request request) {
        String header = request.header("Cookie");
        if (header == null) {
            return null;
        }
        for (String cookie : header.split(";")) {
            String[] pair = cookie.trim().split("=", 2);
            if (pair.length == 2 && pair[0].equals(BrowserSessions.COOKIE) && !pair[1].isEmpty()) {
                return pair[1];
            }
        }
        return null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
