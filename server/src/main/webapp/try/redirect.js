// The redirect URI of the /try/ page's sign-in (MSAL Browser v5): the bridge hands the answer in this page's URL to
// the page that started the sign-in and, after a redirect sign-in, navigates back to it.
"use strict";

msalRedirectBridge.broadcastResponseToMainFrame().catch((error) => {
  document.getElementById("status").textContent = `Sign-in failed: ${error.errorCode || error.name}: ${error.message}`;
});
