# Shared by scripts/demo and scripts/test: install what is missing, reuse what is cached.
# Everything downloaded or built lands under ~/.cache/mtvweb, never in the checkout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/mtvweb"
VENV="$CACHE/venv"
export GOMODCACHE="${GOMODCACHE:-$CACHE/go-mod}"
export GOFLAGS="${GOFLAGS:--modcacherw}"
export npm_config_cache="${npm_config_cache:-$CACHE/npm}"
mkdir -p "$CACHE"

DEBIAN_PACKAGES=(
    postgresql redis-server        # production settings in the test suite
    chromium                       # browser tests (never a downloaded browser)
    qemu-utils nbdkit libnbd-bin   # disk images and transfers
    libxml2-dev libcurl4-openssl-dev libssl-dev gcc   # ovirt-engine-sdk-python builds from source
    bubblewrap                     # the cluster simulator runs pods in their own mount namespace
    mmdebstrap                     # ... on the image's root filesystem (python -m lab image)
    openssl curl
    # the lab's real guest (lab/guest): build its disks, boot them with QEMU (TCG) and OVMF
    mmdebstrap fdisk e2fsprogs dosfstools mtools qemu-system-x86 ovmf
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_debian_packages() {
    local missing=()
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python() {
    local want; want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating the Python environment in $VENV"
        python3 -m venv "$VENV"
    fi
    if [ "$(cat "$VENV/.mtvweb-stamp" 2>/dev/null)" != "$want" ] || ! "$VENV/bin/python" -c "import mtvweb" 2>/dev/null; then
        log "installing Python packages"
        "$VENV/bin/pip" install -q --upgrade pip >/dev/null
        "$VENV/bin/pip" install -q -e "$ROOT[dev]"
        echo "$want" > "$VENV/.mtvweb-stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

# PatternFly and htmx come from the npm registry at the versions package-lock.json pins;
# only the files the pages load are copied into static/vendor (ignored by git).
ensure_static() {
    local want; want="$(cat "$ROOT/package.json" "$ROOT/package-lock.json" "$ROOT/scripts/lib/vendor-static.sh" | sha256sum | cut -c1-16)"
    local stamp="$ROOT/static/vendor/.stamp"
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
    log "installing front-end packages from the npm registry"
    local work="$CACHE/node"
    mkdir -p "$work"
    cp "$ROOT/package.json" "$ROOT/package-lock.json" "$work/"
    (cd "$work" && npm ci --silent --no-audit --no-fund >/dev/null)
    bash "$ROOT/scripts/lib/vendor-static.sh" "$work/node_modules" "$ROOT/static/vendor"
    echo "$want" > "$stamp"
}

# The Open Policy Agent: evaluates validation rules in production and checks custom rules.
ensure_opa() {
    local want; want="$(cat "$ROOT/tools/opa/go.mod" "$ROOT/tools/opa/go.sum" "$ROOT/tools/opa/main.go" | sha256sum | cut -c1-16)"
    local bin="$CACHE/bin/opa" stamp="$CACHE/bin/.opa.stamp"
    [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
    log "building OPA from its Go module (about two minutes the first time)"
    mkdir -p "$CACHE/bin"
    (cd "$ROOT/tools/opa" && CGO_ENABLED=0 go build -trimpath -o "$bin" .)
    echo "$want" > "$stamp"
}

# What the lab needs from the settings: its sources all listen on loopback, which namespace admins
# may not reach unless allowed (providers/addresses.py), and the console is plain http on loopback
# (no HSTS, no redirect to https, cookies without Secure).
lab_settings() {
    export MTVWEB_ALLOWED_PROVIDER_NETWORKS="${MTVWEB_ALLOWED_PROVIDER_NETWORKS:-127.0.0.0/8,::1/128}"
    export MTVWEB_HTTPS=0
}

ensure_all() {
    ensure_debian_packages
    ensure_python
    ensure_static
    ensure_opa
}
