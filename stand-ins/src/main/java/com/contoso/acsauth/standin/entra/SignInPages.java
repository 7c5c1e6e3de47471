package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.StandInServer.Response;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The HTML the browser sign-in shows: the sign-in form, Entra's error page (for what cannot be sent back to the app)
 * and the signed-out page; small, accessible (labels, {@code lang}, contrast above 4.5:1, readable on a phone) and
 * not frameable, as Entra's pages are not. Also the {@code form_post} page that carries an answer to the app.
 */
final class SignInPages {

    private static final String STYLE = """
            *{box-sizing:border-box}
            body{margin:0;background:#f2f2f2;color:#1b1b1b;font:1rem/1.5 "Segoe UI",system-ui,-apple-system,sans-serif}
            main{max-width:28rem;margin:0 auto;padding:1.5rem 1.25rem;background:#fff;min-height:100vh}
            @media (min-width:32rem){main{margin-top:2.5rem;min-height:0;box-shadow:0 2px 6px rgba(0,0,0,.2)}}
            .brand{margin:0 0 1rem;color:#505050;font-size:.9375rem}
            h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}
            h2{font-size:1.0625rem;font-weight:600;margin:1.75rem 0 .5rem}
            label{display:block;font-weight:600;margin:1rem 0 .25rem}
            input{width:100%;font:inherit;padding:.5rem .625rem;border:1px solid #666;border-radius:2px;color:#1b1b1b;background:#fff}
            input[aria-invalid=true]{border-color:#a80000}
            button{margin-top:1.5rem;min-width:7rem;min-height:2.75rem;font:inherit;font-weight:600;color:#fff;background:#0067b8;
              border:0;border-radius:2px;padding:.5rem 1.25rem;cursor:pointer}
            button:hover{background:#005da6}
            :focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
            .error{color:#a80000;font-weight:600}
            code{font-family:Consolas,ui-monospace,monospace;font-size:.9375rem;white-space:nowrap}
            ul{padding-left:1.25rem}li{margin:.25rem 0}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;font-size:.9375rem}dd{margin:0;overflow-wrap:anywhere}
            """;

    private SignInPages() {
    }

    /** The form: username (prefilled from {@code login_hint} or the last try), password, Sign in; the demo users below it. */
    static Response signInForm(String tenant, String flowId, List<DemoUser> users, String username, String error) {
        boolean prefilled = username != null && !username.isBlank();
        StringBuilder demoUsers = new StringBuilder();
        for (DemoUser u : users) {
            demoUsers.append("<li>").append(html(u.displayName())).append(": username <code>").append(html(u.username()))
                    .append("</code>, password <code>").append(html(u.password())).append("</code></li>\n");
        }
        String errorAttributes = error == null ? "" : " aria-invalid=\"true\" aria-describedby=\"error\"";
        String body = "<p class=\"brand\">Contoso &middot; Microsoft Entra ID stand-in</p>\n"
                + "<h1>Sign in</h1>\n"
                + (error == null ? "" : "<p id=\"error\" class=\"error\" role=\"alert\">" + html(error) + "</p>\n")
                + "<form method=\"post\" action=\"/" + html(tenant) + "/login\">\n"
                + "<input type=\"hidden\" name=\"flow\" value=\"" + html(flowId) + "\">\n"
                + "<label for=\"username\">Username</label>\n"
                + "<input id=\"username\" name=\"username\" type=\"text\" inputmode=\"email\" autocomplete=\"username\""
                + " autocapitalize=\"none\" spellcheck=\"false\" required value=\"" + html(prefilled ? username : "") + "\""
                + (prefilled ? "" : " autofocus") + ">\n"
                + "<label for=\"password\">Password</label>\n"
                + "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required"
                + errorAttributes + (prefilled ? " autofocus" : "") + ">\n"
                + "<button id=\"sign-in\" type=\"submit\">Sign in</button>\n"
                + "</form>\n"
                + "<h2 id=\"demo-users\">Demo users</h2>\n"
                + "<p>This is a local stand-in of Microsoft Entra ID for development and tests. It signs in these users of "
                + html(EntraStandIn.TENANT_DOMAIN) + ":</p>\n"
                + "<ul aria-labelledby=\"demo-users\">\n" + demoUsers + "</ul>\n";
        return page(200, "Sign in to your account", body);
    }

    /** Entra's "trouble signing you in" page: what it shows instead of redirecting to an app it cannot trust. */
    static Response errorPage(AadError error, String correlationId) {
        AadError.Diagnostics diagnostics = AadError.Diagnostics.now(correlationId);
        String body = "<p class=\"brand\">Contoso &middot; Microsoft Entra ID stand-in</p>\n"
                + "<h1>Sign in</h1>\n"
                + "<p>Sorry, but we&rsquo;re having trouble signing you in.</p>\n"
                + "<p id=\"error\" class=\"error\" role=\"alert\" data-error=\"" + html(error.error) + "\" data-code=\"AADSTS" + error.code
                + "\">" + html(error.getMessage()) + "</p>\n"
                + "<h2>Troubleshooting details</h2>\n"
                + "<dl><dt>Request Id</dt><dd>" + html(diagnostics.traceId()) + "</dd><dt>Correlation Id</dt><dd>"
                + html(diagnostics.correlationId()) + "</dd><dt>Timestamp</dt><dd>" + html(diagnostics.timestamp()) + "</dd></dl>\n";
        return page(error.status, "Sign in to your account", body).withHeader("x-ms-request-id", diagnostics.traceId());
    }

    static Response signedOut() {
        String body = "<p class=\"brand\">Contoso &middot; Microsoft Entra ID stand-in</p>\n"
                + "<h1 id=\"signed-out\">You have signed out of your account</h1>\n"
                + "<p>It&rsquo;s a good idea to close all browser windows.</p>\n";
        return page(200, "Sign out", body);
    }

    /** {@code response_mode=form_post}: a page that posts the answer to the redirect URI as soon as it loads. */
    static Response formPost(String redirectUri, Map<String, String> parameters) {
        String nonce = UUID.randomUUID().toString();
        StringBuilder fields = new StringBuilder();
        parameters.forEach((name, value) -> fields.append("<input type=\"hidden\" name=\"").append(html(name)).append("\" value=\"")
                .append(html(value)).append("\">\n"));
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Working...</title></head><body>\n"
                + "<form id=\"answer\" method=\"post\" action=\"" + html(redirectUri) + "\">\n" + fields
                + "<noscript><p>Script is disabled. Click Submit to continue.</p><button type=\"submit\">Submit</button></noscript>\n"
                + "</form>\n<script nonce=\"" + nonce + "\">document.getElementById('answer').submit();</script>\n</body></html>\n";
        return new Response(200, Map.of("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; base-uri 'none'"),
                "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    private static Response page(int status, String title, String body) {
        String html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + html(title) + "</title>\n<style>" + STYLE + "</style>\n</head>\n<body>\n<main>\n" + body
                + "</main>\n</body>\n</html>\n";
        return new Response(status, Map.of(
                "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer"),
                "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    static String html(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
