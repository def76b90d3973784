#!/bin/sh
# The real OCI registry (Debian's docker-registry) as the registry data plane
# of the built-in scenarios: TLS with a CA made here, ACR-style token auth,
# images pushed at start.  Asserted with the curl command-line client.
. "$(dirname "$0")/../cli/lib.sh"

REG=$TOP/tests/servers/registry
R=$TMPD/reg
trap 'for d in "$R" "$TMPD/reg2" "$TMPD/reg3"; do [ -d "$d" ] && "$REG/stop.sh" "$d" >/dev/null 2>&1; done
      rm -rf "$TMPD"' EXIT

if ! command -v docker-registry >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1 ||
   ! command -v curl >/dev/null 2>&1; then
	echo "SKIP: docker-registry, openssl or curl is not installed (scripts/deps.sh installs them)"
	exit 77
fi

# Loopback only: no proxy from the caller's environment, the system trust store.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy \
	CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
NO_PROXY='*'; export NO_PROXY

MT_INDEX=application/vnd.oci.image.index.v1+json
MT_LIST=application/vnd.docker.distribution.manifest.list.v2+json
MT_OCI=application/vnd.oci.image.manifest.v1+json
MT_V2=application/vnd.docker.distribution.manifest.v2+json
MT_V1=application/vnd.docker.distribution.manifest.v1+prettyjws
ALL4="$MT_INDEX, $MT_LIST, $MT_OCI, $MT_V2"

# is WANT GOT DESCRIPTION
is() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$2', wanted '$1'"; fi; }

# --- start ---
"$REG/start.sh" "$R" >"$TMPD/start.out" 2>"$TMPD/start.err"
is 0 $? "start.sh exit status"
contains "$TMPD/start.out" READY "start.sh prints READY"
if [ ! -s "$R/registry.env" ]; then
	bad "no registry.env"; sed 's/^/  | /' "$TMPD/start.err"; finish; exit 1
fi
for k in REGISTRY_ADDR REGISTRY_CA REGISTRY_TOKEN_KEY REGISTRY_TOKEN_CERT \
	REGISTRY_TOKEN_ISSUER REGISTRY_SERVICE REGISTRY_PID; do
	grep -q "^$k=." "$R/registry.env" && ok || bad "registry.env has no $k"
done
. "$R/registry.env"
case $REGISTRY_ADDR in 127.0.0.1:[0-9]*) ok ;; *) bad "REGISTRY_ADDR not on loopback: $REGISTRY_ADDR" ;; esac
is acrshop.azurecr.io "$REGISTRY_SERVICE" "default service"
is acr-doctor-test "$REGISTRY_TOKEN_ISSUER" "issuer"
is "$(cat "$R/registry.pid")" "$REGISTRY_PID" "PID file and env agree"
case $(readlink "/proc/$REGISTRY_PID/exe") in
	*/docker-registry) ok ;; *) bad "REGISTRY_PID $REGISTRY_PID is not docker-registry" ;;
esac
U=https://$REGISTRY_ADDR
PORT=${REGISTRY_ADDR##*:}

# mint [--ttl N] [--x5c] SCOPE...: a token for the registry
mint() {
	python3 "$TOP/tests/fake/acrtoken.py" --key "$REGISTRY_TOKEN_KEY" \
		--cert "$REGISTRY_TOKEN_CERT" --issuer "$REGISTRY_TOKEN_ISSUER" \
		--service "$REGISTRY_SERVICE" --subject test-user \
		$(for s in "$@"; do case $s in --*|[0-9]*|-[0-9]*) echo "$s" ;; *) echo "--scope $s" ;; esac; done)
}
# get TOKEN PATH [curl options...]: body to $TMPD/body, headers to $TMPD/hdr; prints the status
get() {
	tok=$1; p=$2; shift 2
	[ -z "$tok" ] || set -- -H "Authorization: Bearer $tok" "$@"
	curl -s -o "$TMPD/body" -D "$TMPD/hdr" -w '%{http_code}' --cacert "$REGISTRY_CA" "$@" "$U$p"
}
hdr() { tr -d '\r' <"$TMPD/hdr" | sed -n "s/^$1: //Ip" | tail -1; }
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- TLS: our CA, the SANs of loopback and the login server ---
is 401 "$(get "" /v2/)" "/v2/ over TLS verified by REGISTRY_CA"
is 401 "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" \
	--resolve "acrshop.azurecr.io:$PORT:127.0.0.1" "https://acrshop.azurecr.io:$PORT/v2/")" \
	"certificate valid for acrshop.azurecr.io"
curl -s -o /dev/null "$U/v2/" 2>/dev/null
is 60 $? "without the test CA the certificate is refused"

# --- the challenge ---
get "" /v2/ >/dev/null
is 'Bearer realm="https://acrshop.azurecr.io/oauth2/token",service="acrshop.azurecr.io"' \
	"$(hdr WWW-Authenticate)" "/v2/ challenge names realm and service"
is registry/2.0 "$(hdr Docker-Distribution-Api-Version)" "API version header"
contains "$TMPD/body" '"UNAUTHORIZED"' "/v2/ 401 body"
get "" /v2/shop/web/manifests/1.4.2 >/dev/null
contains "$TMPD/hdr" 'scope="repository:shop/web:pull"' "manifest challenge names the scope"

# --- what was pushed ---
[ -s "$R/pushed.json" ] && ok || bad "no pushed.json"
jq_ "$R/pushed.json" '"\n".join("%s %s %s %s" % (k.split(":")[0], k.split(":")[1], v["mediaType"], v["digest"]) for k, v in sorted(d.items()))' >"$TMPD/pushed"
is 7 "$(wc -l <"$TMPD/pushed")" "tags pushed"
# The manifest types the scenarios' images have (what the registry serves is
# compared with pushed.json below).
cut -d' ' -f1-3 "$TMPD/pushed" >"$TMPD/types"
cat >"$TMPD/types.want" <<EOF
shop/gateway 3.0.0 $MT_LIST
shop/gateway 3.0.0-oci $MT_INDEX
shop/report 2.0.0 $MT_V2
shop/report 2.0.1 $MT_OCI
shop/web 1.4.1 $MT_V2
shop/web 1.4.2 $MT_INDEX
shop/web latest $MT_INDEX
EOF
if cmp -s "$TMPD/types" "$TMPD/types.want"; then ok; else
	bad "pushed tags and types differ:"; diff "$TMPD/types.want" "$TMPD/types" | sed 's/^/  | /'
fi
TOK=$(mint repository:shop/web:pull repository:shop/report:pull repository:shop/gateway:pull)
[ -n "$TOK" ] && ok || bad "no token minted"
is 200 "$(get "$TOK" /v2/)" "/v2/ with a token"

# expected STORED-TYPE ACCEPT: the status and Content-Type distribution 2.8
# answers with (only the stored type, or a conversion, is served)
expected() {
	if [ "$1" = "$2" ]; then echo "200 $1"; return; fi
	case $1 in
	"$MT_INDEX"|"$MT_OCI") echo "404 -" ;;
	"$MT_LIST") [ "$2" = "$MT_V2" ] && echo "200 $MT_V2" || echo "200 $MT_V1" ;;
	"$MT_V2") echo "200 $MT_V1" ;;
	esac
}
n=0
while read -r repo tag mt dig; do
	n=$((n + 1))
	for acc in "$MT_INDEX" "$MT_LIST" "$MT_OCI" "$MT_V2"; do
		st=$(get "$TOK" "/v2/$repo/manifests/$tag" -H "Accept: $acc")
		ct=$(hdr Content-Type)
		[ "$st" = 200 ] || ct=-
		is "$(expected "$mt" "$acc")" "$st $ct" "$repo:$tag stored as $mt, Accept $acc"
		if [ "$acc" = "$mt" ]; then
			is "$dig" "$(hdr Docker-Content-Digest)" "$repo:$tag digest with Accept $acc"
			is "$dig" "sha256:$(sha256sum <"$TMPD/body" | cut -d' ' -f1)" "$repo:$tag body digest"
		fi
		if [ "$st" = 404 ]; then contains "$TMPD/body" MANIFEST_UNKNOWN "$repo:$tag Accept $acc 404 body"; fi
	done
	# What acr-doctor sends: all four types, the stored manifest comes back.
	is "200 $mt" "$(get "$TOK" "/v2/$repo/manifests/$tag" -H "Accept: $ALL4") $(hdr Content-Type)" \
		"$repo:$tag with the four Accept types"
	is "$dig" "$(hdr Docker-Content-Digest)" "$repo:$tag digest with the four Accept types"
done <"$TMPD/pushed"
is 7 "$n" "every pushed tag asked"

# --- platforms: index entries and the image configuration blobs ---
# platforms REPO TAG: "os/arch[/variant][@os.version]" of each image, read from
# the config blobs (through the index for multi-arch tags)
platforms() {
	get "$TOK" "/v2/$1/manifests/$2" -H "Accept: $ALL4" >/dev/null
	cp "$TMPD/body" "$TMPD/man.json"
	jq_ "$TMPD/man.json" '"\n".join(m["digest"] + " " + m["platform"]["os"] + "/" + m["platform"]["architecture"] for m in d["manifests"]) if "manifests" in d else "self"' >"$TMPD/children"
	while read -r cd ip; do
		if [ "$cd" = self ]; then cp "$TMPD/man.json" "$TMPD/child.json"
		else
			get "$TOK" "/v2/$1/manifests/$cd" -H "Accept: $ALL4" >/dev/null
			cp "$TMPD/body" "$TMPD/child.json"
		fi
		cfg=$(jq_ "$TMPD/child.json" 'd["config"]["digest"]')
		st=$(get "$TOK" "/v2/$1/blobs/$cfg")
		[ "$st" = 200 ] || { echo "blob-$st"; continue; }
		[ "$cfg" = "sha256:$(sha256sum <"$TMPD/body" | cut -d' ' -f1)" ] || echo "config-digest-mismatch"
		p=$(jq_ "$TMPD/body" '"/".join(x for x in (d["os"], d["architecture"], d.get("variant")) if x) + ("@" + d["os.version"] if "os.version" in d else "")')
		# the index entry names the same os/arch as the config
		[ "$ip" = "" ] || [ "${p%%@*}" = "$ip" ] || [ "${p%/*}" = "$ip" ] || echo "index-says-$ip"
		echo "$p"
	done <"$TMPD/children"
}
is "linux/amd64 linux/arm64/v8" "$(platforms shop/web 1.4.2 | tr '\n' ' ' | sed 's/ $//')" "shop/web:1.4.2 platforms"
is "linux/amd64 linux/arm64/v8" "$(platforms shop/web latest | tr '\n' ' ' | sed 's/ $//')" "shop/web:latest platforms"
is "linux/amd64" "$(platforms shop/web 1.4.1)" "shop/web:1.4.1 (Docker schema 2) platform"
is "linux/amd64" "$(platforms shop/report 2.0.1)" "shop/report:2.0.1 (OCI) platform"
W="linux/amd64 linux/arm64/v8 windows/amd64@10.0.20348.2966"
is "$W" "$(platforms shop/gateway 3.0.0 | tr '\n' ' ' | sed 's/ $//')" "shop/gateway:3.0.0 (manifest list) platforms"
is "$W" "$(platforms shop/gateway 3.0.0-oci | tr '\n' ' ' | sed 's/ $//')" "shop/gateway:3.0.0-oci (OCI index) platforms"
get "$TOK" /v2/shop/gateway/manifests/3.0.0-oci -H "Accept: $MT_INDEX" >/dev/null
is 10.0.20348.2966 "$(jq_ "$TMPD/body" '[m["platform"].get("os.version") for m in d["manifests"] if m["platform"]["os"] == "windows"][0]')" \
	"windows entry of the index carries os.version"

# --- the missing tag, the missing repository ---
is 404 "$(get "$TOK" /v2/shop/web/manifests/1.4.3 -H "Accept: $ALL4")" "missing tag 1.4.3"
is MANIFEST_UNKNOWN "$(jq_ "$TMPD/body" 'd["errors"][0]["code"]')" "missing tag error code"
is 404 "$(get "$TOK" /v2/shop/web/manifests/1.4.3 -I -H "Accept: $ALL4")" "HEAD of the missing tag"
is 200 "$(get "$TOK" /v2/shop/web/manifests/1.4.2 -I -H "Accept: $ALL4")" "HEAD of 1.4.2"
is 404 "$(get "$(mint repository:shop/webshop:pull)" /v2/shop/webshop/tags/list)" "tags of a missing repository"
is NAME_UNKNOWN "$(jq_ "$TMPD/body" 'd["errors"][0]["code"]')" "missing repository error code"

# --- tags/list ---
is 200 "$(get "$TOK" /v2/shop/web/tags/list)" "tags/list shop/web"
is "shop/web 1.4.1,1.4.2,latest" "$(jq_ "$TMPD/body" 'd["name"] + " " + ",".join(sorted(d["tags"]))')" "shop/web tags"
is 200 "$(get "$TOK" /v2/shop/report/tags/list)" "tags/list shop/report"
is "2.0.0,2.0.1" "$(jq_ "$TMPD/body" '",".join(sorted(d["tags"]))')" "shop/report tags"

# --- tokens the registry must refuse ---
OTHER=$(mint repository:shop/report:pull)
is 401 "$(get "$OTHER" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4")" "token for another repository"
contains "$TMPD/hdr" 'error="insufficient_scope"' "another repository: insufficient_scope"
contains "$TMPD/hdr" 'scope="repository:shop/web:pull"' "another repository: scope asked"
is 401 "$(get "$OTHER" /v2/shop/web/tags/list)" "token for another repository, tags/list"
is 401 "$(get "$TOK" /v2/shop/web/blobs/uploads/ -X POST)" "pull token cannot push"
contains "$TMPD/hdr" 'error="insufficient_scope"' "push with a pull token: insufficient_scope"
EXP=$(mint --ttl -300 repository:shop/web:pull)
is 401 "$(get "$EXP" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4")" "expired token"
contains "$TMPD/hdr" 'error="invalid_token"' "expired token: invalid_token"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPD/rogue.key" -out "$TMPD/rogue.pem" \
	-days 1 -subj /CN=rogue >/dev/null 2>&1
ROGUE=$(python3 "$TOP/tests/fake/acrtoken.py" --key "$TMPD/rogue.key" --cert "$TMPD/rogue.pem" \
	--issuer "$REGISTRY_TOKEN_ISSUER" --service "$REGISTRY_SERVICE" --scope repository:shop/web:pull)
is 401 "$(get "$ROGUE" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4")" "token signed by another key"
contains "$TMPD/hdr" 'error="invalid_token"' "other key: invalid_token"
AUD=$(python3 "$TOP/tests/fake/acrtoken.py" --key "$REGISTRY_TOKEN_KEY" --cert "$REGISTRY_TOKEN_CERT" \
	--issuer "$REGISTRY_TOKEN_ISSUER" --service other.azurecr.io --scope repository:shop/web:pull)
is 401 "$(get "$AUD" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4")" "token for another service"
X5C=$(mint --x5c repository:shop/web:pull)
is 200 "$(get "$X5C" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4")" "token naming its key by x5c"

# --- another world on the same registry: aks-401-arch's 1.4.2 ---
python3 "$REG/push.py" --env "$R/registry.env" --world arch >"$TMPD/push.out" 2>&1
is 0 $? "push.py --world arch"
get "$TOK" /v2/shop/web/manifests/1.4.2 -H "Accept: $ALL4" >/dev/null
is "linux/arm64/v8 unknown/unknown" "$(jq_ "$TMPD/body" '" ".join("/".join(x for x in (m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")) if x) for m in d["manifests"])')" \
	"arch world: 1.4.2 is arm64 plus an attestation"
is attestation-manifest "$(jq_ "$TMPD/body" 'd["manifests"][1]["annotations"]["vnd.docker.reference.type"]')" \
	"arch world: the attestation is marked"
is "linux/arm64/v8" "$(platforms shop/web 1.4.2 | head -1)" "arch world: config blob of the arm64 image"
python3 "$REG/push.py" --env "$R/registry.env" --world healthy >/dev/null 2>&1
is "linux/amd64 linux/arm64/v8" "$(platforms shop/web 1.4.2 | tr '\n' ' ' | sed 's/ $//')" "back to the healthy world"

# --- a second instance with another service name ---
"$REG/start.sh" "$R" >"$TMPD/again.out" 2>&1
is 1 $? "start.sh refuses a DIR whose registry runs"
R2=$TMPD/reg2
# A registry slow to come up: start.sh must wait for its answer, not guess.
cat >"$TMPD/slow-registry" <<EOF
#!/bin/sh
sleep 0.7
exec $(command -v docker-registry) "\$@"
EOF
chmod +x "$TMPD/slow-registry"
# A proxy in the caller's environment (a closed loopback port here) must not
# catch start.sh's requests to the loopback registry.
REGISTRY_BIN=$TMPD/slow-registry HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
	NO_PROXY= no_proxy= "$REG/start.sh" "$R2" acrtest.azurecr.us >"$TMPD/start2.out" 2>&1
is 0 $? "start.sh DIR SERVICE (slow registry, proxy set)"
contains "$TMPD/start2.out" READY "slow registry: READY"
P2=$(sed -n 's/^REGISTRY_ADDR=127.0.0.1://p' "$R2/registry.env")
is 401 "$(curl -s -o /dev/null -D "$TMPD/hdr" -w '%{http_code}' --cacert "$R2/ca.pem" \
	--resolve "acrtest.azurecr.us:$P2:127.0.0.1" "https://acrtest.azurecr.us:$P2/v2/")" \
	"certificate valid for the given service"
contains "$TMPD/hdr" 'realm="https://acrtest.azurecr.us/oauth2/token",service="acrtest.azurecr.us"' \
	"challenge names the given service"
[ "$P2" != "$PORT" ] && ok || bad "two registries on one port"
"$REG/stop.sh" "$R2"
is 0 $? "stop.sh of the second"

# --- start.sh interrupted while it waits: nothing left running ---
R3=$TMPD/reg3
REGISTRY_BIN=$TMPD/slow-registry "$REG/start.sh" "$R3" >"$TMPD/start3.out" 2>&1 &
spid=$!
i=0
while [ ! -s "$R3/registry.pid" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$R3/registry.pid" ] && ok || bad "interrupted start: no registry.pid while starting"
kill -TERM "$spid"
wait "$spid"
is 130 $? "interrupted start.sh exit status"
left=$(for p in /proc/[0-9]*; do tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -F "$R3/config.yml"; done)
is "" "$left" "interrupted start leaves no registry"
[ ! -e "$R3/registry.env" ] && [ ! -e "$R3/registry.pid" ] && ok || bad "interrupted start left registry.env or registry.pid"
mkdir -p "$TMPD/a b"
"$REG/start.sh" "$TMPD/a b" >"$TMPD/start4.out" 2>&1
is 2 $? "a DIR with a space is refused"
contains "$TMPD/start4.out" "plain path" "the DIR refusal says why"

# --- no token in the registry's log ---
[ -s "$R/registry.log" ] && ok || bad "registry.log is empty"
lacks "$R/registry.log" "$(echo "$TOK" | cut -d. -f3)" "token signature in registry.log"
lacks "$R/registry.log" "$(echo "$TOK" | cut -d. -f2)" "token claims in registry.log"

# --- stop ---
"$REG/stop.sh" "$R"
is 0 $? "stop.sh exit status"
if [ -e "/proc/$REGISTRY_PID" ] && ! grep -q '^State:.*Z' "/proc/$REGISTRY_PID/status" 2>/dev/null; then
	bad "PID $REGISTRY_PID still runs after stop"
else ok; fi
left=$(for p in /proc/[0-9]*; do tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -F -e "$R/config.yml" -e "$R2/config.yml"; done)
is "" "$left" "no process serves the test's configs"
curl -s -o /dev/null --max-time 2 --cacert "$REGISTRY_CA" "$U/v2/"
is 7 $? "the port is closed"
[ ! -e "$R/registry.pid" ] && ok || bad "registry.pid left behind"
"$REG/stop.sh" "$R"
is 0 $? "stop.sh twice"

finish
