#!/usr/bin/env bash
# Re-vendors the /try/ page's browser libraries from the versions pinned in package.json / package-lock.json:
#   server/src/main/webapp/try/vendor/    msal-browser (current major) and its redirect bridge, as published (UMD builds);
#                                  the ACS common library's AzureCommunicationTokenCredential bundled by esbuild
#                                  into one script (global AcsCommon); THIRD-PARTY-NOTICES.txt with every licence
#   stand-ins/src/test/resources/browser/msal-browser-2/   msal-browser 2.x (the originals' React client pins it), for the
#                                  stand-in's proof that the old major works too
# The output is committed, so building the WAR needs no Node.js; run this (Node.js 20+, npm) only to change versions,
# and commit what it writes. VendoredLibrariesTest checks the files match package.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/server/src/main/webapp/try/vendor
old=$root/stand-ins/src/test/resources/browser/msal-browser-2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$work/"
# --ignore-scripts: esbuild's binary comes as an optional dependency; nothing else needs an install script
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

rm -rf "$out" "$old"
mkdir -p "$out" "$old"
msal=$work/node_modules/@azure/msal-browser
cp "$msal/lib/msal-browser.min.js" "$out/msal-browser.min.js"
cp "$msal/lib/redirect-bridge/msal-redirect-bridge.min.js" "$out/msal-redirect-bridge.min.js"
cp "$work/node_modules/msal-browser-2/lib/msal-browser.min.js" "$old/msal-browser.min.js"
cp "$work/node_modules/msal-browser-2/LICENSE" "$old/LICENSE"

(cd "$work" && node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=AcsCommon \
  --platform=browser --target=es2020 --legal-comments=none --metafile=meta.json \
  --outfile="$out/communication-common.min.js" --log-level=warning)

# one notice per package that ends up in the vendored files: its name, version and licence text
node - "$work" "$out/THIRD-PARTY-NOTICES.txt" <<'JS'
const fs = require("fs"), path = require("path");
const [work, target] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(path.join(work, "meta.json"), "utf8"));
// msal-browser's UMD builds include msal-common
const dirs = new Set(["@azure/msal-browser", "@azure/msal-common"].map(p => path.join(work, "node_modules", p)));
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  if (m) dirs.add(path.join(work, m[1]));
}
let text = "Third-party software in this folder (the acs-auth-server /try/ page), bundled by scripts/try-page/vendor.sh.\n";
for (const dir of [...dirs].sort()) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const licence = fs.readdirSync(dir).find(f => /^licen[cs]e/i.test(f));
  text += `\n${"=".repeat(100)}\n${pkg.name} ${pkg.version} (${pkg.license})\n${"=".repeat(100)}\n`;
  text += licence ? fs.readFileSync(path.join(dir, licence), "utf8").trim() + "\n" : `Licence: ${pkg.license} (no licence file in the package)\n`;
}
fs.writeFileSync(target, text);
JS
ls -l "$out" "$old"
