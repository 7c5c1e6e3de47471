#!/usr/bin/env bash
# Stand-in for the Azure CLI in CreateAppRegistrationsScriptTest. It keeps a small tenant in files under
# $AZ_STUB_STATE, appends every call to $AZ_STUB_STATE/calls and answers the commands create-app-registrations.sh
# uses as az 2.x does (tsv values, empty output for null, error text on stderr, non-zero exit). Any other call
# fails, so a new az command in the script needs a matching answer here.
#   AZ_STUB_CLOUD  AzureCloud (default), AzureUSGovernment or AzureChinaCloud
#   AZ_STUB_GRANT  "deny": az ad app permission grant fails as it does without a consent-granting role
# Managed identities are lines "principal id<TAB>client id<TAB>resource id" in $AZ_STUB_STATE/identities (the
# resource id of a user-assigned identity, or of the host of a system-assigned one).
set -euo pipefail

state="${AZ_STUB_STATE:?names the directory of the stub tenant}"
cloud="${AZ_STUB_CLOUD:-AzureCloud}"
readonly TENANT="11111111-2222-4333-8444-555555555555"
readonly GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"
readonly ACS_APP_ID="1fd5118e-2576-4263-8130-9503064c837a"
touch "${state}/apps" "${state}/sps" "${state}/permissions" "${state}/grants" "${state}/identities" "${state}/fics"
call="$*"
printf '%s\n' "${call//$'\n'/ }" >>"${state}/calls" # one line per call

args=("$@")

fail() { # fail <exit status> <message>
  printf 'ERROR: %s\n' "$2" >&2
  exit "$1"
}

# Value after option $1 ("" when absent).
opt() {
  local i
  for ((i = 0; i + 1 < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == "$1" ]]; then
      printf '%s' "${args[i + 1]}"
      return 0
    fi
  done
  return 0
}

# Values after option $1, up to the next option.
opts() {
  local i collecting=false
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${collecting}" == true && "${args[i]}" == --* ]]; then
      break
    fi
    if [[ "${collecting}" == true ]]; then
      printf '%s\n' "${args[i]}"
    fi
    if [[ "${args[i]}" == "$1" ]]; then
      collecting=true
    fi
  done
}

# Field $2 (1 name, 2 appId, 3 object id) of the app whose appId is $1; fails like az when there is none.
app_field() {
  local line
  line="$(awk -F '\t' -v id="$1" '$2 == id' "${state}/apps")"
  [[ -n "${line}" ]] || fail 3 "Resource '$1' does not exist or one of its queried reference-property objects are not present."
  printf '%s\n' "${line}" | cut -f "$2"
}

has_sp() {
  [[ "$1" == "${GRAPH_APP_ID}" ]] || grep -qxF "$1" "${state}/sps"
}

# Pseudo-GUIDs numbered in creation order, so tests can tell objects apart.
next_id() {
  local n
  n=$(($(wc -l <"${state}/apps") + 1))
  printf '%08d-0000-4000-%s-%012d\n' "${n}" "$1" "${n}"
}

graph_scope_id() {
  case "$1" in
    User.Read) echo "e1fe6dd8-ba31-4d61-89e7-88639da4683d" ;;
    User.ReadWrite) echo "b4e74841-8e56-480b-be8b-910348b18b4c" ;;
    User.ReadWrite.All) echo "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4" ;;
  esac
}

# Field $2 of the managed identity whose principal id is $1 ("" when there is none).
identity_field() {
  awk -F '\t' -v p="$1" -v f="$2" '$1 == p { print $f }' "${state}/identities"
}

# Value of "key": "value" in the JSON body $1 (the script's one-line --parameters).
json_field() {
  if [[ "$1" =~ \"$2\":\ \[?\"([^\"]*)\" ]]; then
    printf '%s' "${BASH_REMATCH[1]}"
  fi
}

case "${cloud}" in
  AzureCloud) graph="https://graph.microsoft.com/" login="https://login.microsoftonline.com" ;;
  AzureUSGovernment) graph="https://graph.microsoft.us/" login="https://login.microsoftonline.us" ;;
  AzureChinaCloud) graph="https://microsoftgraph.chinacloudapi.cn/" login="https://login.chinacloudapi.cn" ;;
  *) fail 2 "stub: unknown cloud ${cloud}" ;;
esac

query="$(opt --query)"
case "$1 ${2:-} ${3:-} ${4:-}" in
  "account show "*)
    [[ "${query}" != tenantId ]] || echo "${TENANT}"
    ;;
  "cloud show "*)
    case "${query}" in
      name) echo "${cloud}" ;;
      endpoints.microsoftGraphResourceId) echo "${graph}" ;;
      endpoints.activeDirectory) echo "${login}" ;;
      *) fail 2 "stub: unexpected query ${query}" ;;
    esac
    ;;
  "ad app list "*)
    [[ "${query}" == "[].appId" ]] || fail 2 "stub: unexpected query ${query}"
    filter="$(opt --filter)" prefix="$(opt --display-name)"
    if [[ -n "${filter}" ]]; then
      [[ "${filter}" =~ ^displayName\ eq\ \'(.*)\'$ ]] || fail 1 "Invalid filter clause: ${filter}"
      name="${BASH_REMATCH[1]//\'\'/\'}"
      awk -F '\t' -v n="${name}" '$1 == n { print $2 }' "${state}/apps"
    elif [[ -n "${prefix}" ]]; then
      # What az really does with --display-name: startswith(displayName, '...').
      awk -F '\t' -v p="${prefix}" 'index($1, p) == 1 { print $2 }' "${state}/apps"
    else
      cut -f 2 "${state}/apps"
    fi
    ;;
  "ad app create "*)
    app_id="$(next_id a000)" object_id="$(next_id b000)"
    printf '%s\t%s\t%s\n' "$(opt --display-name)" "${app_id}" "${object_id}" >>"${state}/apps"
    [[ "${query}" == appId ]] || fail 2 "stub: unexpected query ${query}"
    echo "${app_id}"
    ;;
  "ad app show "*)
    object_id="$(app_field "$(opt --id)" 3)"
    case "${query}" in
      id) echo "${object_id}" ;;
      "api.oauth2PermissionScopes[?value=='access_as_user'].id | [0]")
        if [[ -f "${state}/scope.${object_id}" ]]; then cat "${state}/scope.${object_id}"; fi
        ;;
      *) fail 2 "stub: unexpected query ${query}" ;;
    esac
    ;;
  "ad app update "*)
    app_field "$(opt --id)" 2 >/dev/null
    ;;
  "rest "*)
    uri="$(opt --uri)"
    [[ "$(opt --method)" == PATCH && "${uri}" == "${graph}v1.0/applications/"* ]] \
      || fail 1 "stub: unexpected request $(opt --method) ${uri} (this cloud's Graph is ${graph})"
    body="$(opt --body)"
    if [[ "${body}" =~ \"oauth2PermissionScopes\".*\"id\":\ \"([0-9a-f-]+)\" ]]; then
      echo "${BASH_REMATCH[1]}" >"${state}/scope.${uri##*/}"
    fi
    ;;
  "ad sp show "*)
    sp="$(opt --id)"
    if [[ -n "$(identity_field "${sp}" 1)" ]]; then
      case "${query}" in
        servicePrincipalType) echo ManagedIdentity ;;
        appId) identity_field "${sp}" 2 ;;
        # az prints a list one element a line.
        alternativeNames) printf 'isExplicit=%s\n%s\n' "$([[ "$(identity_field "${sp}" 3)" == */userAssignedIdentities/* ]] \
          && echo True || echo False)" "$(identity_field "${sp}" 3)" ;;
        *) fail 2 "stub: unexpected query ${query}" ;;
      esac
      exit 0
    fi
    has_sp "${sp}" || fail 3 "Service principal '${sp}' doesn't exist"
    if [[ "${query}" =~ ^oauth2PermissionScopes\[\?value==\'(.*)\'\]\.id\ \|\ \[0\]$ ]]; then
      case "${sp}" in
        "${GRAPH_APP_ID}") graph_scope_id "${BASH_REMATCH[1]}" ;;
        "${ACS_APP_ID}") echo "acs-scope-${BASH_REMATCH[1]}" ;;
        *) fail 2 "stub: no scopes for ${sp}" ;;
      esac
    elif [[ -n "${query}" ]]; then
      fail 2 "stub: unexpected query ${query}"
    fi
    ;;
  "ad sp create "*)
    sp="$(opt --id)"
    [[ "${sp}" == "${ACS_APP_ID}" ]] || app_field "${sp}" 2 >/dev/null
    echo "${sp}" >>"${state}/sps"
    ;;
  "ad app permission add")
    app_id="$(opt --id)" resource="$(opt --api)"
    app_field "${app_id}" 2 >/dev/null
    # Appended even when already there, as az does (azure-cli issue 24512).
    opts --api-permissions | while IFS='=' read -r id type; do
      printf '%s\t%s\t%s\t%s\n' "${app_id}" "${resource}" "${id}" "${type}"
    done >>"${state}/permissions"
    echo "WARNING: Invoking \`az ad app permission grant --id ${app_id} --api $(opt --api)\` is needed to make the change effective" >&2
    ;;
  "ad app permission list")
    app_id="$(opt --id)"
    app_field "${app_id}" 2 >/dev/null
    [[ "${query}" =~ ^\[\?resourceAppId==\'(.*)\'\]\.resourceAccess\[\]\.id$ ]] || fail 2 "stub: unexpected query ${query}"
    awk -F '\t' -v a="${app_id}" -v r="${BASH_REMATCH[1]}" '$1 == a && $2 == r { print $3 }' "${state}/permissions"
    ;;
  "ad app credential reset")
    app_field "$(opt --id)" 2 >/dev/null
    [[ "${query}" == password ]] || fail 2 "stub: unexpected query ${query}"
    echo "stub-secret-$(grep -c '^ad app credential reset' "${state}/calls")"
    ;;
  "ad app federated-credential list")
    app_id="$(opt --id)"
    app_field "${app_id}" 2 >/dev/null
    [[ "${query}" =~ ^\[\?subject==\'(.*)\'\]\.\[name,\ issuer,\ audiences\[0\]\]$ ]] || fail 2 "stub: unexpected query ${query}"
    awk -F '\t' -v a="${app_id}" -v s="${BASH_REMATCH[1]}" -v OFS='\t' '$1 == a && $4 == s { print $2, $3, $5 }' "${state}/fics"
    ;;
  "ad app federated-credential create")
    app_id="$(opt --id)" body="$(opt --parameters)"
    app_field "${app_id}" 2 >/dev/null
    name="$(json_field "${body}" name)" issuer="$(json_field "${body}" issuer)" subject="$(json_field "${body}" subject)"
    [[ "${name}" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$ ]] || fail 1 "Invalid federated identity credential name '${name}'"
    # Entra ID keeps names, and issuer with subject, unique per application.
    awk -F '\t' -v a="${app_id}" -v n="${name}" '$1 == a && $2 == n { found = 1 } END { exit !found }' "${state}/fics" \
      && fail 1 "FederatedIdentityCredential with name ${name} already exists."
    awk -F '\t' -v a="${app_id}" -v i="${issuer}" -v s="${subject}" '$1 == a && $3 == i && $4 == s { found = 1 } END { exit !found }' \
      "${state}/fics" && fail 1 "FederatedIdentityCredential with issuer and subject already exists."
    printf '%s\t%s\t%s\t%s\t%s\n' "${app_id}" "${name}" "${issuer}" "${subject}" "$(json_field "${body}" audiences)" \
      >>"${state}/fics"
    ;;
  "ad app federated-credential update")
    app_id="$(opt --id)" name="$(opt --federated-credential-id)" body="$(opt --parameters)"
    app_field "${app_id}" 2 >/dev/null
    awk -F '\t' -v a="${app_id}" -v n="${name}" '$1 == a && $2 == n { found = 1 } END { exit !found }' "${state}/fics" \
      || fail 3 "Resource '${name}' does not exist or one of its queried reference-property objects are not present."
    awk -F '\t' -v a="${app_id}" -v n="${name}" -v OFS='\t' -v i="$(json_field "${body}" issuer)" \
      -v s="$(json_field "${body}" subject)" -v au="$(json_field "${body}" audiences)" \
      '$1 == a && $2 == n { $3 = i; $4 = s; $5 = au } { print }' "${state}/fics" >"${state}/fics.new"
    mv "${state}/fics.new" "${state}/fics"
    ;;
  "ad app permission admin-consent")
    [[ "${cloud}" == AzureCloud ]] || fail 1 "This command is not yet supported on sovereign clouds"
    app_field "$(opt --id)" 2 >/dev/null
    ;;
  "ad app permission grant")
    client="$(opt --id)" resource="$(opt --api)"
    has_sp "${client}" || fail 1 "Service principal with appId or objectId '${client}' doesn't exist."
    has_sp "${resource}" || fail 1 "Service principal with appId or objectId '${resource}' doesn't exist."
    [[ "${AZ_STUB_GRANT:-}" != deny ]] || fail 1 "Insufficient privileges to complete the operation."
    # az replaces the grant of this client to this resource.
    awk -F '\t' -v c="${client}" -v r="${resource}" '!($1 == c && $2 == r)' "${state}/grants" >"${state}/grants.new"
    printf '%s\t%s\t%s\n' "${client}" "${resource}" "$(opts --scope | paste -sd ' ' -)" >>"${state}/grants.new"
    mv "${state}/grants.new" "${state}/grants"
    ;;
  *)
    fail 2 "stub: unexpected call: az $*"
    ;;
esac
