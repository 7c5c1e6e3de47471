/** Outside-facing: the identity-mapping store SPI, its Graph and database stores, and the mapping cache. */
package com.contoso.acsauth.mapping;
