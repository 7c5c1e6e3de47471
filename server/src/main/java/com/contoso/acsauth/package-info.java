/** Top, above the features: the {@code /api} application, every package's settings read once, the start-up observer. */
package com.contoso.acsauth;
