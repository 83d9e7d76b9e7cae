#!/bin/sh
# Builds nbdkit's vddk plugin from an nbdkit source tarball and installs it in the plugin
# directory of the nbdkit installed here. Bookworm's nbdkit (1.32.5) ships no vddk plugin and
# its source is not on the package mirror; the plugin of the newer source (trixie's 1.42.3,
# sha256 in vddk-source.txt) uses only functions 1.32.5 exports and its plugin ABI (v2, sized
# struct) is stable. It needs no VMware SDK: it dlopens libvixDiskLib.so at run time from
# libdir= (what the VDDK init image copies in).
set -eu
tarball="$1"
work="$(mktemp -d)"
tar -xzf "$tarball" -C "$work" --strip-components=1
cd "$work"
./configure --quiet --disable-perl --disable-python --disable-ocaml --disable-rust --disable-ruby \
    --disable-tcl --disable-lua --disable-golang --without-libvirt --without-curl --without-gnutls \
    --without-liblzma --without-libzstd --disable-linuxdisk > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
for dir in include common/include common/replacements common/utils plugins/vddk; do
    make -s -C "$dir" > make.log 2>&1 || { tail -30 make.log; exit 1; }
done
plugindir="$(nbdkit --dump-config | sed -n 's/^plugindir=//p')"
install -m 0755 plugins/vddk/.libs/nbdkit-vddk-plugin.so "$plugindir/nbdkit-vddk-plugin.so"
cd / && rm -rf "$work"
nbdkit vddk --dump-plugin > /dev/null
