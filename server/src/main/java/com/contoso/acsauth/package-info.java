/** Top, above the features: the {@code /api} application and every package's settings, read once at startup. */
package com.contoso.acsauth;
