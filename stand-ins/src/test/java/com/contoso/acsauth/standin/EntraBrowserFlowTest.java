package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static com.contoso.acsauth.standin.entra.EntraStandIn.API_CLIENT_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.SPA_CLIENT_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TEAMS_AUDIENCE;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_DOMAIN;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Entra stand-in's browser sign-in on the wire, as a browser and msal-browser would drive it: the authorization code
 * flow with PKCE through the sign-in form, the session cookie and {@code prompt}, the SPA grants (code, refresh token)
 * with their cross-origin rule, CORS, and sign-out. Redirects are not followed and cookies are carried by hand, so every
 * status, {@code Location} parameter and cookie attribute is checked.
 */
class EntraBrowserFlowTest {

    static final String ORIGIN = "http://localhost:53000";
    static final String SPA_REDIRECT = ORIGIN + "/spa/redirect.html";
    static final String API_APP_REDIRECT = ORIGIN + "/try/";
    static final String API_SCOPE = "api://" + API_CLIENT_ID + "/access_as_user";
    static final String TEAMS_SCOPES = TEAMS_AUDIENCE + "/Teams.ManageCalls " + TEAMS_AUDIENCE + "/Teams.ManageChats";
    static final String OIDC_SCOPES = "openid profile offline_access";
    static final Pattern FLOW = Pattern.compile("name=\"flow\" value=\"([^\"]+)\"");

    static StandIns standIns;
    static EntraStandIn entra;
    static HttpClient http;
    static RSAKey publishedKey;

    @BeforeAll
    static void start() throws Exception {
        standIns = SharedStandIns.get();
        entra = standIns.entra();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).followRedirects(HttpClient.Redirect.NEVER).build();
        entra.registerSpaRedirectUri(SPA_CLIENT_ID, SPA_REDIRECT);
        entra.registerSpaRedirectUri(API_CLIENT_ID, API_APP_REDIRECT);
        HttpResponse<String> keys = http.send(HttpRequest.newBuilder(URI.create(entra.jwksUri())).build(), HttpResponse.BodyHandlers.ofString());
        publishedKey = JWKSet.parse(keys.body()).getKeys().get(0).toRSAKey();
    }

    @BeforeEach
    void reset() {
        standIns.reset(); // signs every browser out, keeps the SPA registrations
    }

    // ---- the happy path ---------------------------------------------------------------------------------------

    @Test
    void signsInWithTheFormAndRedeemsTheCodeCrossOrigin() throws Exception {
        Pkce pkce = Pkce.create();
        HttpResponse<String> form = get(authorizeUrl(pkce, Map.of()), null);

        assertEquals(200, form.statusCode());
        assertTrue(form.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertEquals("DENY", form.headers().firstValue("X-Frame-Options").orElseThrow());
        String html = form.body();
        assertTrue(html.contains("<html lang=\"en\">"), html);
        assertTrue(html.contains("<label for=\"username\">") && html.contains("<input id=\"username\""), html);
        assertTrue(html.contains("<label for=\"password\">") && html.contains("<input id=\"password\" name=\"password\" type=\"password\""), html);
        assertTrue(html.contains("<button id=\"sign-in\" type=\"submit\">Sign in</button>"), html);
        for (DemoUser u : entra.users()) {
            assertTrue(html.contains(u.username()) && html.contains(u.password()), "lists " + u.username());
        }
        assertFalse(html.contains(SPA_REDIRECT), "the form carries the request by id, not its redirect URI");

        HttpResponse<String> signedIn = postForm(URI.create(entra.aadInstance() + TENANT_ID + "/login"),
                Map.of("flow", flowId(html), "username", "alice@" + TENANT_DOMAIN, "password", "alice-password"), null);

        assertEquals(302, signedIn.statusCode());
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.matches("ESTSAUTH=[A-Za-z0-9_-]{20,}; Path=/; Secure; HttpOnly; SameSite=None"), cookie);
        String location = signedIn.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(SPA_REDIRECT + "#code="), location);
        Map<String, String> answer = fragment(location);
        assertEquals(List.of("code", "client_info", "state", "session_state"), List.copyOf(answer.keySet()));
        assertEquals("state-1", answer.get("state"));
        JsonObject clientInfo = Json.createReader(new StringReader(new String(Base64URL.from(answer.get("client_info")).decode(),
                StandardCharsets.UTF_8))).readObject();
        DemoUser alice = entra.user("alice");
        assertEquals(alice.oid(), clientInfo.getString("uid"));
        assertEquals(TENANT_ID, clientInfo.getString("utid"));

        HttpResponse<String> redeemed = redeem(answer.get("code"), pkce.verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);

        assertEquals(200, redeemed.statusCode(), redeemed.body());
        assertEquals(ORIGIN, redeemed.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        JsonObject tokens = json(redeemed);
        assertEquals(List.of("token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token",
                "refresh_token_expires_in", "id_token", "client_info"), List.copyOf(tokens.keySet()));
        assertEquals("Bearer", tokens.getString("token_type"));
        assertEquals(API_SCOPE, tokens.getString("scope"));
        assertTrue(tokens.getInt("expires_in") > 3500 && tokens.getInt("ext_expires_in") > 3500);
        assertTrue(tokens.getInt("refresh_token_expires_in") > 86300 && tokens.getInt("refresh_token_expires_in") <= 86400);
        assertEquals(answer.get("client_info"), tokens.getString("client_info"));

        JWTClaimsSet access = verified(tokens.getString("access_token"));
        JWTClaimsSet passwordGrantShape = entra.apiTokenClaims(alice).build();
        assertEquals(passwordGrantShape.getClaims().keySet(), access.getClaims().keySet(), "the same kind of token as the password grant's");
        assertEquals(List.of(API_CLIENT_ID), access.getAudience());
        assertEquals(entra.issuer(), access.getIssuer());
        assertEquals("access_as_user", access.getStringClaim("scp"));
        assertEquals(SPA_CLIENT_ID, access.getStringClaim("azp"));
        assertEquals("0", access.getStringClaim("azpacr"));
        assertEquals(alice.oid(), access.getStringClaim("oid"));
        assertEquals(TENANT_ID, access.getStringClaim("tid"));
        assertEquals("2.0", access.getStringClaim("ver"));

        JWTClaimsSet id = verified(tokens.getString("id_token"));
        assertEquals(List.of(SPA_CLIENT_ID), id.getAudience());
        assertEquals(entra.issuer(), id.getIssuer());
        assertEquals("2.0", id.getStringClaim("ver"));
        assertEquals("nonce-1", id.getStringClaim("nonce"));
        assertEquals(alice.oid(), id.getStringClaim("oid"));
        assertEquals(TENANT_ID, id.getStringClaim("tid"));
        assertEquals(alice.username(), id.getStringClaim("preferred_username"));
        assertEquals(alice.displayName(), id.getStringClaim("name"));
        assertNotEquals(alice.oid(), id.getSubject(), "sub is pairwise");
        assertLivesAnHour(id);

        assertEquals(1, standIns.calls().count(Operation.ENTRA_AUTHORIZE));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGIN));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE));
    }

    @Test
    void theApiAppCanBeItsOwnSinglePageApp() throws Exception {
        SignedIn signedIn = signIn("bob", Map.of("client_id", API_CLIENT_ID, "redirect_uri", API_APP_REDIRECT));

        HttpResponse<String> redeemed = redeem(signedIn.answer().get("code"), signedIn.pkce().verifier(), API_CLIENT_ID, API_APP_REDIRECT, ORIGIN);

        assertEquals(200, redeemed.statusCode(), redeemed.body());
        JWTClaimsSet access = verified(json(redeemed).getString("access_token"));
        assertEquals(List.of(API_CLIENT_ID), access.getAudience());
        assertEquals(API_CLIENT_ID, access.getStringClaim("azp"));
        assertEquals(entra.user("bob").oid(), access.getStringClaim("oid"));
        assertEquals(List.of(API_CLIENT_ID), verified(json(redeemed).getString("id_token")).getAudience());
    }

    @Test
    void answersInTheQueryWhenAskedAndPrefillsTheLoginHint() throws Exception {
        Pkce pkce = Pkce.create();
        HttpResponse<String> form = get(authorizeUrl(pkce, Map.of("response_mode", "query", "login_hint", "carol@" + TENANT_DOMAIN)), null);
        assertTrue(form.body().contains("value=\"carol@" + TENANT_DOMAIN + "\""), form.body());

        HttpResponse<String> signedIn = login(flowId(form.body()), "carol");

        String location = signedIn.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(SPA_REDIRECT + "?code="), location);
        assertEquals("state-1", query(location).get("state"));
    }

    @Test
    void answersByFormPostWhenAsked() throws Exception {
        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), Map.of("response_mode", "form_post", "prompt", "none")), null);

        assertEquals(200, answer.statusCode());
        String html = answer.body();
        assertTrue(html.contains("<form id=\"answer\" method=\"post\" action=\"" + SPA_REDIRECT + "\">"), html);
        assertTrue(html.contains("<input type=\"hidden\" name=\"error\" value=\"login_required\">"), html);
        assertTrue(html.contains("<input type=\"hidden\" name=\"state\" value=\"state-1\">"), html);
    }

    // ---- errors: the page when the redirect URI cannot be trusted, else back to the app ------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "unknown client,            client_id,    0badc0de-0000-4000-8000-000000000000, AADSTS700016",
            "unregistered redirect URI, redirect_uri, http://localhost:53000/elsewhere,     AADSTS50011",
            "no client id,              client_id,    '',                                   AADSTS900144",
    })
    void showsAnErrorPageInsteadOfRedirectingToAnUntrustedUri(String why, String parameter, String value, String code) throws Exception {
        HttpResponse<String> page = get(authorizeUrl(Pkce.create(), Map.of(parameter, value)), null);

        assertEquals(400, page.statusCode());
        assertTrue(page.headers().firstValue("Location").isEmpty());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("data-code=\"" + code + "\""), page.body());
        assertTrue(page.body().contains(code + ": "), page.body());
    }

    @Test
    void anotherTenantIsEntrasErrorPage() throws Exception {
        String url = authorizeUrl(Pkce.create(), Map.of()).replace("/" + TENANT_ID + "/", "/" + EntraStandIn.UNLISTED_TENANT_ID + "/");

        HttpResponse<String> page = get(url, null);

        assertEquals(400, page.statusCode());
        assertTrue(page.body().contains("data-code=\"AADSTS90002\">AADSTS90002: Tenant &#39;" + EntraStandIn.UNLISTED_TENANT_ID
                + "&#39; not found."), page.body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "implicit id_token,           response_type,         id_token,               unsupported_response_type, AADSTS700054",
            "no PKCE,                     code_challenge,        '',                     invalid_request,           AADSTS9002325",
            "plain PKCE,                  code_challenge_method, plain,                  invalid_request,           AADSTS50149",
            "a scope the API does not have, scope,               api://" + API_CLIENT_ID + "/write_everything openid, invalid_scope, AADSTS70011",
    })
    void sendsOtherErrorsBackToTheAppWithItsState(String why, String parameter, String value, String error, String code) throws Exception {
        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), Map.of(parameter, value)), null);

        assertEquals(302, answer.statusCode());
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(SPA_REDIRECT + "#error="), location);
        Map<String, String> parameters = fragment(location);
        assertEquals(error, parameters.get("error"));
        assertTrue(parameters.get("error_description").startsWith(code + ": "), parameters.get("error_description"));
        assertTrue(parameters.get("error_description").contains("\r\nCorrelation ID: 5c6e0a1b-0000-4000-8000-00000000c0de\r\n"));
        assertEquals("https://login.microsoftonline.com/error?code=" + code.substring("AADSTS".length()), parameters.get("error_uri"));
        assertEquals("state-1", parameters.get("state"));
        assertNull(parameters.get("code"));
    }

    @Test
    void pkceErrorTextIsEntras() throws Exception {
        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), Map.of("code_challenge", "", "response_mode", "query")), null);

        Map<String, String> parameters = query(answer.headers().firstValue("Location").orElseThrow());
        assertTrue(parameters.get("error_description").startsWith(
                "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption."));
    }

    @Test
    void wrongCredentialsShowTheFormAgainForTheSameRequest() throws Exception {
        Pkce pkce = Pkce.create();
        String flow = flowId(get(authorizeUrl(pkce, Map.of()), null).body());

        HttpResponse<String> again = postForm(URI.create(entra.aadInstance() + TENANT_ID + "/login"),
                Map.of("flow", flow, "username", "alice@" + TENANT_DOMAIN, "password", "not-alices"), null);

        assertEquals(200, again.statusCode());
        assertTrue(again.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(again.body().contains("role=\"alert\">AADSTS50126: Error validating credentials due to invalid username or password."),
                again.body());
        assertTrue(again.body().contains("value=\"alice@" + TENANT_DOMAIN + "\""), "keeps the username");
        assertEquals(flow, flowId(again.body()));

        HttpResponse<String> signedIn = login(flow, "alice");
        assertEquals(302, signedIn.statusCode());
        assertEquals("state-1", fragment(signedIn.headers().firstValue("Location").orElseThrow()).get("state"));
    }

    @Test
    void anUnknownSignInFlowIsAnErrorPage() throws Exception {
        HttpResponse<String> page = login("no-such-flow", "alice");

        assertEquals(400, page.statusCode());
        assertTrue(page.body().contains("AADSTS50089"), page.body());
    }

    // ---- prompt and the session cookie ------------------------------------------------------------------------

    @Test
    void promptNoneWithoutASessionIsLoginRequired() throws Exception {
        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), Map.of("prompt", "none")), null);

        assertEquals(302, answer.statusCode());
        Map<String, String> parameters = fragment(answer.headers().firstValue("Location").orElseThrow());
        assertEquals("login_required", parameters.get("error"));
        assertTrue(parameters.get("error_description").startsWith("AADSTS50058: "), parameters.get("error_description"));
        assertEquals("state-1", parameters.get("state"));
    }

    @Test
    void promptNoneWithASessionAnswersAtOnce() throws Exception {
        SignedIn first = signIn("alice", Map.of());
        Pkce pkce = Pkce.create();

        HttpResponse<String> answer = get(authorizeUrl(pkce, Map.of("prompt", "none", "state", "silent", "nonce", "nonce-2")), first.cookie());

        assertEquals(302, answer.statusCode());
        Map<String, String> parameters = fragment(answer.headers().firstValue("Location").orElseThrow());
        assertEquals("silent", parameters.get("state"));
        assertEquals(first.answer().get("session_state"), parameters.get("session_state"));
        HttpResponse<String> redeemed = redeem(parameters.get("code"), pkce.verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);
        assertEquals("nonce-2", verified(json(redeemed).getString("id_token")).getStringClaim("nonce"));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGIN), "no second sign-in");
    }

    @Test
    void promptNoneForAnotherUserThanTheSessionsIsLoginRequired() throws Exception {
        SignedIn alice = signIn("alice", Map.of());

        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), Map.of("prompt", "none", "login_hint", "bob@" + TENANT_DOMAIN)),
                alice.cookie());

        assertEquals("login_required", fragment(answer.headers().firstValue("Location").orElseThrow()).get("error"));
    }

    @ParameterizedTest(name = "prompt={0}: {1}")
    @CsvSource({"'', 302", "select_account, 302", "consent, 302", "login, 200"})
    void aSessionSkipsTheFormUnlessPromptIsLogin(String prompt, int status) throws Exception {
        SignedIn alice = signIn("alice", Map.of());

        HttpResponse<String> answer = get(authorizeUrl(Pkce.create(), prompt.isEmpty() ? Map.of() : Map.of("prompt", prompt)), alice.cookie());

        assertEquals(status, answer.statusCode());
        if (status == 302) {
            assertTrue(fragment(answer.headers().firstValue("Location").orElseThrow()).containsKey("code"));
        } else {
            assertTrue(answer.body().contains("id=\"sign-in\""));
        }
    }

    // ---- the authorization code grant -------------------------------------------------------------------------

    @Test
    void aCodeIsRedeemedOnce() throws Exception {
        SignedIn signedIn = signIn("alice", Map.of());
        String code = signedIn.answer().get("code");

        assertEquals(200, redeem(code, signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN).statusCode());
        HttpResponse<String> again = redeem(code, signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);

        assertAadError(again, 400, "invalid_grant", 54005);
    }

    @Test
    void theVerifierMustHashToTheChallenge() throws Exception {
        SignedIn signedIn = signIn("alice", Map.of());

        HttpResponse<String> answer = redeem(signedIn.answer().get("code"), Pkce.create().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);

        assertAadError(answer, 400, "invalid_grant", 501481);
        assertTrue(json(answer).getString("error_description").startsWith("AADSTS501481: The Code_Verifier does not match the"
                + " code_challenge supplied in the authorization request."));
    }

    @Test
    void aSinglePageAppsCodeIsRedeemedOnlyCrossOrigin() throws Exception {
        SignedIn signedIn = signIn("alice", Map.of());

        HttpResponse<String> answer = redeem(signedIn.answer().get("code"), signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, null);

        assertAadError(answer, 400, "invalid_request", 9002327);
        assertTrue(json(answer).getString("error_description").startsWith("AADSTS9002327: Tokens issued for the 'Single-Page"
                + " Application' client-type may only be redeemed via cross-origin requests."));
    }

    @Test
    void aCodeIsBoundToItsClientAndRedirectUri() throws Exception {
        SignedIn signedIn = signIn("alice", Map.of());
        String code = signedIn.answer().get("code");

        assertAadError(redeem(code, signedIn.pkce().verifier(), API_CLIENT_ID, SPA_REDIRECT, ORIGIN), 400, "invalid_grant", 70000);
        assertAadError(redeem(code, signedIn.pkce().verifier(), SPA_CLIENT_ID, API_APP_REDIRECT, ORIGIN), 400, "invalid_grant", 500112);
        assertAadError(redeem("not-a-code", signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN), 400, "invalid_grant", 9002313);
        assertEquals(200, redeem(code, signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN).statusCode(),
                "failed attempts do not use the code up");
    }

    @Test
    void resetSignsEveryBrowserOutButKeepsTheRegistrations() throws Exception {
        SignedIn alice = signIn("alice", Map.of());

        standIns.reset();

        HttpResponse<String> silent = get(authorizeUrl(Pkce.create(), Map.of("prompt", "none")), alice.cookie());
        assertEquals("login_required", fragment(silent.headers().firstValue("Location").orElseThrow()).get("error"));
        assertAadError(redeem(alice.answer().get("code"), alice.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN), 400,
                "invalid_grant", 9002313);
    }

    @Test
    void aCodeLivesTenMinutes() throws Exception {
        SignedIn signedIn = signIn("alice", Map.of());

        entra.advanceBrowserClock(Duration.ofMinutes(11));
        HttpResponse<String> answer = redeem(signedIn.answer().get("code"), signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);

        assertAadError(answer, 400, "invalid_grant", 70008);
    }

    // ---- the refresh token grant ------------------------------------------------------------------------------

    @Test
    void theRefreshTokenBuysATeamsTokenAndRotates() throws Exception {
        JsonObject first = redeemed(signIn("alice", Map.of()));
        DemoUser alice = entra.user("alice");

        HttpResponse<String> teams = refresh(first.getString("refresh_token"), TEAMS_SCOPES + " " + OIDC_SCOPES, SPA_CLIENT_ID, ORIGIN);

        assertEquals(200, teams.statusCode(), teams.body());
        assertEquals(ORIGIN, teams.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        JsonObject tokens = json(teams);
        assertEquals(TEAMS_SCOPES, tokens.getString("scope"));
        JWTClaimsSet access = verified(tokens.getString("access_token"));
        JWTClaimsSet passwordGrantShape = SignedJWT.parse(entra.teamsToken(alice, SPA_CLIENT_ID)).getJWTClaimsSet();
        assertEquals(passwordGrantShape.getClaims().keySet(), access.getClaims().keySet(), "the same kind of token as the password grant's");
        assertEquals(List.of(TEAMS_AUDIENCE), access.getAudience());
        assertEquals(entra.v1Issuer(), access.getIssuer());
        assertEquals(SPA_CLIENT_ID, access.getStringClaim("appid"));
        assertEquals("Teams.ManageCalls Teams.ManageChats", access.getStringClaim("scp"));
        assertEquals(alice.oid(), access.getStringClaim("oid"));
        assertEquals("1.0", access.getStringClaim("ver"));
        String rotated = tokens.getString("refresh_token");
        assertNotEquals(first.getString("refresh_token"), rotated);
        assertTrue(tokens.getInt("refresh_token_expires_in") <= first.getInt("refresh_token_expires_in"), "rotation does not extend it");
        assertNull(verified(tokens.getString("id_token")).getClaim("nonce"), "no nonce without an authorization request");

        HttpResponse<String> api = refresh(rotated, API_SCOPE + " " + OIDC_SCOPES, SPA_CLIENT_ID, ORIGIN);
        assertEquals(List.of(API_CLIENT_ID), verified(json(api).getString("access_token")).getAudience());
        assertEquals(2, standIns.calls().count(Operation.ENTRA_TOKEN_REFRESH));
    }

    @Test
    void refreshTokenErrors() throws Exception {
        String refreshToken = redeemed(signIn("alice", Map.of())).getString("refresh_token");

        assertAadError(refresh("garbage", API_SCOPE, SPA_CLIENT_ID, ORIGIN), 400, "invalid_grant", 9002313);
        assertAadError(refresh("standin-rt." + java.util.UUID.randomUUID(), API_SCOPE, SPA_CLIENT_ID, ORIGIN), 400, "invalid_grant", 9002313);
        assertAadError(refresh(refreshToken, API_SCOPE, SPA_CLIENT_ID, null), 400, "invalid_request", 9002327);
        assertAadError(refresh(refreshToken, API_SCOPE, API_CLIENT_ID, ORIGIN), 400, "invalid_grant", 70000);
        assertAadError(refresh(refreshToken, API_SCOPE + " " + TEAMS_SCOPES, SPA_CLIENT_ID, ORIGIN), 400, "invalid_scope", 28000);
        assertAadError(refresh(refreshToken, "api://" + API_CLIENT_ID + "/write_everything", SPA_CLIENT_ID, ORIGIN), 400, "invalid_scope", 70011);

        entra.advanceBrowserClock(Duration.ofHours(24).plusMinutes(1));
        assertAadError(refresh(refreshToken, API_SCOPE, SPA_CLIENT_ID, ORIGIN), 400, "invalid_grant", 700084);
    }

    // ---- sign-out ---------------------------------------------------------------------------------------------

    @Test
    void signOutEndsTheSessionAndReturnsToARegisteredUri() throws Exception {
        SignedIn alice = signIn("alice", Map.of());

        HttpResponse<String> out = get(entra.endSessionEndpoint() + "?post_logout_redirect_uri=" + encode(API_APP_REDIRECT)
                + "&state=bye%20now", alice.cookie());

        assertEquals(302, out.statusCode());
        assertEquals(API_APP_REDIRECT + "?state=bye%20now", out.headers().firstValue("Location").orElseThrow());
        String cleared = out.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cleared.startsWith("ESTSAUTH=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0"), cleared);
        HttpResponse<String> silent = get(authorizeUrl(Pkce.create(), Map.of("prompt", "none")), alice.cookie());
        assertEquals("login_required", fragment(silent.headers().firstValue("Location").orElseThrow()).get("error"));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGOUT));
    }

    @Test
    void signOutToAnUnregisteredUriShowsTheSignedOutPage() throws Exception {
        HttpResponse<String> out = get(entra.endSessionEndpoint() + "?post_logout_redirect_uri=" + encode("https://evil.example/"), null);

        assertEquals(200, out.statusCode());
        assertTrue(out.headers().firstValue("Location").isEmpty());
        assertTrue(out.body().contains("You have signed out of your account"), out.body());
    }

    // ---- CORS, discovery, faults ------------------------------------------------------------------------------

    @Test
    void answersBrowserPreflightsWithoutTrippingTokenFaults() throws Exception {
        standIns.faults().inject(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE, Fault.status(503));

        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(entra.tokenEndpoint()))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-anchormailbox,x-client-sku,x-client-ver,x-client-os,"
                        + "x-client-cpu,x-client-current-telemetry,x-client-last-telemetry,client-request-id,x-app-name,x-app-ver,"
                        + "x-ms-lib-capability,x-requested-with,x-not-allowed")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(204, preflight.statusCode());
        assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));
        List<String> allowed = List.of(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().split(",\\s*"));
        assertTrue(allowed.containsAll(List.of("content-type", "x-anchormailbox", "x-client-sku", "x-client-ver", "x-client-os", "x-client-cpu",
                "x-client-current-telemetry", "x-client-last-telemetry", "client-request-id", "x-app-name", "x-app-ver", "x-ms-lib-capability",
                "x-requested-with")),
                allowed.toString());
        assertFalse(allowed.contains("x-not-allowed"));
        assertTrue(standIns.faults().injected().getOrDefault(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE, Map.of()).isEmpty());
        Call logged = standIns.calls().calls().get(0);
        assertNull(logged.operation());
        assertEquals("OPTIONS", logged.method());

        SignedIn signedIn = signIn("alice", Map.of());
        HttpResponse<String> faulted = redeem(signedIn.answer().get("code"), signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);
        assertAadError(faulted, 503, "temporarily_unavailable", 90033);
        assertEquals(ORIGIN, faulted.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(), "the browser may read the error");
    }

    @Test
    void discoveryAndKeysAnswerBrowsers() throws Exception {
        for (String url : List.of(entra.openIdConfigurationUrl(), entra.jwksUri(), entra.aadInstance() + "common/discovery/instance"
                + "?api-version=1.1&authorization_endpoint=" + encode(entra.authorizationEndpoint()))) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).header("Origin", ORIGIN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), url);
            assertEquals(ORIGIN, answer.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(), url);
        }
        HttpResponse<String> authorize = get(authorizeUrl(Pkce.create(), Map.of()), null);
        assertTrue(authorize.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "pages are navigated to, not fetched");

        JsonObject discovery = json(http.send(HttpRequest.newBuilder(URI.create(entra.openIdConfigurationUrl())).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertEquals(entra.authorizationEndpoint(), discovery.getString("authorization_endpoint"));
        assertEquals(entra.endSessionEndpoint(), discovery.getString("end_session_endpoint"));
        assertEquals(entra.tokenEndpoint(), discovery.getString("token_endpoint"));
    }

    @Test
    void aFaultOnTheSignInPagesIsAnErrorPage() throws Exception {
        standIns.faults().inject(Operation.ENTRA_AUTHORIZE, Fault.status(503));

        HttpResponse<String> page = get(authorizeUrl(Pkce.create(), Map.of()), null);

        assertEquals(503, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("AADSTS90033"), page.body());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    record Pkce(String verifier, String challenge) {
        static Pkce create() throws Exception {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String verifier = Base64URL.encode(random).toString();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return new Pkce(verifier, Base64URL.encode(hash).toString());
        }
    }

    /** A signed-in browser: its session cookie ({@code name=value}), the authorize answer and the PKCE pair it used. */
    record SignedIn(String cookie, Map<String, String> answer, Pkce pkce) {
    }

    /** The SPA's request as msal-browser sends it (fragment, client_info, state-1, nonce-1); {@code overrides} win, "" drops one. */
    static String authorizeUrl(Pkce pkce, Map<String, String> overrides) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("client_id", SPA_CLIENT_ID);
        parameters.put("scope", API_SCOPE + " " + OIDC_SCOPES);
        parameters.put("redirect_uri", SPA_REDIRECT);
        parameters.put("client-request-id", "5c6e0a1b-0000-4000-8000-00000000c0de");
        parameters.put("response_mode", "fragment");
        parameters.put("response_type", "code");
        parameters.put("client_info", "1");
        parameters.put("code_challenge", pkce.challenge());
        parameters.put("code_challenge_method", "S256");
        parameters.put("nonce", "nonce-1");
        parameters.put("state", "state-1");
        parameters.putAll(overrides);
        parameters.values().removeIf(String::isEmpty);
        return entra.authorizationEndpoint() + "?" + parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
    }

    static SignedIn signIn(String user, Map<String, String> overrides) throws Exception {
        Pkce pkce = Pkce.create();
        HttpResponse<String> form = get(authorizeUrl(pkce, overrides), null);
        assertEquals(200, form.statusCode(), form.body());
        HttpResponse<String> signedIn = login(flowId(form.body()), user);
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        return new SignedIn(cookie, fragment(signedIn.headers().firstValue("Location").orElseThrow()), pkce);
    }

    static HttpResponse<String> login(String flow, String user) throws Exception {
        DemoUser u = entra.user(user);
        return postForm(URI.create(entra.aadInstance() + TENANT_ID + "/login"),
                Map.of("flow", flow, "username", u.username(), "password", u.password()), null);
    }

    static JsonObject redeemed(SignedIn signedIn) throws Exception {
        HttpResponse<String> answer = redeem(signedIn.answer().get("code"), signedIn.pkce().verifier(), SPA_CLIENT_ID, SPA_REDIRECT, ORIGIN);
        assertEquals(200, answer.statusCode(), answer.body());
        return json(answer);
    }

    static HttpResponse<String> redeem(String code, String verifier, String clientId, String redirectUri, String origin) throws Exception {
        return postForm(URI.create(entra.tokenEndpoint()), Map.of("client_id", clientId, "redirect_uri", redirectUri,
                "scope", API_SCOPE + " " + OIDC_SCOPES, "code", code, "code_verifier", verifier, "grant_type", "authorization_code",
                "client_info", "1"), origin);
    }

    static HttpResponse<String> refresh(String refreshToken, String scope, String clientId, String origin) throws Exception {
        return postForm(URI.create(entra.tokenEndpoint()), Map.of("client_id", clientId, "scope", scope,
                "grant_type", "refresh_token", "refresh_token", refreshToken, "client_info", "1"), origin);
    }

    static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postForm(URI uri, Map<String, String> form, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                        .map(e -> e.getKey() + "=" + encode(e.getValue())).collect(Collectors.joining("&"))));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String flowId(String html) {
        Matcher m = FLOW.matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    static Map<String, String> fragment(String location) {
        return StandInServer.Request.decodeForm(location.substring(location.indexOf('#') + 1));
    }

    static Map<String, String> query(String location) {
        return StandInServer.Request.decodeForm(URI.create(location).getRawQuery());
    }

    static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    static void assertAadError(HttpResponse<String> response, int status, String error, int code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = json(response);
        assertEquals(error, body.getString("error"), response.body());
        assertEquals(code, body.getJsonArray("error_codes").getInt(0), response.body());
        assertTrue(body.getString("error_description").startsWith("AADSTS" + code + ": "), response.body());
    }

    /** The claims of a JWT whose signature the published key verifies. */
    static JWTClaimsSet verified(String jwt) throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        assertEquals(publishedKey.getKeyID(), parsed.getHeader().getKeyID());
        assertTrue(parsed.verify(new RSASSAVerifier(publishedKey)), "signed with the published key");
        return parsed.getJWTClaimsSet();
    }

    static void assertLivesAnHour(JWTClaimsSet claims) {
        Instant now = Instant.now();
        assertTrue(!claims.getIssueTime().toInstant().isAfter(now.plusSeconds(1)));
        assertTrue(!claims.getNotBeforeTime().toInstant().isAfter(now.plusSeconds(1)));
        Date exp = claims.getExpirationTime();
        assertTrue(exp.toInstant().isAfter(now.plusSeconds(3500)) && exp.toInstant().isBefore(now.plusSeconds(3700)));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
