/** Outside-facing: Entra access-token validation (nimbus, only here) into a Caller, on every API call. */
package com.contoso.acsauth.security;
