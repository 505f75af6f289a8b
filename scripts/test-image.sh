#!/usr/bin/env bash
# Builds the local busybox image the Docker tests deploy (no registry is reachable here):
# a root filesystem of busybox-static and its applets, imported as orca-test/busybox:1.
set -euo pipefail
image=${1:-orca-test/busybox:1}
if docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi
busybox=$(command -v busybox)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
echo '<h1>orca test</h1>' > "$root/www/index.html"
tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$image" >/dev/null
echo "built $image"
