/** Outside-facing: the request deadline, timeouts and retries, downstream failures as 429/502/503/504. */
package com.contoso.acsauth.downstream;
