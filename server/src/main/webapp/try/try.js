// The /try/ page: signs in with Entra ID (MSAL Browser), calls the API with the user's token and lists every call
// and its answer. Signed out, the buttons call the API without a token, so the 401 problem shows too.
// Plain ES2020, no build step: the libraries are the vendored scripts in vendor/ (globals msal and AcsCommon).
"use strict";

const ENDPOINTS = {
  "create-user": { method: "POST", path: "/api/user" },
  "get-user": { method: "GET", path: "/api/user" },
  "get-token": { method: "GET", path: "/api/token" },
  "get-teams-token": { method: "GET", path: "/api/token/teams" },
  "delete-user": { method: "DELETE", path: "/api/user" },
};

const page = {
  config: null,
  /** The MSAL application; null when it could not start (the buttons then call without a token). */
  msal: null,
  account: null,
  /** The AzureCommunicationTokenCredential holding the ACS token of "Get token". */
  credential: null,
  /** After a sign-in redirect that an action started: that action runs again, and must not redirect a second time. */
  resuming: false,
  expiryTicker: null,
};

const $ = (id) => document.getElementById(id);

/** Thrown when MSAL navigates away to sign in: the action goes on when the page comes back. */
class Redirecting extends Error {}

/** A refresher call that got no token; already listed in #refreshes and #calls. */
class RefreshFailed extends Error {}

// The credential also refreshes on timers of its own (the first one as it is created), whose failures nobody awaits:
// the page has shown them, so they need not be reported again as uncaught.
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof RefreshFailed || event.reason instanceof Redirecting) {
    event.preventDefault();
  }
});

const ready = start();

async function start() {
  for (const id of Object.keys(ENDPOINTS)) {
    $(id).addEventListener("click", () => run(id));
  }
  $("sign-in").addEventListener("click", () => ready.then(signIn).catch(showError("Sign-in")));
  $("sign-out").addEventListener("click", () => ready.then(signOut).catch(showError("Sign-out")));
  let resumeAction = null;
  try {
    const response = await fetch("config.json", { headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`config.json answered ${response.status}`);
    }
    page.config = await response.json();
    page.msal = await msal.createStandardPublicClientApplication({
      auth: {
        clientId: page.config.clientId,
        authority: page.config.authority,
        knownAuthorities: page.config.knownAuthorities,
        redirectUri: `${location.origin}${contextPath()}/try/redirect.html`,
        postLogoutRedirectUri: pageUrl(),
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    const result = await page.msal.handleRedirectPromise();
    if (result && result.account) {
      page.msal.setActiveAccount(result.account);
    }
    if (result && Object.prototype.hasOwnProperty.call(ENDPOINTS, result.state)) {
      resumeAction = result.state;
    }
    setAccount(page.msal.getActiveAccount() || page.msal.getAllAccounts()[0] || null);
  } catch (error) {
    setStatus(`The page could not start signing in (${describe(error)}); the buttons call the API without a token.`);
    setAccount(null);
  }
  $("try").dataset.ready = "true";
  if (resumeAction) {
    page.resuming = true;
    run(resumeAction).finally(() => { page.resuming = false; });
  }
}

function contextPath() {
  return page.config.apiBase.replace(/\/api$/, "");
}

function pageUrl() {
  return `${location.origin}${contextPath()}/try/`;
}

// --- Signing in and out ------------------------------------------------------------------------------------------

async function signIn() {
  if (!page.msal) {
    throw new Error("MSAL did not start");
  }
  await page.msal.loginRedirect({ scopes: page.config.apiScopes });
}

async function signOut() {
  disposeCredential();
  if (!page.msal) {
    throw new Error("MSAL did not start");
  }
  const account = page.account;
  setAccount(null);
  await page.msal.logoutRedirect({ account, postLogoutRedirectUri: pageUrl() });
}

function setAccount(account) {
  page.account = account;
  if (account && page.msal) {
    page.msal.setActiveAccount(account);
  }
  $("signed-in-as").textContent = account ? account.username : "";
  $("signed-out-note").hidden = Boolean(account);
  $("sign-in").hidden = Boolean(account);
  $("sign-out").hidden = !account;
}

/**
 * A token for this API, or null when signed out. When Entra ID wants the user (consent, an expired session), the
 * page goes there and comes back to run {@code action} again.
 */
async function accessToken(scopes, action) {
  if (!page.msal || !page.account) {
    return null;
  }
  try {
    return (await page.msal.acquireTokenSilent({ scopes, account: page.account })).accessToken;
  } catch (error) {
    if (error instanceof msal.InteractionRequiredAuthError && !page.resuming) {
      setStatus("Entra ID needs you: signing in again ...");
      await page.msal.acquireTokenRedirect({ scopes, account: page.account, state: action });
      throw new Redirecting();
    }
    throw error;
  }
}

// --- The buttons -------------------------------------------------------------------------------------------------

async function run(action) {
  await ready;
  try {
    if (action === "get-token") {
      await getToken();
    } else if (action === "get-teams-token") {
      await getTeamsToken();
    } else {
      if (action === "delete-user") {
        // the identity and its tokens go: its credential must not refresh into a 404 afterwards
        disposeCredential();
      }
      await callApi(ENDPOINTS[action].method, ENDPOINTS[action].path, action);
    }
  } catch (error) {
    if (!(error instanceof Redirecting)) {
      showError(buttonName(action))(error);
    }
  }
}

/**
 * "Get token" as a real app holds an ACS token: the credential calls the refresher for its first token and again
 * before each one expires; every refresher call is a GET /api/token of its own.
 */
async function getToken() {
  disposeCredential();
  const credential = new AcsCommon.AzureCommunicationTokenCredential({
    tokenRefresher: (abortSignal) => refreshToken(abortSignal),
    refreshProactively: true,
  });
  page.credential = credential;
  const token = await credential.getToken();
  if (page.credential === credential) {
    showExpiry(new Date(token.expiresOnTimestamp));
    setStatus(`ACS token held until ${new Date(token.expiresOnTimestamp).toLocaleTimeString()}.`);
  }
}

async function refreshToken(abortSignal) {
  let reply;
  try {
    reply = await callApi("GET", "/api/token", "get-token", { signal: abortSignal });
  } catch (error) {
    if (error instanceof Redirecting) {
      throw error;
    }
    logRefresh(0, null);
    throw new RefreshFailed(`no answer from GET /api/token: ${describe(error)}`);
  }
  const token = reply.ok && reply.json && typeof reply.json.token === "string" ? reply.json.token : null;
  const expiresOn = token ? new Date(reply.json.expiresOn) : null;
  logRefresh(reply.status, expiresOn);
  if (!token) {
    throw new RefreshFailed(`GET /api/token answered ${reply.status}`);
  }
  showExpiry(expiresOn);
  return token;
}

async function getTeamsToken() {
  const headers = {};
  if (page.msal && page.account) {
    // the Teams user's own token for ACS's Teams scopes, which the server exchanges
    headers["teams-user-aad-token"] = await accessToken(page.config.teamsScopes, "get-teams-token");
  }
  await callApi("GET", "/api/token/teams", "get-teams-token", { headers });
}

/** Calls the API, with the user's token when signed in, and lists the call and its answer. */
async function callApi(method, path, action, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = page.config ? await accessToken(page.config.apiScopes, action) : null;
  if (token) {
    headers.set("Authorization", `Bearer ${token}`);
  }
  const apiBase = page.config ? page.config.apiBase : "../api";
  let response;
  try {
    response = await fetch(apiBase + path.replace(/^\/api/, ""), { method, headers, signal: options.signal });
  } catch (error) {
    logCall({ method, path, status: 0, authorized: Boolean(token), text: `No answer: ${describe(error)}` });
    throw error;
  }
  const text = await response.text();
  const contentType = response.headers.get("Content-Type") || "";
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (notJson) {
    // shown as text
  }
  logCall({ method, path, status: response.status, authorized: Boolean(token), text, json, contentType });
  return { status: response.status, ok: response.ok, json };
}

// --- What the page shows ------------------------------------------------------------------------------------------

function logCall({ method, path, status, authorized, text, json, contentType = "" }) {
  const item = element("li", "call");
  item.dataset.method = method;
  item.dataset.path = path;
  item.dataset.status = String(status);
  item.dataset.authorized = String(authorized);
  const summary = element("p", "summary");
  summary.append(element("span", "method", method), " ", element("code", "path", path), " ",
    element("span", "status", status ? String(status) : "failed"),
    element("span", "auth", authorized ? "with the user's token" : "without a token"));
  item.append(summary);
  if (json && contentType.toLowerCase().startsWith("application/problem+json")) {
    item.append(problem(json));
  }
  const body = element("pre", "body", json ? JSON.stringify(json, null, 2) : text || "(no body)");
  body.tabIndex = 0; // long bodies scroll: reachable by keyboard
  body.setAttribute("aria-label", `Body of ${method} ${path}`);
  item.append(body);
  $("calls").append(item);
}

function problem(json) {
  const box = element("div", "problem");
  const list = document.createElement("dl");
  for (const [name, label] of [["title", "Title"], ["detail", "Detail"], ["type", "Type"], ["correlationId", "Correlation id"]]) {
    if (json[name] !== undefined) {
      const value = element("dd", `problem-${name}`, String(json[name]));
      value.dataset.field = name;
      list.append(element("dt", null, label), value);
    }
  }
  box.append(list);
  return box;
}

function logRefresh(status, expiresOn) {
  const item = element("li", "refresh");
  item.dataset.status = String(status);
  const at = new Date().toLocaleTimeString();
  if (expiresOn) {
    item.dataset.expiresOn = expiresOn.toISOString();
    item.textContent = `${at}: new token, expires ${expiresOn.toLocaleString()} (in ${countdown(expiresOn)})`;
  } else {
    item.textContent = `${at}: refresh failed, GET /api/token answered ${status || "nothing"}`;
  }
  $("refreshes").append(item);
}

function showExpiry(expiresOn) {
  const expiry = $("token-expiry");
  expiry.dataset.expiresOn = expiresOn.toISOString();
  expiry.title = expiresOn.toLocaleString();
  const tick = () => {
    expiry.textContent = expiresOn > new Date() ? `expires in ${countdown(expiresOn)}` : "expired";
  };
  tick();
  clearInterval(page.expiryTicker);
  page.expiryTicker = setInterval(tick, 1000);
}

function disposeCredential() {
  if (page.credential) {
    page.credential.dispose();
    page.credential = null;
  }
  clearInterval(page.expiryTicker);
  page.expiryTicker = null;
  const expiry = $("token-expiry");
  delete expiry.dataset.expiresOn;
  expiry.removeAttribute("title");
  expiry.textContent = "none";
}

/** "59:58", or "23:59:58" from an hour up. */
function countdown(until) {
  const seconds = Math.max(0, Math.floor((until - new Date()) / 1000));
  const two = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(seconds / 3600);
  const rest = `${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return hours ? `${hours}:${rest}` : rest;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function setStatus(text) {
  $("status").textContent = text;
}

function showError(what) {
  return (error) => setStatus(`${what} failed: ${describe(error)}`);
}

function describe(error) {
  return error && error.errorCode ? `${error.errorCode}: ${error.errorMessage || error.message}` : String(error && error.message || error);
}

function buttonName(action) {
  return $(action).firstChild.textContent.trim();
}
