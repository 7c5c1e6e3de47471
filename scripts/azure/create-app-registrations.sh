#!/usr/bin/env bash
# Creates the Microsoft Entra ID app registrations acs-auth-server needs, with the az CLI, and prints the
# environment variables to give the server. See --help and docs/deploy-azure.md.
set -euo pipefail

readonly GRAPH_APP_ID="00000003-0000-0000-c000-000000000000" # Microsoft Graph
readonly ACS_APP_ID="1fd5118e-2576-4263-8130-9503064c837a"   # Azure Communication Services (Teams.ManageCalls/Chats)
readonly API_SCOPE="access_as_user"

name="acs-auth-server"
spa_redirect_uri="http://localhost:3000/"
server_urls=()
graph_write_permission="User.ReadWrite"
secret_years="1"
secret_years_given=false
create_secret=true
federated_principal=""
single_registration=false
with_teams=false
admin_consent=true
consent_todo=()

usage() {
  cat <<'EOF'
Usage: create-app-registrations.sh [options]

Creates, in the tenant `az login` is signed in to:
  * the API app registration "<name>": Application ID URI api://<appId>, delegated scope access_as_user,
    v2 access tokens (api.requestedAccessTokenVersion = 2), a client secret (or, with
    --federated-managed-identity, a federated identity credential instead), Microsoft Graph delegated
    permissions User.Read and User.ReadWrite (or User.ReadWrite.All), a service principal, admin consent;
  * the SPA client app registration "<name>-spa": SPA redirect URI (and, with --server-url, the redirect URIs
    of the server's /try/ page and Swagger UI), permission to the API's access_as_user scope, admin consent.
Then prints the server's environment variables (stdout) and the SPA settings; progress goes to stderr, so
  ./create-app-registrations.sh > acs-auth-server.env
keeps only the variables in the file. The file then holds a client secret: protect it, or move the secret
to Key Vault (docs/deploy-azure.md). With --federated-managed-identity or --no-secret it holds no secret.

Options:
  --name NAME                 display name of the API registration (default: acs-auth-server)
  --spa-redirect-uri URI      SPA redirect URI (default: http://localhost:3000/)
  --server-url URL            the server's address as browsers see it (https://acs-auth.contoso.com); adds the
                              SPA redirect URIs of its /try/ page (URL/try/redirect.html) and of Swagger UI's
                              sign-in (URL/openapi-ui/oauth2-redirect.html). Repeat it for several servers.
                              The SPA registration is the one those pages sign in with (BROWSER_CLIENT_ID,
                              by default ACS_TEAMS_APP_ID); docs/try-page.md
  --single-registration       one registration for both the API and the SPA, as the original sample's
                              MinimalClient assumes (it asks for api://<its own clientId>/access_as_user)
  --with-teams                also let the SPA request the Azure Communication Services delegated
                              permissions Teams.ManageCalls and Teams.ManageChats, for GET /api/token/teams
  --graph-write-permission P  User.ReadWrite (default: the signed-in user's own open extensions) or
                              User.ReadWrite.All (what the original sample's guide grants)
  --secret-years N            lifetime of the client secret in years (default: 1)
  --federated-managed-identity PRINCIPAL_ID
                              no client secret: let the user-assigned managed identity with this object
                              (principal) id sign in as the API registration, through a federated identity
                              credential named managed-identity-<PRINCIPAL_ID>; prints AAD_CLIENT_ASSERTION and
                              MANAGED_IDENTITY_CLIENT_ID. The identity must be in the same tenant.
  --no-secret                 no client secret and no federated credential (MAPPING_STORE=database needs no
                              credential; or add a certificate yourself)
  --skip-admin-consent        skip the admin consent step; the script then prints the commands that grant it
  -h, --help                  show this help

Admin consent (tenant-wide, for the delegated permissions above) is granted with az ad app permission grant,
which works in every cloud. The signed-in account needs the Cloud Application Administrator or Application
Administrator role (or Privileged Role Administrator / Global Administrator).

The Teams exchange (GET /api/token/teams): ACS accepts the exchange only if the appId the server sends equals
the appid claim of the Teams user's Entra token, i.e. the client id of the app the SPA signed in with. With two
registrations that is the SPA's id, so the script prints ACS_TEAMS_APP_ID=<SPA appId>; with
--single-registration it is the API's own id, which is the server's default.

Federated identity credentials (--federated-managed-identity): Entra ID accepts only user-assigned managed
identities there; the issuer is the tenant's v2.0 authority and the audience is this cloud's token exchange
audience (api://AzureADTokenExchange, ...USGov or ...China, from az cloud show). Creating one needs the
Application Administrator, Cloud Application Administrator or Application Developer role, or ownership of the
registration.

Re-running with the same --name reuses the registrations of exactly those display names and their
access_as_user scope, and appends one more client secret (with --federated-managed-identity: keeps the
federated credential that already trusts the identity, corrects its issuer and audience if they differ).

Exit status: 0 done; 4 the configuration was printed but admin consent was not granted (stderr says how to
grant it); any other non-zero status: failed before printing the configuration.
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

log() {
  printf '==> %s\n' "$*" >&2
}

# Entra ID replicates new applications and service principals with some delay; consent calls may fail at first.
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if "$@"; then
      return 0
    fi
    if ((attempt < 6)); then
      log "retrying in 10 s (attempt ${attempt} of 6 failed): $*"
      sleep 10
    fi
  done
  log "gave up after 6 attempts: $*"
  return 1
}

new_uuid() {
  if [[ -r /proc/sys/kernel/random/uuid ]]; then
    cat /proc/sys/kernel/random/uuid
  elif command -v uuidgen >/dev/null 2>&1; then
    uuidgen | tr '[:upper:]' '[:lower:]'
  else
    die "need /proc/sys/kernel/random/uuid or uuidgen to generate the scope id"
  fi
}

# Id of a delegated permission (oauth2PermissionScope) that an API's service principal publishes.
scope_id() {
  local resource_app_id="$1" value="$2" id
  id="$(az ad sp show --id "${resource_app_id}" --query "oauth2PermissionScopes[?value=='${value}'].id | [0]" -o tsv)"
  [[ -n "${id}" ]] || die "the service principal ${resource_app_id} publishes no delegated permission ${value}"
  printf '%s\n' "${id}"
}

ensure_service_principal() {
  local app_id="$1"
  if ! az ad sp show --id "${app_id}" >/dev/null 2>&1; then
    log "creating the service principal of ${app_id}"
    retry az ad sp create --id "${app_id}" --output none
  fi
}

# PATCH an application object through Microsoft Graph (for properties az ad app has no flag for).
patch_application() {
  local object_id="$1" body="$2"
  retry az rest --method PATCH --uri "${graph_url}/applications/${object_id}" \
    --headers "Content-Type=application/json" --body "${body}" --output none
}

# az ad app permission add appends what is already there too (azure-cli issue 24512): add only what is missing.
add_permissions() { # add_permissions <appId> <resource appId> <delegated permission id>...
  local app_id="$1" resource="$2" present id missing=()
  shift 2
  present="$(az ad app permission list --id "${app_id}" \
    --query "[?resourceAppId=='${resource}'].resourceAccess[].id" -o tsv)"
  for id in "$@"; do
    grep -qxF "${id}" <<<"${present}" || missing+=("${id}=Scope")
  done
  if ((${#missing[@]} > 0)); then
    retry az ad app permission add --id "${app_id}" --api "${resource}" --api-permissions "${missing[@]}" --output none
  fi
}

# appId of the single app registration with exactly this display name, created when there is none.
# (az ad app list --display-name matches names that start with it, so acs-auth-server-spa would count too.)
create_or_reuse_app() {
  local display_name="$1" existing q="'"
  existing="$(az ad app list --filter "displayName eq '${display_name//${q}/${q}${q}}'" --query "[].appId" -o tsv)"
  case "$(printf '%s' "${existing}" | grep -c .)" in
    0) az ad app create --display-name "${display_name}" --sign-in-audience AzureADMyOrg --query appId -o tsv ;;
    1) log "reusing the existing app registration ${existing}"; printf '%s\n' "${existing}" ;;
    *) die "several app registrations are named '${display_name}'; choose another --name" ;;
  esac
}

# Tenant-wide consent to delegated permissions through Microsoft Graph (oauth2PermissionGrants), as the portal's
# "Grant admin consent" does. Not az ad app permission admin-consent: the CLI refuses it outside the public cloud
# and it fails when signed in as a service principal. After one failure the rest are only listed, at the end.
grant_consent() { # grant_consent <client appId> <resource appId> <scope value>...
  local client="$1" resource="$2"
  shift 2
  local command=(az ad app permission grant --id "${client}" --api "${resource}" --scope "$@")
  if [[ "${admin_consent}" == true && ${#consent_todo[@]} -eq 0 ]] && retry "${command[@]}" --output none; then
    return 0
  fi
  consent_todo+=("${command[*]}")
}

# Graph accepts a federated credential with a wrong issuer or audience; only the token exchange fails then
# (AADSTS70021). So both come from the cloud az is signed in to, not from the user.
federation_settings() { # sets fic_issuer and fic_audience for this cloud
  local cloud
  cloud="$(az cloud show --query name -o tsv)"
  case "${cloud}" in
    AzureCloud) fic_audience="api://AzureADTokenExchange" ;;
    AzureUSGovernment) fic_audience="api://AzureADTokenExchangeUSGov" ;;
    AzureChinaCloud) fic_audience="api://AzureADTokenExchangeChina" ;;
    *) die "no known token exchange audience for the cloud ${cloud}; use a client secret or certificate there" ;;
  esac
  # 21Vianet's v2.0 tokens name login.partner.microsoftonline.cn, not the login.chinacloudapi.cn authority.
  if [[ "${cloud}" == AzureChinaCloud ]]; then
    fic_issuer="https://login.partner.microsoftonline.cn/${tenant_id}/v2.0"
  else
    fic_issuer="${authority_host}${tenant_id}/v2.0"
  fi
}

# Checks the principal before anything is created and finds its client id (a managed identity's appId).
managed_identity_client_id() {
  local principal="$1" type names client_id
  type="$(az ad sp show --id "${principal}" --query servicePrincipalType -o tsv 2>/dev/null)" \
    || die "no service principal ${principal} in tenant ${tenant_id}: give the managed identity's object (principal) id"
  [[ "${type}" == ManagedIdentity ]] || die "${principal} is a ${type:-non-managed-identity} service principal, not a managed identity"
  # A user-assigned identity's alternative names hold its own resource id; a system-assigned one's hold its host's.
  names="$(az ad sp show --id "${principal}" --query alternativeNames -o tsv)"
  if ! grep -qi '/providers/Microsoft\.ManagedIdentity/userAssignedIdentities/' <<<"${names}"; then
    log "warning: ${principal} looks system-assigned; Entra ID accepts only user-assigned managed identities as"
    log "         federated credentials, so On-Behalf-Of would fail with it"
  fi
  client_id="$(az ad sp show --id "${principal}" --query appId -o tsv)"
  [[ -n "${client_id}" ]] || die "the managed identity ${principal} has no client id"
  printf '%s\n' "${client_id}"
}

# Trust the managed identity as a credential of the API registration: create the federated credential, keep one that
# already trusts it, or correct ours when its issuer or audience belongs to another cloud.
ensure_federated_credential() { # ensure_federated_credential <appId> <principal id>
  local app_id="$1" principal="$2" name="managed-identity-$2" existing found_name issuer audience body
  existing="$(az ad app federated-credential list --id "${app_id}" \
    --query "[?subject=='${principal}'].[name, issuer, audiences[0]]" -o tsv)"
  while IFS=$'\t' read -r found_name issuer audience; do
    if [[ "${issuer}" == "${fic_issuer}" && "${audience}" == "${fic_audience}" ]]; then
      log "reusing the federated credential ${found_name}, which already trusts ${principal}"
      return 0
    fi
  done <<<"${existing}"
  body="$(printf '{"name": "%s", "issuer": "%s", "subject": "%s", "description": "%s", "audiences": ["%s"]}' \
    "${name}" "${fic_issuer}" "${principal}" "Managed identity that signs in as ${app_id} (no client secret)" "${fic_audience}")"
  if cut -f 1 <<<"${existing}" | grep -qxF "${name}"; then
    log "correcting the issuer and audience of the federated credential ${name}"
    retry az ad app federated-credential update --id "${app_id}" --federated-credential-id "${name}" \
      --parameters "${body}" --output none
  else
    log "adding the federated credential ${name}: ${fic_issuer}, subject ${principal}, audience ${fic_audience}"
    retry az ad app federated-credential create --id "${app_id}" --parameters "${body}" --output none
  fi
}

while (($# > 0)); do
  case "$1" in
    --name) name="${2:?--name needs a value}"; shift 2 ;;
    --spa-redirect-uri) spa_redirect_uri="${2:?--spa-redirect-uri needs a value}"; shift 2 ;;
    --server-url) server_urls+=("${2:?--server-url needs a value}"); shift 2 ;;
    --graph-write-permission) graph_write_permission="${2:?--graph-write-permission needs a value}"; shift 2 ;;
    --secret-years) secret_years="${2:?--secret-years needs a value}"; secret_years_given=true; shift 2 ;;
    --federated-managed-identity)
      federated_principal="${2:?--federated-managed-identity needs a principal id}"; create_secret=false; shift 2 ;;
    --no-secret) create_secret=false; shift ;;
    --single-registration) single_registration=true; shift ;;
    --with-teams) with_teams=true; shift ;;
    --skip-admin-consent) admin_consent=false; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

case "${graph_write_permission}" in
  User.ReadWrite | User.ReadWrite.All) ;;
  *) die "--graph-write-permission must be User.ReadWrite or User.ReadWrite.All" ;;
esac
[[ "${secret_years}" =~ ^[1-9][0-9]*$ ]] || die "--secret-years must be a positive whole number"
[[ "${spa_redirect_uri}" =~ ^https?:// ]] || die "--spa-redirect-uri must be an http(s) URL"
spa_redirect_uris=("${spa_redirect_uri}")
for server_url in ${server_urls[@]+"${server_urls[@]}"}; do
  # Entra ID accepts http for localhost only; a path is fine (a proxy's prefix), a query or fragment is not
  [[ "${server_url}" =~ ^(https://[A-Za-z0-9.-]+|http://(localhost|127\.0\.0\.1))(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$ ]] \
    || die "--server-url must be an https URL (http only for localhost) without query or fragment, was ${server_url}"
  spa_redirect_uris+=("${server_url%/}/try/redirect.html" "${server_url%/}/openapi-ui/oauth2-redirect.html")
done
if [[ "${create_secret}" == false && "${secret_years_given}" == true ]]; then
  die "--secret-years makes no sense without a client secret"
fi
if [[ -n "${federated_principal}" ]]; then
  [[ "${federated_principal}" =~ ^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$ ]] \
    || die "--federated-managed-identity needs the identity's object (principal) id, a GUID"
  # The subject is compared case-sensitively with the token's sub claim, where Entra ID writes ids in lower case.
  federated_principal="$(tr '[:upper:]' '[:lower:]' <<<"${federated_principal}")"
fi

command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed"
az account show --output none 2>/dev/null || die "not signed in: run az login (--tenant <tenant>) first"

tenant_id="$(az account show --query tenantId -o tsv)"
graph_resource="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph_resource="${graph_resource%/}"
graph_url="${graph_resource}/v1.0"
authority_host="$(az cloud show --query endpoints.activeDirectory -o tsv)"
authority_host="${authority_host%/}/"
log "tenant ${tenant_id}"
if [[ -n "${federated_principal}" ]]; then
  federation_settings
  managed_identity_client="$(managed_identity_client_id "${federated_principal}")"
fi

# --- The API app registration ----------------------------------------------------------------------------
log "creating (or reusing) the API app registration '${name}'"
api_app_id="$(create_or_reuse_app "${name}")"
api_object_id="$(az ad app show --id "${api_app_id}" --query id -o tsv)"
az ad app update --id "${api_app_id}" --identifier-uris "api://${api_app_id}"

scope_uuid="$(az ad app show --id "${api_app_id}" \
  --query "api.oauth2PermissionScopes[?value=='${API_SCOPE}'].id | [0]" -o tsv)"
if [[ -z "${scope_uuid}" ]]; then
  scope_uuid="$(new_uuid)"
fi

log "exposing api://${api_app_id}/${API_SCOPE} and asking for v2 access tokens"
api_body="$(cat <<JSON
{
  "api": {
    "requestedAccessTokenVersion": 2,
    "oauth2PermissionScopes": [
      {
        "id": "${scope_uuid}",
        "value": "${API_SCOPE}",
        "type": "User",
        "isEnabled": true,
        "adminConsentDisplayName": "Access ${name} as the signed-in user",
        "adminConsentDescription": "Allows the app to get Azure Communication Services identities and tokens for the signed-in user, and to store the user's identity mapping in Microsoft Graph.",
        "userConsentDisplayName": "Access ${name} on your behalf",
        "userConsentDescription": "Allows the app to get calling and chat tokens for you and to remember your communication identity in your profile."
      }
    ]
  }
}
JSON
)"
patch_application "${api_object_id}" "${api_body}"

log "adding Microsoft Graph delegated permissions User.Read and ${graph_write_permission}"
user_read_id="$(scope_id "${GRAPH_APP_ID}" "User.Read")"
user_write_id="$(scope_id "${GRAPH_APP_ID}" "${graph_write_permission}")"
add_permissions "${api_app_id}" "${GRAPH_APP_ID}" "${user_read_id}" "${user_write_id}"

if [[ "${create_secret}" == true ]]; then
  log "adding a client secret (valid ${secret_years} year(s))"
  client_secret="$(az ad app credential reset --id "${api_app_id}" --append --display-name "${name}" \
    --years "${secret_years}" --query password -o tsv)"
  [[ -n "${client_secret}" ]] || die "no client secret was returned"
elif [[ -n "${federated_principal}" ]]; then
  ensure_federated_credential "${api_app_id}" "${federated_principal}"
fi

ensure_service_principal "${api_app_id}"

# --- The client the SPA signs in with -----------------------------------------------------------------------
if [[ "${single_registration}" == true ]]; then
  spa_app_id="${api_app_id}"
  spa_object_id="${api_object_id}"
else
  log "creating (or reusing) the SPA app registration '${name}-spa'"
  spa_app_id="$(create_or_reuse_app "${name}-spa")"
  spa_object_id="$(az ad app show --id "${spa_app_id}" --query id -o tsv)"
fi

log "registering the SPA redirect URIs ${spa_redirect_uris[*]}"
redirect_uris_json="$(printf '"%s", ' "${spa_redirect_uris[@]}")"
patch_application "${spa_object_id}" "{\"spa\": {\"redirectUris\": [${redirect_uris_json%, }]}}"

log "letting the SPA request api://${api_app_id}/${API_SCOPE}"
add_permissions "${spa_app_id}" "${api_app_id}" "${scope_uuid}"

if [[ "${with_teams}" == true ]]; then
  log "letting the SPA request the Azure Communication Services permissions Teams.ManageCalls and Teams.ManageChats"
  ensure_service_principal "${ACS_APP_ID}"
  teams_calls_id="$(scope_id "${ACS_APP_ID}" "Teams.ManageCalls")"
  teams_chats_id="$(scope_id "${ACS_APP_ID}" "Teams.ManageChats")"
  add_permissions "${spa_app_id}" "${ACS_APP_ID}" "${teams_calls_id}" "${teams_chats_id}"
fi

if [[ "${spa_app_id}" != "${api_app_id}" ]]; then
  ensure_service_principal "${spa_app_id}"
fi

# --- Admin consent ----------------------------------------------------------------------------------------
if [[ "${admin_consent}" == true ]]; then
  log "granting admin consent to the delegated permissions"
fi
grant_consent "${api_app_id}" "${GRAPH_APP_ID}" User.Read "${graph_write_permission}"
grant_consent "${spa_app_id}" "${api_app_id}" "${API_SCOPE}"
if [[ "${with_teams}" == true ]]; then
  grant_consent "${spa_app_id}" "${ACS_APP_ID}" Teams.ManageCalls Teams.ManageChats
fi

# --- What to configure --------------------------------------------------------------------------------------
cat <<EOF
# acs-auth-server configuration for tenant ${tenant_id} (created $(date -u +%Y-%m-%dT%H:%M:%SZ))
EOF
if [[ "${create_secret}" == true ]]; then
  echo "# AAD_CLIENT_SECRET is a secret: keep this file private or move the value to Key Vault."
fi
cat <<EOF
AAD_INSTANCE=${authority_host}
AAD_TENANT_ID=${tenant_id}
AAD_CLIENT_ID=${api_app_id}
EOF
if [[ "${create_secret}" == true ]]; then
  echo "AAD_CLIENT_SECRET=${client_secret}"
elif [[ -n "${federated_principal}" ]]; then
  cat <<EOF
# No client secret: On-Behalf-Of signs in with a token of the app's user-assigned managed identity.
AAD_CLIENT_ASSERTION=managed-identity
MANAGED_IDENTITY_CLIENT_ID=${managed_identity_client}
EOF
  if [[ "${fic_audience}" != "api://AzureADTokenExchange" ]]; then
    echo "AAD_CLIENT_ASSERTION_AUDIENCE=${fic_audience}"
  fi
else
  cat <<EOF
# No client secret. With the Graph mapping store set one of AAD_CLIENT_CERTIFICATE_PATH, AAD_CLIENT_ASSERTION or
# AAD_CLIENT_ASSERTION_FILE (docs/deploy-azure.md); MAPPING_STORE=database needs none.
EOF
fi
if [[ "${graph_resource}" != "https://graph.microsoft.com" ]]; then
  cat <<EOF
# This cloud's Microsoft Graph (the server's defaults are the public cloud's).
GRAPH_BASE_URL=${graph_url}
GRAPH_SCOPES=${graph_resource}/.default
EOF
fi
if [[ "${spa_app_id}" != "${api_app_id}" ]]; then
  cat <<EOF
# The Teams exchange must send the client id the Teams user's token was issued to: the SPA's.
ACS_TEAMS_APP_ID=${spa_app_id}
EOF
fi
if [[ -n "${federated_principal}" ]]; then
  cat <<EOF
# Still to set: ACS_ENDPOINT=https://<acs>.communication.azure.com/, after giving the same managed identity the
# "Communication and Email Service Owner" role on the ACS resource (docs/deploy-azure.md); or ACS_CONNECTION_STRING.
EOF
else
  echo "# Still to set: ACS_CONNECTION_STRING (az communication list-key --name <acs> --resource-group <rg>)."
fi
cat <<EOF
#
# SPA (MSAL) settings:
#   clientId    = ${spa_app_id}
#   authority   = ${authority_host}${tenant_id}
#   redirectUri = ${spa_redirect_uri}
#   scopes      = ["api://${api_app_id}/${API_SCOPE}"]
EOF
if [[ "${with_teams}" == true ]]; then
  cat <<EOF
#   Teams scopes = ["https://auth.msft.communication.azure.com/Teams.ManageCalls",
#                   "https://auth.msft.communication.azure.com/Teams.ManageChats"]
EOF
fi
for server_url in ${server_urls[@]+"${server_urls[@]}"}; do
  cat <<EOF
#
# ${server_url%/}: its /try/ page (TRY_PAGE_ENABLED=true) and Swagger UI (OPENAPI_UI_ENABLED=true) can sign in as
# ${spa_app_id}; both are off by default and meant for trying the API out (docs/try-page.md).
EOF
done

if ((${#consent_todo[@]} > 0)); then
  log "admin consent is NOT granted: until it is, On-Behalf-Of fails with AADSTS65001 (the server answers 403)."
  log "An account with the Cloud Application Administrator or Application Administrator role can grant it with"
  printf '      %s\n' "${consent_todo[@]}" >&2
  log "or in the portal: App registrations > the app > API permissions > Grant admin consent."
  if [[ "${admin_consent}" == true ]]; then
    exit 4
  fi
fi
