/** Feature: {@code /api/user}, create-or-get and delete of the caller's ACS identity and mapping. */
package com.contoso.acsauth.user;
