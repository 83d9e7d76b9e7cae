#!/usr/bin/env bash
# Copy the files our pages load from node_modules ($1) into static/vendor ($2).
set -euo pipefail
src="$1"; dst="$2"
pf="$src/@patternfly/patternfly"
rm -rf "$dst"; mkdir -p "$dst/patternfly/assets/images" "$dst/htmx"
cp "$pf/patternfly.min.css" "$pf/patternfly-addons.css" "$dst/patternfly/"
cp -r "$pf/assets/fonts" "$pf/assets/pficon" "$dst/patternfly/assets/"
cp "$pf/assets/images/PF-Bkg-Generic-Light.svg" "$pf/assets/images/PF-Bkg-Generic-Dark.svg" "$dst/patternfly/assets/images/"
cp "$src/htmx.org/dist/htmx.min.js" "$src/htmx-ext-ws/dist/ws.min.js" "$dst/htmx/"
