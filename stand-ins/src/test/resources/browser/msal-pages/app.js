// The same page logic for msal-browser 2.x and 5.x (both have initialize, handleRedirectPromise, loginRedirect,
// acquireTokenSilent, ssoSilent and logoutRedirect). MsalBrowserTest reads window.__result.
(function () {
    'use strict';
    var config = window.__config;
    var app = new msal.PublicClientApplication({
        auth: {
            clientId: config.clientId,
            authority: config.authority,
            knownAuthorities: config.knownAuthorities,
            redirectUri: config.redirectUri
        }
    });
    window.__result = { state: 'starting' };

    function show() {
        document.getElementById('result').textContent = JSON.stringify(window.__result, null, 1);
    }
    function account(a) {
        return a ? { username: a.username, name: a.name, homeAccountId: a.homeAccountId, localAccountId: a.localAccountId,
            tenantId: a.tenantId, idTokenClaims: a.idTokenClaims } : null;
    }
    function summary(r) {
        return r ? { accessToken: r.accessToken, idToken: r.idToken, scopes: r.scopes, fromCache: r.fromCache,
            account: account(r.account), idTokenClaims: r.idTokenClaims } : null;
    }
    function fail(step, e) {
        window.__result[step] = { error: (e && (e.errorCode || e.name)) + '', message: (e && e.message) + '' };
        show();
    }
    function firstAccount() {
        return app.getAllAccounts()[0];
    }

    (async function () {
        if (app.initialize) {
            await app.initialize();
        }
        var redirect = await app.handleRedirectPromise();
        window.__result = { state: 'ready', location: location.href, redirect: summary(redirect),
            accounts: app.getAllAccounts().map(account) };
        show();
    })().catch(function (e) {
        window.__result.state = 'failed';
        fail('start', e);
    });

    window.__login = function () {
        app.loginRedirect({ scopes: [config.apiScope] }).catch(function (e) { fail('login', e); });
    };
    window.__teams = function () {
        window.__result.teams = 'pending';
        app.acquireTokenSilent({ scopes: config.teamsScopes, account: firstAccount() })
            .then(function (r) { window.__result.teams = summary(r); show(); }, function (e) { fail('teams', e); });
    };
    window.__sso = function () {
        window.__result.sso = 'pending';
        var request = { scopes: [config.apiScope], loginHint: firstAccount() && firstAccount().username };
        if (config.silentRedirectUri) {
            request.redirectUri = config.silentRedirectUri;
        }
        app.ssoSilent(request).then(function (r) { window.__result.sso = summary(r); show(); }, function (e) { fail('sso', e); });
    };
    window.__logout = function () {
        app.logoutRedirect({ account: firstAccount(), postLogoutRedirectUri: config.postLogoutRedirectUri })
            .catch(function (e) { fail('logout', e); });
    };
})();
