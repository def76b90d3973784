#!/bin/sh
# The live transport (src/http_curl.c) against tests/transport/faultserver.py:
# certificates from two test CAs made here with openssl, the server on
# 127.0.0.1 with kernel-chosen ports, then the cmocka driver.
. "$(dirname "$0")/lib.sh"
make_certs
start_faultserver
run_driver fault
