#!/bin/sh
# Installs the mtvweb image inside its root filesystem, run as root from within it:
#   the Dockerfile:         RUN sh /tmp/mtvweb-image/install.sh
#   python -m lab image:    chroot <root> sh /tmp/mtvweb-image/install.sh (lab/image.py)
# Beside it: debian-packages.txt, debian-build-packages.txt, requirements.py, pyproject.toml, and
# the nbdkit source tarball whose vddk plugin is built here (build-vddk.sh).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
packages() { sed 's/#.*//' "$1" | tr -s ' \t' '\n' | sed '/^$/d'; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

apt-get update -q
# shellcheck disable=SC2046  # one word per package
apt-get install -y -q --no-install-recommends \
    $(packages "$here/debian-packages.txt") $(packages "$here/debian-build-packages.txt")

python3 -m venv /opt/mtvweb/venv
python3 "$here/requirements.py" "$here/pyproject.toml" > "$here/requirements.txt"
/opt/mtvweb/venv/bin/pip install -q --no-cache-dir --disable-pip-version-check -r "$here/requirements.txt"

sh "$here/build-vddk.sh" "$here"/nbdkit_*.orig.tar.gz

# shellcheck disable=SC2046
apt-get purge -y -q $(packages "$here/debian-build-packages.txt")
apt-get autoremove -y -q --purge
rm -rf /var/lib/apt/lists/* /root/.cache
