/** Outside-facing: the ACS Identity client (Azure SDK) and its errors as problems. */
package com.contoso.acsauth.acs;
