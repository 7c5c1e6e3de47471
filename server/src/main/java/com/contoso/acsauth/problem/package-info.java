/** Kernel, imports none of ours: every failure as an RFC 9457 problem and one log line. */
package com.contoso.acsauth.problem;
