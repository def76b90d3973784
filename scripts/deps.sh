#!/bin/sh
# Install what acr-doctor needs to build and test, from Debian packages.
# Idempotent: installs only what is missing.  Needs root (or sudo).
set -eu

PKGS="gcc clang make autoconf automake autopoint gettext pkg-config
libncurses-dev libcurl4-openssl-dev libcjson-dev libssh2-1-dev libcmocka-dev
tmux valgrind python3 ca-certificates
openssl curl docker-registry"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Installing server packages must never start system daemons here.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
fi
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	--no-install-recommends $missing >/dev/null
