/** Outside-facing: the one-off job copying signed mappings from Graph into the database store. */
package com.contoso.acsauth.mapping.migration;
