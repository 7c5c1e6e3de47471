/** Outside-facing: what browsers need, the CORS filter, the browser sign-in settings, the switchable Swagger UI and /try/ pages. */
package com.contoso.acsauth.web;
