#!/bin/sh
# A private apt configuration for fetching other projects' Debian sources and
# binary packages at build time, without touching /etc/apt.
# Usage: . scripts/apt-private.sh; apt_private_init DIR; apt_private ARGS...
# DIR holds the sources list, package lists and cache; it is created if missing.

APT_PRIVATE_MIRROR=${APT_PRIVATE_MIRROR:-http://deb.debian.org/debian}
APT_PRIVATE_SECURITY=${APT_PRIVATE_SECURITY:-http://deb.debian.org/debian-security}

apt_private_init() {
	APT_PRIVATE_DIR=$1
	mkdir -p "$APT_PRIVATE_DIR/sources" "$APT_PRIVATE_DIR/lists/partial" \
		"$APT_PRIVATE_DIR/cache/archives/partial"
	cat >"$APT_PRIVATE_DIR/sources/vsgx.sources" <<SRC
Types: deb deb-src
URIs: $APT_PRIVATE_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: $APT_PRIVATE_SECURITY
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	# Refresh the lists at most once a day: they name what apt-get source
	# and apt-get download fetch.
	if [ -z "$(find "$APT_PRIVATE_DIR/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2>/dev/null)" ]; then
		apt_private update -qq || return 1
	fi
}

apt_private() {
	apt-get -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$APT_PRIVATE_DIR/sources" \
		-o Dir::State::Lists="$APT_PRIVATE_DIR/lists" \
		-o Dir::Cache="$APT_PRIVATE_DIR/cache" \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		"$@"
}
