package com.contoso.acsauth.standin;

import com.contoso.acsauth.browser.Chromium;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static com.contoso.acsauth.standin.entra.EntraStandIn.API_CLIENT_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.SPA_CLIENT_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TEAMS_AUDIENCE;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real msal-browser, in a real headless Chromium, signs in against the Entra stand-in: the current major (5.30.0,
 * vendored for the /try/ page, with its redirect bridge) and 2.39.0. Each is configured with nothing but clientId,
 * authority, knownAuthorities and redirectUri; {@code loginRedirect} through the stand-in's form, the API token and
 * the nonce-checked id token from {@code handleRedirectPromise}, a Teams token by {@code acquireTokenSilent} (the
 * refresh token grant), {@code ssoSilent} ({@code prompt=none} in a hidden iframe: headless Chromium withholds the
 * third-party session cookie, so it ends in {@code login_required}) and {@code logoutRedirect} back to the page with no
 * account. The pages are served on http://localhost, a secure context,
 * so PKCE's crypto.subtle works.
 */
class MsalBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The /try/ page's msal-browser 5 files, kept by the server module (-DtryPage.vendorDir from the pom). */
    private static final Path TRY_PAGE_VENDOR =
            Path.of(System.getProperty("tryPage.vendorDir", "../server/src/main/webapp/try/vendor"));

    /** A major version of msal-browser: where its page lives and which app registration it signs in as. */
    enum Major {
        /** The web page's default: the API app registration is also the SPA. */
        V5("/v5/", API_CLIENT_ID, "redirect.html", "redirect.html"),
        V2("/v2/", SPA_CLIENT_ID, "index.html", "blank.html");

        final String folder;
        final String clientId;
        final String redirectPage;
        final String silentRedirectPage;

        Major(String folder, String clientId, String redirectPage, String silentRedirectPage) {
            this.folder = folder;
            this.clientId = clientId;
            this.redirectPage = redirectPage;
            this.silentRedirectPage = silentRedirectPage;
        }
    }

    static StandIns standIns;
    static EntraStandIn entra;
    static HttpServer pages;
    static String origin;

    @BeforeAll
    static void start() throws IOException {
        Chromium.assumeInstalled();
        standIns = SharedStandIns.get();
        entra = standIns.entra();
        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/", MsalBrowserTest::serve);
        pages.start();
        origin = "http://localhost:" + pages.getAddress().getPort();
        for (Major major : Major.values()) {
            entra.registerSpaRedirectUri(major.clientId, page(major, major.redirectPage));
            entra.registerSpaRedirectUri(major.clientId, page(major, major.silentRedirectPage));
            entra.registerSpaRedirectUri(major.clientId, page(major, "index.html")); // the post-logout redirect URI
        }
    }

    @AfterAll
    static void stop() {
        if (pages != null) {
            pages.stop(0);
        }
    }

    @BeforeEach
    void reset() {
        standIns.reset(); // signs every browser out, keeps the SPA registrations
    }

    @ParameterizedTest
    @EnumSource(Major.class)
    void signsInGetsATeamsTokenSilentlyAndSignsOut(Major major) throws Exception {
        DemoUser alice = entra.user("alice");
        try (Chromium chromium = Chromium.start(standIns.trustStore(), standIns.trustStorePassword())) {
            ChromeDriver driver = chromium.driver();
            driver.get(page(major, "index.html"));
            JsonObject start = awaitResult(chromium, "the page to start", r -> "ready".equals(string(r, "state")));
            assertEquals(0, start.getJsonArray("accounts").size(), start.toString());

            // loginRedirect: the stand-in's form, alice's credentials typed in, back on the page
            driver.executeScript("window.__login()");
            await(chromium, "the sign-in form", d -> d.getCurrentUrl().startsWith(entra.aadInstance())
                    && !d.findElements(By.id("sign-in")).isEmpty());
            driver.findElement(By.id("username")).sendKeys(alice.username());
            driver.findElement(By.id("password")).sendKeys(alice.password());
            driver.findElement(By.id("sign-in")).click();
            JsonObject signedIn = awaitResult(chromium, "handleRedirectPromise after the sign-in",
                    r -> "ready".equals(string(r, "state")) && !r.isNull("redirect") || r.containsKey("start"));
            assertTrue(signedIn.containsKey("redirect") && !signedIn.isNull("redirect"), signedIn.toString());
            JsonObject redirect = signedIn.getJsonObject("redirect");

            Map<String, String> authorize = standIns.calls().calls(Operation.ENTRA_AUTHORIZE).get(0).queryParameters();
            assertEquals(major.clientId, authorize.get("client_id"));
            assertEquals(page(major, major.redirectPage), authorize.get("redirect_uri"));
            assertEquals("fragment", authorize.get("response_mode"));
            assertEquals("S256", authorize.get("code_challenge_method"));
            JsonObject account = redirect.getJsonObject("account");
            assertEquals(alice.username(), account.getString("username"));
            assertEquals(alice.oid() + "." + TENANT_ID, account.getString("homeAccountId"));
            JsonObject idTokenClaims = account.getJsonObject("idTokenClaims");
            assertEquals(authorize.get("nonce"), idTokenClaims.getString("nonce"), "the id token carries the request's nonce");
            assertEquals(major.clientId, idTokenClaims.getString("aud"));
            assertEquals(entra.issuer(), idTokenClaims.getString("iss"));

            JWTClaimsSet api = signedByTheStandIn(redirect.getString("accessToken"));
            assertEquals(entra.apiTokenClaims(alice).build().getClaims().keySet(), api.getClaims().keySet(),
                    "the kind of token the server under test accepts");
            assertEquals(List.of(API_CLIENT_ID), api.getAudience());
            assertEquals(entra.issuer(), api.getIssuer());
            assertEquals("access_as_user", api.getStringClaim("scp"));
            assertEquals(major.clientId, api.getStringClaim("azp"));
            assertEquals(alice.oid(), api.getStringClaim("oid"));
            assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGIN));
            assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE));

            // acquireTokenSilent for another resource: msal spends its refresh token
            driver.executeScript("window.__teams()");
            JsonObject teamsResult = awaitResult(chromium, "acquireTokenSilent for the Teams scopes", r -> !"pending".equals(string(r, "teams")));
            JsonObject teams = teamsResult.getJsonObject("teams");
            assertTrue(teams.containsKey("accessToken"), teams.toString());
            JWTClaimsSet teamsToken = signedByTheStandIn(teams.getString("accessToken"));
            assertEquals(List.of(TEAMS_AUDIENCE), teamsToken.getAudience());
            assertEquals(entra.v1Issuer(), teamsToken.getIssuer());
            assertEquals(major.clientId, teamsToken.getStringClaim("appid"));
            assertEquals(alice.oid(), teamsToken.getStringClaim("oid"));
            assertEquals("Teams.ManageCalls Teams.ManageChats", teamsToken.getStringClaim("scp"));
            assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_REFRESH));

            // ssoSilent: prompt=none in a hidden iframe of another site (127.0.0.1 inside localhost), which needs the
            // SameSite=None session cookie as a third-party cookie. Headless Chromium blocks third-party cookies by default
            // (with the profile preference that allows them the stand-in answers this iframe with a code), so here msal gets
            // Entra's login_required back through the iframe; prompt=none with a session is proven in EntraBrowserFlowTest.
            driver.executeScript("window.__sso()");
            JsonObject sso = awaitResult(chromium, "ssoSilent", r -> !"pending".equals(string(r, "sso"))).getJsonObject("sso");
            Call silent = standIns.calls().calls(Operation.ENTRA_AUTHORIZE).get(1);
            assertEquals("none", silent.queryParameters().get("prompt"));
            assertEquals(302, silent.status());
            if (sso.containsKey("accessToken")) {
                assertEquals(alice.oid(), signedByTheStandIn(sso.getString("accessToken")).getStringClaim("oid"));
                assertEquals(silent.queryParameters().get("nonce"), sso.getJsonObject("idTokenClaims").getString("nonce"));
            } else {
                assertEquals("login_required", sso.getString("error"), sso.toString());
                assertTrue(sso.getString("message").contains("AADSTS50058: "), sso.toString());
            }
            assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGIN), "no second sign-in");

            // logoutRedirect: the end-session endpoint, back to the page with no account
            driver.executeScript("window.__logout()");
            JsonObject signedOut = awaitResult(chromium, "the page after logoutRedirect", r -> "ready".equals(string(r, "state"))
                    && !r.containsKey("teams"));
            assertEquals(0, signedOut.getJsonArray("accounts").size(), signedOut.toString());
            assertTrue(signedOut.getString("location").startsWith(page(major, "index.html")), signedOut.toString());
            assertEquals(1, standIns.calls().count(Operation.ENTRA_LOGOUT));
            assertEquals(302, standIns.calls().calls(Operation.ENTRA_LOGOUT).get(0).status(), "a registered post-logout URI");
        }
    }

    // ---- the browser ------------------------------------------------------------------------------------------

    private static JsonObject awaitResult(Chromium chromium, String what, Predicate<JsonObject> done) {
        JsonObject[] last = {null};
        await(chromium, what, d -> {
            Object json = d.executeScript("return JSON.stringify(window.__result || null)");
            if (!(json instanceof String s) || s.equals("null")) {
                return false;
            }
            last[0] = Json.createReader(new StringReader(s)).readObject();
            return done.test(last[0]);
        });
        return last[0];
    }

    private static void await(Chromium chromium, String what, Predicate<ChromeDriver> done) {
        ChromeDriver driver = chromium.driver();
        try {
            new WebDriverWait(driver, WAIT).ignoring(WebDriverException.class).until(d -> done.test(driver));
        } catch (TimeoutException e) {
            fail("waited " + WAIT.toSeconds() + " s for " + what + "; at " + driver.getCurrentUrl() + "\n"
                    + driver.getPageSource() + "\nconsole:\n" + chromium.consoleLog() + "\ncalls:\n" + standIns.calls().calls().stream()
                    .map(c -> c.operation() + " " + c.method() + " " + c.path() + " " + c.status()).toList());
        }
    }

    private static String string(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value != null && value.getValueType() == JsonValue.ValueType.STRING ? object.getString(name) : null;
    }

    private static JWTClaimsSet signedByTheStandIn(String jwt) {
        return entra.claimsIfSignedByUs(jwt).orElseThrow(() -> new AssertionError("not signed with the published key: " + jwt));
    }

    // ---- the pages --------------------------------------------------------------------------------------------

    private static String page(Major major, String name) {
        return origin + major.folder + name;
    }

    private static void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body = null;
        String type = "text/javascript; charset=utf-8";
        for (Major major : Major.values()) {
            if (!path.startsWith(major.folder)) {
                continue;
            }
            String name = path.substring(major.folder.length());
            switch (name) {
                case "index.html", "redirect.html", "blank.html" -> {
                    body = resource("browser/msal-pages/" + name);
                    type = "text/html; charset=utf-8";
                }
                case "config.js" -> body = config(major).getBytes(StandardCharsets.UTF_8);
                case "msal-browser.min.js" -> body = major == Major.V5
                        ? Files.readAllBytes(TRY_PAGE_VENDOR.resolve("msal-browser.min.js"))
                        : resource("browser/msal-browser-2/msal-browser.min.js");
                case "msal-redirect-bridge.min.js" -> body = major == Major.V5
                        ? Files.readAllBytes(TRY_PAGE_VENDOR.resolve("msal-redirect-bridge.min.js")) : null;
                default -> body = null;
            }
        }
        if (path.equals("/app.js")) {
            body = resource("browser/msal-pages/app.js");
        }
        try (exchange) {
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    // only what the brief allows msal: clientId, authority, knownAuthorities, redirectUri (the rest is for the page's calls)
    private static String config(Major major) {
        String host = URI.create(entra.aadInstance()).getAuthority();
        return "window.__config = " + Json.createObjectBuilder()
                .add("clientId", major.clientId)
                .add("authority", entra.aadInstance() + TENANT_ID)
                .add("knownAuthorities", Json.createArrayBuilder().add(host))
                .add("redirectUri", page(major, major.redirectPage))
                .add("silentRedirectUri", page(major, major.silentRedirectPage))
                .add("postLogoutRedirectUri", page(major, "index.html"))
                .add("apiScope", "api://" + API_CLIENT_ID + "/access_as_user")
                .add("teamsScopes", Json.createArrayBuilder().add(TEAMS_AUDIENCE + "/Teams.ManageCalls").add(TEAMS_AUDIENCE + "/Teams.ManageChats"))
                .build() + ";\n";
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = MsalBrowserTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
