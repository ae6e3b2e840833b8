#!/bin/sh
# Download the Debian 12 packages the guest is made from, as .deb files, into
# CACHE_DIR, through the project's private apt configuration (/etc/apt is never
# touched, nothing is installed on the host).
#   linux-image-6.1.0-NN-amd64  the kernel linux-image-amd64 depends on today
#   linux-source-6.1            the SGX selftests' sources
#   busybox-static              the guest's whole userland
# Usage: guest/fetch.sh CACHE_DIR
# Writes CACHE_DIR/manifest ("package file" lines) for guest/build.sh.
# A file already in the cache with apt's size and SHA256 is not fetched again.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
cache=$(cd "$1" && pwd)

die() { echo "guest/fetch: $*" >&2; exit 1; }

# shellcheck source=scripts/apt-private.sh
. "$here/../scripts/apt-private.sh"
apt_private_init "$cache/apt" || die "apt update through the private configuration failed"

# apt-private.sh wraps apt-get only; apt-cache needs the same lists.
apt_private_cache() {
	apt-cache -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$APT_PRIVATE_DIR/sources" \
		-o Dir::State::Lists="$APT_PRIVATE_DIR/lists" \
		-o Dir::Cache="$APT_PRIVATE_DIR/cache" "$@"
}

# The metapackage only names the real kernel package; take its first
# linux-image-* dependency (the metapackage depends on exactly one).
kernel=$(apt_private_cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel" ] || die "package linux-image-amd64: not found, or it names no linux-image-*-amd64 dependency"

# Fetch one package unless the cache already holds apt's exact file.
fetch() {
	pkg=$1
	# --print-uris prints 'URI' FILE SIZE SHA256:HASH and downloads nothing;
	# it is run in an empty folder because it prints nothing for a file that
	# is already in the current one.
	line=$(cd "$cache/apt/empty" && apt_private download --print-uris "$pkg" 2>/dev/null | grep "^'") ||
		die "package $pkg: not available from the Debian archive (apt-get download found no candidate)"
	# shellcheck disable=SC2086 # split into its four fields
	set -- $line
	file=$2 size=$3 sum=${4#SHA256:}
	[ "$sum" != "$4" ] || die "package $pkg: apt gave no SHA256 (got '$4')"
	if [ -f "$cache/$file" ] && [ "$(stat -c %s "$cache/$file")" = "$size" ] &&
		[ "$(sha256sum "$cache/$file" | cut -d' ' -f1)" = "$sum" ]; then
		echo "guest/fetch: $file: cached"
	else
		rm -f "$cache/$file"
		echo "guest/fetch: $file: downloading ($size bytes)"
		(cd "$cache" && apt_private download -q "$pkg") ||
			die "package $pkg: download failed"
		[ "$(sha256sum "$cache/$file" | cut -d' ' -f1)" = "$sum" ] ||
			die "package $pkg: $file does not match apt's SHA256"
	fi
	echo "$pkg $file" >>"$cache/manifest.new"
}

mkdir -p "$cache/apt/empty"
rm -f "$cache/manifest.new"
for p in "$kernel" linux-source-6.1 busybox-static; do
	fetch "$p"
done
mv "$cache/manifest.new" "$cache/manifest"
