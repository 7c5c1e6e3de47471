/** Feature: {@code /api/token} and {@code /api/token/teams}, ACS tokens within the per-user quota. */
package com.contoso.acsauth.token;
