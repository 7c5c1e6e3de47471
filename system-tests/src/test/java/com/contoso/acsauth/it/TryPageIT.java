package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import com.contoso.acsauth.browser.Chromium;
import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.StandIns;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /try/ page in a real headless Chromium, as a person uses it: sign in through the Entra ID stand-in's login form
 * (authorization code + PKCE, driven by the real msal-browser), create the ACS identity, get a token and watch the
 * real ACS common library refresh it proactively, exchange a Teams token obtained with the refresh token, delete the
 * identity, sign out and see the 401 problem. Takes the screenshot docs/images/try-page.png is made from.
 */
@StoreIndependent
@OnDeployedWar
class TryPageIT {

    /** ACS tokens this short make AzureCommunicationTokenCredential refresh within seconds (at half their life). */
    private static final Duration SHORT_ACS_TOKEN = Duration.ofSeconds(16);

    static DeployedServer server;
    static StandIns standIns;
    static Chromium chromium;
    static URI page;
    static Api api;

    @BeforeAll
    static void openBrowser() {
        Chromium.assumeInstalled();
        server = DeployedServer.get();
        standIns = server.standIns();
        // the suite's second instance serves the browser pages (DeployedServer.BROWSER_PAGES_ON)
        URI instance = server.secondInstance().baseUrl();
        page = instance.resolve("/try/");
        api = new Api(server, instance);
        // the SPA platform redirect URI of the app the page signs in with (BROWSER_CLIENT_ID defaults to AAD_CLIENT_ID)
        standIns.entra().registerSpaRedirectUri(EntraStandIn.API_CLIENT_ID, page.resolve("redirect.html").toString());
        standIns.entra().registerSpaRedirectUri(EntraStandIn.API_CLIENT_ID, page.toString());
        chromium = Chromium.start(standIns.trustStore(), standIns.trustStorePassword());
    }

    @AfterAll
    static void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
        if (standIns != null) {
            standIns.acs().reset();
        }
    }

    @Test
    void signInCallEveryEndpointWatchARefreshSignOutAndSeeTheProblem() throws Exception {
        standIns.reset();
        DemoUser alice = standIns.entra().user("alice");
        // a clean start: no identity mapped for alice yet
        api.delete("/api/user", standIns.entra().apiToken(alice));
        standIns.acs().shortenTokenLifetime(SHORT_ACS_TOKEN);
        WebDriver browser = chromium.driver();

        browser.get(page.toString());
        waitFor(d -> "true".equals(d.findElement(By.id("try")).getAttribute("data-ready")), "the page ready");
        assertReadableOnAPhone(browser);
        // with the keyboard, as a person who does not use a mouse would
        for (int i = 0; i < 20 && !"sign-in".equals(focused(browser)); i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
        }
        assertEquals("sign-in", focused(browser), "Sign in is reachable with Tab");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        // the stand-in's login form
        waitFor(d -> d.findElement(By.id("username")).isDisplayed(), "the Entra ID stand-in's login form");
        browser.findElement(By.id("username")).clear();
        browser.findElement(By.id("username")).sendKeys(alice.username());
        browser.findElement(By.id("password")).sendKeys(alice.password());
        browser.findElement(By.id("sign-in")).click();
        waitFor(d -> d.getCurrentUrl().startsWith(page.toString())
                && d.findElement(By.id("signed-in-as")).getText().contains(alice.username()), "signed in as alice");
        assertTrue(standIns.calls().count(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE) >= 1, "msal-browser redeemed the code");

        WebElement created = call("create-user", "POST", "/api/user", "201");
        String identity = created.findElement(By.cssSelector(".body")).getText();
        assertTrue(identity.contains("8:acs:"), identity);

        WebElement got = call("get-user", "GET", "/api/user", "200");
        assertTrue(got.findElement(By.cssSelector(".body")).getText().contains(acsId(identity)), got::getText);

        click("get-token");
        waitFor(d -> !tokenCalls("201").isEmpty(), "GET /api/token answered 201");
        WebElement expiry = browser.findElement(By.id("token-expiry"));
        waitFor(d -> expiry.getAttribute("data-expires-on") != null && !expiry.getAttribute("data-expires-on").isEmpty(),
                "the token's expiry shown");
        Instant firstExpiry = Instant.parse(expiry.getAttribute("data-expires-on"));
        assertTrue(firstExpiry.isBefore(Instant.now().plus(SHORT_ACS_TOKEN).plusSeconds(5)), firstExpiry::toString);
        // tall enough to show the token call at the end of the call list
        browser.manage().window().setSize(new Dimension(1280, 1500));
        chromium.screenshot(Path.of("target/screenshots/try-page.png"));
        browser.manage().window().setSize(new Dimension(1280, 1000));
        // the credential refreshes on its own at half the token's life, through GET /api/token
        new WebDriverWait(browser, SHORT_ACS_TOKEN.plusSeconds(20)).until(d -> d.findElements(By.cssSelector("#refreshes li.refresh")).size() >= 2);
        waitFor(d -> Instant.parse(expiry.getAttribute("data-expires-on")).isAfter(firstExpiry), "the refreshed token's expiry shown");
        assertTrue(tokenCalls("201").size() >= 2, "every refresh is a GET /api/token");

        call("get-teams-token", "GET", "/api/token/teams", "201");
        assertTrue(standIns.calls().count(Operation.ENTRA_TOKEN_REFRESH) >= 1,
                "msal-browser got the Teams token with its refresh token: " + standIns.calls().calls());
        assertEquals(1, standIns.calls().count(Operation.ACS_EXCHANGE_TEAMS_TOKEN));

        call("delete-user", "DELETE", "/api/user", "204");
        assertTrue(standIns.acs().deletedIdentities().contains(acsId(identity)), standIns.acs().deletedIdentities()::toString);

        click("sign-out");
        waitFor(d -> d.getCurrentUrl().startsWith(page.toString()) && !d.findElement(By.id("signed-in-as")).getText().contains(alice.username()),
                "signed out, back on the page");
        WebElement refused = call("get-token", "GET", "/api/token", "401");
        String problem = refused.findElement(By.cssSelector(".problem")).getText();
        assertTrue(problem.contains("tag:acs-auth-server,2026:problem:"), problem);
        // nothing went wrong in the page's scripts: the only error the console saw is that refused request
        List<String> errors = chromium.consoleLog().lines()
                .filter(line -> line.startsWith("SEVERE") && !line.contains("/api/token - Failed to load resource: the server responded with a status of 401"))
                .toList();
        assertTrue(errors.isEmpty(), () -> String.join("\n", errors));
    }

    @Test
    void swaggerUiSignsInWithItsOwnPopupAndTriesAnOperationWithTheToken() {
        standIns.reset();
        DemoUser bob = standIns.entra().user("bob");
        standIns.entra().registerSpaRedirectUri(EntraStandIn.API_CLIENT_ID, page.resolve("/openapi-ui/oauth2-redirect.html").toString());
        WebDriver browser = chromium.driver();
        browser.get(page.resolve("/openapi-ui/").toString());
        String swaggerWindow = browser.getWindowHandle();

        click(By.cssSelector(".swagger-ui .auth-wrapper .btn.authorize"));
        // the OAuth2 scheme's own Authorize button in the dialog (the bearer scheme has one too)
        click(By.xpath("//div[contains(@class,'auth-container')][.//*[contains(text(),'entra-id-sign-in')]]"
                + "//button[contains(@class,'authorize')]"));
        waitFor(d -> d.getWindowHandles().size() > 1, "Swagger UI's sign-in popup");
        String popup = browser.getWindowHandles().stream().filter(h -> !h.equals(swaggerWindow)).findFirst().orElseThrow();
        browser.switchTo().window(popup);
        waitFor(d -> d.findElement(By.id("username")).isDisplayed(), "the Entra ID stand-in's login form in the popup");
        browser.findElement(By.id("username")).clear();
        browser.findElement(By.id("username")).sendKeys(bob.username());
        browser.findElement(By.id("password")).sendKeys(bob.password());
        browser.findElement(By.id("sign-in")).click();
        // oauth2-redirect.html hands the code to Swagger UI and closes the popup; Swagger UI redeems it (PKCE, CORS)
        browser.switchTo().window(swaggerWindow);
        waitFor(d -> d.getWindowHandles().size() == 1, "the popup closed");
        waitFor(d -> !d.findElements(By.xpath("//div[contains(@class,'auth-container')][.//*[contains(text(),'entra-id-sign-in')]]"
                + "//button[normalize-space()='Logout']")).isEmpty(), "Swagger UI signed in (its Logout button)");
        assertTrue(standIns.calls().count(Operation.ENTRA_TOKEN_AUTHORIZATION_CODE) >= 1, "Swagger UI redeemed the code");
        click(By.cssSelector(".dialog-ux .close-modal"));

        click(By.cssSelector(".opblock-get .opblock-summary-path[data-path='/api/user']"));
        click(By.cssSelector(".opblock-get.is-open .try-out__btn"));
        click(By.cssSelector(".opblock-get.is-open .execute"));
        waitFor(d -> !d.findElements(By.cssSelector(".opblock-get.is-open .live-responses-table tbody .response-col_status")).isEmpty(),
                "the response of GET /api/user");
        String status = browser.findElement(By.cssSelector(".opblock-get.is-open .live-responses-table tbody .response-col_status")).getText().strip();
        String curl = browser.findElement(By.cssSelector(".opblock-get.is-open .curl-command")).getText();
        String requestUrl = browser.findElement(By.cssSelector(".opblock-get.is-open .request-url")).getText();
        // bob signed in: his mapping exists or not (200 or 404), but the token was accepted
        assertTrue(status.startsWith("200") || status.startsWith("404"), () -> status + "\n" + curl);
        assertTrue(curl.contains("Authorization: Bearer ey"), curl);
        assertTrue(requestUrl.contains(page.resolve("/api/user").toString()), () -> "relative OpenAPI server: " + requestUrl);
    }

    /** A 375 px wide screen: nothing wider than the screen, the operations visible without zooming out. */
    private static void assertReadableOnAPhone(WebDriver browser) {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            JavascriptExecutor js = (JavascriptExecutor) browser;
            Number pageWidth = (Number) js.executeScript("return document.documentElement.scrollWidth");
            Number screenWidth = (Number) js.executeScript("return window.innerWidth");
            assertTrue(pageWidth.intValue() <= screenWidth.intValue(), () -> "the page is " + pageWidth + " px wide on a " + screenWidth + " px screen");
            assertTrue(browser.findElement(By.id("get-token")).getRect().getWidth() <= screenWidth.intValue());
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    private static String focused(WebDriver browser) {
        return (String) ((JavascriptExecutor) browser).executeScript("return document.activeElement ? document.activeElement.id : null");
    }

    /** Clicks the button and waits for one more call of that method and path in the page's log, with that status. */
    private WebElement call(String button, String method, String path, String status) {
        String selector = "#calls li.call[data-method='" + method + "'][data-path='" + path + "']";
        int before = chromium.driver().findElements(By.cssSelector(selector)).size();
        click(button);
        waitFor(d -> d.findElements(By.cssSelector(selector)).size() > before, method + " " + path + " in the call log");
        List<WebElement> calls = chromium.driver().findElements(By.cssSelector(selector));
        WebElement last = calls.get(calls.size() - 1);
        assertEquals(status, last.getAttribute("data-status"), () -> last.getText() + "\n" + chromium.consoleLog());
        return last;
    }

    private List<WebElement> tokenCalls(String status) {
        return chromium.driver().findElements(By.cssSelector(
                "#calls li.call[data-method='GET'][data-path='/api/token'][data-status='" + status + "']"));
    }

    private void click(String id) {
        click(By.id(id));
    }

    private void click(By element) {
        waitFor(d -> d.findElement(element).isDisplayed() && d.findElement(element).isEnabled(), element + " enabled");
        chromium.driver().findElement(element).click();
    }

    private void waitFor(Function<WebDriver, Boolean> condition, String what) {
        try {
            new WebDriverWait(chromium.driver(), Duration.ofSeconds(20)).until(d -> {
                try {
                    return condition.apply(d);
                } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
                    return false;
                }
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("waited 20 s for " + what + " at " + chromium.driver().getCurrentUrl() + "\npage:\n"
                    + chromium.driver().findElement(By.tagName("body")).getText() + "\nconsole:\n" + chromium.consoleLog()
                    + "\nstand-in calls: " + standIns.calls().calls(), e);
        }
    }

    // "8:acs:<resource>_<guid>" out of the pretty-printed JSON body
    private static String acsId(String body) {
        int start = body.indexOf("8:acs:");
        int end = body.indexOf('"', start);
        return body.substring(start, end);
    }
}
