#!/usr/bin/env bash
# Builds kube-apiserver from Debian bookworm's kubernetes source package.
# No reachable registry ships the binary, so this is the only way to get a
# real apiserver here. Usage: build_apiserver.sh OUTPUT_BINARY
set -euo pipefail

out="$1"
version_pkg="1.20.5+really1.20.2-1.1+deb12u1"
work="$(mktemp -d "${TMPDIR:-/tmp}/mirrorctl-apiserver-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v apt-get >/dev/null; then
  echo "no apt-get: set MIRRORCTL_KUBE_APISERVER to a kube-apiserver binary" >&2
  exit 3
fi

src_list=/etc/apt/sources.list.d/mirrorctl-bookworm-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  as_root tee "$src_list" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  golang-go rsync jq dpkg-dev golang-github-modern-go-reflect2-dev >/dev/null

cd "$work"
apt-get source --download-only -qq "kubernetes=$version_pkg" >/dev/null 2>&1 \
  || apt-get source --download-only -qq kubernetes >/dev/null
orig="$(ls kubernetes_*.orig.tar.* | head -n1)"
mkdir tree
tar -xf "$orig" -C tree --strip-components=1
tree="$work/tree"

# reflect2 1.0.1 segfaults under Go >= 1.18; Debian's 1.0.2 sources fix it.
r2="$tree/vendor/github.com/modern-go/reflect2"
rm -f "$r2"/*.go "$r2"/*.s
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$r2"/
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$r2"/ 2>/dev/null || true

mkdir -p "$tree/.go/src/k8s.io"
ln -s "$tree" "$tree/.go/src/k8s.io/kubernetes"
cd "$tree/.go/src/k8s.io/kubernetes"
export GOPATH="$tree/.go" GO111MODULE=off CGO_ENABLED=0 HOME="${HOME:-$work}" GOFLAGS=-mod=vendor
export KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean
make WHAT=cmd/kube-apiserver >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
bin="$(find "$tree/_output" -type f -name kube-apiserver | head -n1)"
mkdir -p "$(dirname "$out")"
cp "$bin" "$out.tmp"
mv "$out.tmp" "$out"
"$out" --version
