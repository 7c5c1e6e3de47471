/** Outside-facing: On-Behalf-Of with Entra ID (msal4j), the app's credential and the Entra settings. */
package com.contoso.acsauth.entra;
