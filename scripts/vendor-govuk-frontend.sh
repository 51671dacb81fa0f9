#!/usr/bin/env bash
# Vendors GOV.UK Frontend into safehub/static/govuk/ with SafeHub's own branding, so that
# running SafeHub needs no Node. Re-run after changing the pinned versions below; commit
# the result. It compiles the Sass itself so that the GDS Transport font (reserved for
# GOV.UK services) is left out and the system font stack is used instead.
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.6.0
SASS_VERSION=1.108.2

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/safehub/static/govuk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION"
dist=node_modules/govuk-frontend/dist/govuk

cat > safehub-govuk.scss <<'SCSS'
// SafeHub is not a GOV.UK service: system fonts, no crown, its own brand colour.
@use "node_modules/govuk-frontend/dist/govuk" as * with (
  $govuk-font-family: (system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/static/govuk/assets/"
);
SCSS

rm -rf "$out"
mkdir -p "$out"
npx sass --no-source-map --style=compressed --quiet-deps --load-path=. safehub-govuk.scss "$out/govuk-frontend.min.css"
cp "$dist/govuk-frontend.min.js" "$out/"
# The crown, crest and GOV.UK icons are not ours to use: SafeHub ships its own favicon
# (safehub/static/safehub/), so no image assets are copied.
node -e 'const p=require("./node_modules/govuk-frontend/package.json"); console.log(p.name + " " + p.version + ", licence " + p.license)' > "$out/SOURCE"
echo "$GOVUK_FRONTEND_VERSION" > "$out/VERSION"
echo "GOV.UK Frontend $GOVUK_FRONTEND_VERSION vendored into $out"
