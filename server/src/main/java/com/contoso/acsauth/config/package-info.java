/** Kernel, imports none of ours: settings read with every problem collected, failing startup once. */
package com.contoso.acsauth.config;
