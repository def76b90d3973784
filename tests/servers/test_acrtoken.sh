#!/bin/sh
# tests/fake/acrtoken.py: RS256 tokens checked by openssl, independently of
# the registry: signature, libtrust key id, x5c header, claims, bad keys.
. "$(dirname "$0")/../cli/lib.sh"

command -v openssl >/dev/null 2>&1 ||
	{ echo "SKIP: openssl is not installed (scripts/deps.sh installs it)"; exit 77; }
T=$TOP/tests/fake/acrtoken.py
cd "$TMPD" || exit 1

openssl req -x509 -newkey rsa:2048 -nodes -keyout k8.pem -out cert.pem -days 1 \
	-subj /CN=signer >/dev/null 2>&1
openssl rsa -in k8.pem -traditional -out k1.pem >/dev/null 2>&1
grep -q 'BEGIN PRIVATE KEY' k8.pem && grep -q 'BEGIN RSA PRIVATE KEY' k1.pem && ok ||
	bad "test keys in PKCS#8 and PKCS#1 form"
openssl x509 -in cert.pem -pubkey -noout >pub.pem

b64url_decode() { # stdin: base64url without padding
	tr '_-' '/+' | awk '{ n = length($0) % 4; if (n == 2) $0 = $0 "=="; if (n == 3) $0 = $0 "="; print }' |
		base64 -d
}
part() { echo "$1" | cut -d. -f"$2"; }

for k in k8.pem k1.pem; do
	tok=$(python3 "$T" --key "$k" --cert cert.pem --issuer iss-1 --service reg.example \
		--subject alice --scope repository:shop/web:pull --scope repository:shop/api:pull,push)
	is_jwt=$(echo "$tok" | awk -F. '{ print NF }')
	[ "$is_jwt" = 3 ] && ok || bad "$k: not three parts: $tok"
	printf '%s' "$(part "$tok" 1).$(part "$tok" 2)" >signed
	part "$tok" 3 | b64url_decode >sig
	openssl dgst -sha256 -verify pub.pem -signature sig signed >verify.out 2>&1
	contains verify.out "Verified OK" "$k: openssl verifies the RS256 signature"
	# A changed claim must break the signature.
	printf 'x%s' "$(part "$tok" 1).$(part "$tok" 2)" >tampered
	openssl dgst -sha256 -verify pub.pem -signature sig tampered >verify.out 2>&1
	contains verify.out "Verification failure" "$k: a changed token does not verify"
done

# Header: alg RS256 and kid = libtrust id of the key, computed here from openssl's SPKI.
tok=$(python3 "$T" --key k8.pem --cert cert.pem --issuer iss-1 --service reg.example \
	--subject alice --scope repository:shop/web:pull)
part "$tok" 1 | b64url_decode >header.json
part "$tok" 2 | b64url_decode >claims.json
kid=$(openssl pkey -in k8.pem -pubout -outform DER | openssl dgst -sha256 -binary |
	head -c 30 | base32 | sed 's/\(....\)/\1:/g; s/:$//')
[ ${#kid} -eq 59 ] && ok || bad "libtrust id has the wrong length: $kid"
py() { python3 -c "import json,sys,time; h=json.load(open('header.json')); c=json.load(open('claims.json')); print($1)"; }
[ "$(py 'h["kid"]')" = "$kid" ] && ok || bad "kid $(py 'h["kid"]') is not the libtrust id $kid"
[ "$(py 'h["alg"]')" = RS256 ] && ok || bad "alg is not RS256"
[ "$(python3 "$T" --key k1.pem --cert cert.pem --issuer i --service s --print-kid)" = "$kid" ] && ok ||
	bad "PKCS#1 and PKCS#8 forms give another key id"
# Claims as distribution reads them.
[ "$(py 'c["iss"], c["sub"], c["aud"]')" = "iss-1 alice reg.example" ] && ok ||
	bad "iss/sub/aud: $(py 'c["iss"], c["sub"], c["aud"]')"
[ "$(py 'type(c["aud"]).__name__')" = str ] && ok || bad "aud must be a plain string"
[ "$(py 'c["access"]')" = "[{'type': 'repository', 'name': 'shop/web', 'actions': ['pull']}]" ] && ok ||
	bad "access: $(py 'c["access"]')"
[ "$(py 'c["nbf"] <= time.time() < c["exp"] <= time.time() + 3601')" = True ] && ok ||
	bad "nbf/exp do not frame now"
[ -n "$(py 'c["jti"]')" ] && ok || bad "no jti"

# Expired on request.
tok=$(python3 "$T" --key k8.pem --cert cert.pem --issuer i --service s --ttl -300)
part "$tok" 2 | b64url_decode >claims.json
[ "$(py 'c["exp"] < time.time() - 200 and c["nbf"] < c["exp"]')" = True ] && ok || bad "--ttl -300 is not expired"

# x5c: the certificate itself, no kid.
tok=$(python3 "$T" --key k8.pem --cert cert.pem --issuer i --service s --x5c)
part "$tok" 1 | b64url_decode >header.json
[ "$(py '"kid" in h')" = False ] && ok || bad "x5c header also has a kid"
[ "$(py 'h["x5c"][0]')" = "$(openssl x509 -in cert.pem -outform DER | base64 -w0)" ] && ok ||
	bad "x5c is not the certificate"

# The Python interface the fake world uses.
out=$(cd "$TOP/tests/fake" && python3 -B -c '
import acrtoken, sys
t = acrtoken.mint(sys.argv[1], sys.argv[2], "iss", "svc", "bob",
                  [{"type": "repository", "name": "a/b", "actions": ["pull"]}], 60)
print(t.count("."))' "$TMPD/k8.pem" "$TMPD/cert.pem")
[ "$out" = 2 ] && ok || bad "acrtoken.mint(...) from Python: $out"

# Keys that cannot sign: clear errors, no traceback.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out ec.pem >/dev/null 2>&1
openssl pkcs8 -topk8 -in k8.pem -passout pass:secret-pass -out enc.pem >/dev/null 2>&1
printf -- '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' >trunc.pem
for k in ec.pem enc.pem trunc.pem cert.pem nonexistent.pem; do
	expect_exit 1 "$k refused" -- python3 "$T" --key "$k" --cert cert.pem --issuer i --service s
	lacks "$TMPD/err" Traceback "$k: no traceback"
	contains "$TMPD/err" "acrtoken:" "$k: an error message"
done
contains "$TMPD/err" "nonexistent.pem" "missing key named"
python3 "$T" --key ec.pem --cert cert.pem --issuer i --service s 2>&1 | grep -q 'not an RSA key' && ok ||
	bad "EC key: says it is not RSA"
python3 "$T" --key enc.pem --cert cert.pem --issuer i --service s 2>&1 | grep -q 'encrypted' && ok ||
	bad "encrypted key: says so"
expect_exit 1 "bad scope" -- python3 "$T" --key k8.pem --cert cert.pem --issuer i --service s --scope 'repository:Shop Web:pull'
contains "$TMPD/err" "not a registry scope" "bad scope named"

finish
