/** Outside-facing: what browsers need, the CORS filter and the switchable Swagger UI page. */
package com.contoso.acsauth.web;
