/** Outside-facing: MicroProfile Health checks (alive, configuration valid, signing keys available). */
package com.contoso.acsauth.health;
