/** Outside-facing: the request's W3C trace context, from the caller to the answer and downstream calls. */
package com.contoso.acsauth.correlation;
