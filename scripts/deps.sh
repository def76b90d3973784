#!/bin/sh
# Install what acr-doctor needs to build and test, from Debian packages.
# Idempotent: installs only what is missing.  Needs root (or sudo).
set -eu

PKGS="gcc clang make autoconf automake autopoint gettext pkg-config
libncurses-dev libcurl4-openssl-dev libcjson-dev libssh2-1-dev libssl-dev
libcmocka-dev libyaml-dev
tmux valgrind python3 ca-certificates curl openssl help2man squid
openssh-server openssh-client dnsmasq bind9-dnsutils nftables iproute2
docker-registry"

# kubectl from Debian (kubernetes-client) proves the fake Kubernetes API
# faithful.  Where /usr/bin/kubectl belongs to another package (the Google
# Cloud SDK's dispatcher), the Debian binary is unpacked beside it instead.
KUBECTL_DIR=/usr/local/lib/acr-doctor-tests/kubernetes-client
kubectl_owner=$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1 || true)
if [ -z "$kubectl_owner" ] || [ "$kubectl_owner" = kubernetes-client ]; then
	PKGS="$PKGS kubernetes-client"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
unpack_kubectl() {
	[ -n "$kubectl_owner" ] && [ "$kubectl_owner" != kubernetes-client ] || return 0
	[ -x "$KUBECTL_DIR/usr/bin/kubectl" ] && return 0
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download kubernetes-client >/dev/null 2>&1) ||
		{ $SUDO apt-get update -qq && (cd "$tmp" && apt-get download kubernetes-client >/dev/null 2>&1); }
	$SUDO mkdir -p "$KUBECTL_DIR"
	$SUDO dpkg -x "$tmp"/kubernetes-client_*.deb "$KUBECTL_DIR"
	rm -rf "$tmp"
	echo "kubernetes-client unpacked in $KUBECTL_DIR"
}
if [ -z "$missing" ]; then
	unpack_kubectl
	exit 0
fi
# Installing server packages must never start system daemons here.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
fi
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	--no-install-recommends $missing >/dev/null
unpack_kubectl
