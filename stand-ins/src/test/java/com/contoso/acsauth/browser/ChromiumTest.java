package com.contoso.acsauth.browser;

import com.contoso.acsauth.standin.SharedStandIns;
import com.contoso.acsauth.standin.StandIns;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser the page tests use reaches the stand-ins over HTTPS because it trusts their certificate. */
class ChromiumTest {

    @Test
    void trustsTheStandInsCertificate() {
        StandIns standIns = SharedStandIns.get();
        try (Chromium chromium = Chromium.start(standIns.trustStore(), standIns.trustStorePassword())) {
            chromium.driver().get(standIns.entra().openIdConfigurationUrl());
            String body = chromium.driver().findElement(By.tagName("body")).getText();
            assertTrue(body.contains("\"issuer\":\"" + standIns.entra().issuer() + "\""), () -> body + "\n" + chromium.consoleLog());
        }
    }
}
