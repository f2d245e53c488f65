#!/usr/bin/env bash
# chipaudit attest verify on NVIDIA's published Hopper attestation sample
# (tests/data/nvtrust/SOURCES): the genuine report with and without its
# nonce, the raw form, a wrong nonce, a date before the chain, a changed
# byte of the report and of a certificate, a chain without NVIDIA's
# intermediates; hostile input. TAP.
. "$(dirname "$0")/lib.sh"
D="$SRCDIR/tests/data/nvtrust"
R="$D/hopperAttestationReport.txt"
C="$D/hopperCertChain.txt"
NONCE=931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
LEAF='/serialNumber=53C22BA15E5D68088282DA074ED9FB37AA585771/C=US/O=NVIDIA Corporation/CN=GH100 A01 GSP FMC LF'
J="$TMP/out"
statuses='[.findings[] | .check + "=" + .status] | join(" ")'
msg() { echo ".findings[] | select(.check == \"attestation.$1\") | .message"; }

# ---- genuine ----
expect_exit 0 "genuine with its nonce: pass, pass, skip: exit 0" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--nonce $NONCE --json
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip" \
	"genuine: statuses" "$J"
jq_is "$(msg signature)" "the report is signed by the key of $LEAF and answers the nonce sent" \
	"genuine: signature message" "$J"
jq_is "$(msg certificate_chain)" "5 certificates from $LEAF to the pinned root /CN=NVIDIA Device Identity CA/O=NVIDIA, valid at the time checked" \
	"genuine: chain message" "$J"
jq_is "$(msg revocation)" "revocation not checked: no OCSP response or CRL given (--revocation FILE, fetched from NVIDIA's OCSP service on a connected machine)" \
	"genuine: revocation is a stated skip" "$J"
jq_is '.findings[0].evidence | [.driver_version, .vbios_version, .measurement_blocks, .checked_at] | @csv' \
	'"550.90.07","96.00.9F.00.01",64,"2025-11-29T08:00:00Z"' "genuine: evidence (versions, blocks, SOURCE_DATE_EPOCH)" "$J"
jq_is '.summary.exit_code' 0 "genuine: summary exit code" "$J"

expect_exit 1 "genuine without --nonce: a warning, exit 1" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json
jq_is "$statuses" "attestation.signature=warn attestation.certificate_chain=pass attestation.revocation=skip" \
	"no nonce: statuses" "$J"
jq_is "$(msg signature)" "the report is signed by the key of $LEAF, but its freshness is not checked: the nonce sent is not known (a replayed report would pass)" \
	"no nonce: says the nonce is not checked" "$J"

expect_exit 1 "text output: exit 1" "$CHIPAUDIT" attest verify --certs "$C" --report "$R"
expect_stdout "^  WARN   attestation.signature  \[$R\]" "text: the signature finding"
expect_stdout "^Summary: 1 pass, 1 warn, 0 fail, 1 skip, 0 error" "text: summary"

"$SYS_PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' "$R" >"$TMP/raw.bin"
expect_exit 0 "the raw report: exit 0" "$CHIPAUDIT" attest verify --report "$TMP/raw.bin" --certs "$C" --nonce $NONCE --json
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip" \
	"raw report: statuses" "$J"

# ---- what must fail ----
expect_exit 2 "another nonce: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json \
	--nonce ${NONCE%?}0
jq_is "$(msg signature)" "the report answers nonce $NONCE, not the one sent (${NONCE%?}0): a replayed or substituted report" \
	"another nonce: signature fails naming both nonces" "$J"

# The GH100 Identity certificate begins 2022-01-12, the provisioner's 2022-03-01.
expect_exit 2 "at 2022-01-01, before the chain: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json \
	--nonce $NONCE --at 2022-01-01
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=fail attestation.revocation=skip" \
	"before the chain: statuses" "$J"
jq_is "$(msg certificate_chain)" "certificate 3 (/CN=NVIDIA GH100 Identity/O=NVIDIA Corporation): certificate is not yet valid" \
	"before the chain: names the certificate and why" "$J"
expect_exit 0 "at 2022-03-01T00:00:00Z: valid" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce $NONCE \
	--at 2022-03-01T00:00:00Z

# One hex digit of a measurement changed (byte 100 of the report).
sed 's/^\(.\{200\}\)./\1f/' "$R" >"$TMP/tampered.txt"
cmp -s "$R" "$TMP/tampered.txt" && sed -i 's/^\(.\{200\}\)./\1e/' "$TMP/tampered.txt"
expect_exit 2 "a measurement byte changed: exit 2" "$CHIPAUDIT" attest verify --report "$TMP/tampered.txt" --certs "$C" \
	--nonce $NONCE --json
jq_is "$(msg signature)" "the signature does not verify with the leaf certificate's key ($LEAF): the report is not what the GPU signed" \
	"changed byte: the signature fails" "$J"

# The leaf alone: the chain cannot reach the root.
sed '/-----END CERTIFICATE-----/q' "$C" >"$TMP/leaf.pem"
expect_exit 2 "the leaf without its intermediates: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$TMP/leaf.pem" \
	--nonce $NONCE --json
jq_is "$(msg certificate_chain)" "certificate 0 ($LEAF): unable to get local issuer certificate" \
	"leaf alone: the chain fails naming the certificate" "$J"

# A byte of the provisioner ICA's certificate (its serial number) changed: its issuer's signature fails.
awk '/BEGIN/{n++} n==3' "$C" | openssl x509 -outform DER >"$TMP/ica.der"
python3 - "$TMP/ica.der" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[15] ^= 1; open(p, 'wb').write(b)
PY
{ awk '/BEGIN/{n++} n<3' "$C"; openssl x509 -inform DER -in "$TMP/ica.der" 2>/dev/null || \
	{ echo '-----BEGIN CERTIFICATE-----'; base64 -w64 "$TMP/ica.der"; echo '-----END CERTIFICATE-----'; }; \
	awk '/BEGIN/{n++} n>3' "$C"; } >"$TMP/chain-tampered.pem"
expect_exit 2 "a certificate byte changed: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$TMP/chain-tampered.pem" \
	--nonce $NONCE --json
jq_is "$(msg certificate_chain)" "certificate 2 (/CN=NVIDIA GH100 Provisioner ICA 1/O=NVIDIA Corporation/C=US): certificate signature failure" \
	"certificate changed: the chain fails naming it" "$J"

# ---- revocation, on a test PKI (tests/cli/attest_pki.py): no CRL or OCSP
# response of NVIDIA's is published beside the samples, and only NVIDIA's
# keys sign them. The test root is pinned through --data-dir. ----
if "$SYS_PYTHON" -c 'import cryptography' 2>/dev/null; then
	P="$TMP/pki"
	"$SYS_PYTHON" "$SRCDIR/tests/cli/attest_pki.py" "$P" "$R"
	TLEAF='/CN=Test GSP FMC LF/O=chipaudit test'
	revoked() {   # revoked EXIT NAME STATUS MESSAGE FILE [AT]
		expect_exit "$1" "$2: exit $1" "$CHIPAUDIT" --data-dir "$P/data" attest verify --report "$P/report.bin" \
			--certs "$P/chain.pem" --nonce $NONCE --at "${6:-2025-06-15}" --revocation "$P/$5" --json
		jq_is "$(msg revocation | sed 's/\.message$/.status + " " + .message/')" "$3 $P/$5: $4" "$2: $3" "$J"
	}
	expect_exit 0 "test PKI, no revocation file: signature and chain pass" "$CHIPAUDIT" --data-dir "$P/data" attest \
		verify --report "$P/report.bin" --certs "$P/chain.pem" --nonce $NONCE --at 2025-06-15 --json
	jq_is "$(msg certificate_chain)" "3 certificates from $TLEAF to the pinned root /CN=Test Device Identity CA/O=chipaudit test, valid at the time checked" \
		"test PKI: the chain names the pinned root" "$J"
	revoked 0 "CRL listing no certificate" pass "a CRL signed by its issuer lists none of 1 certificate(s) it covers" crl-empty.pem
	revoked 2 "CRL listing the leaf" fail "certificate 0 ($TLEAF) is revoked" crl-revoked.pem
	revoked 2 "CRL out of date" fail "the CRL is not current at the time checked (last update to next update): a newer one may list a certificate of the chain" crl-stale.pem
	expect_exit 1 "CRL of another CA: a skip, exit 1 (no nonce)" "$CHIPAUDIT" --data-dir "$P/data" attest verify \
		--report "$P/report.bin" --certs "$P/chain.pem" --at 2025-06-15 --revocation "$P/crl-other.pem" --json
	jq_is "$(msg revocation)" "revocation not checked: $P/crl-other.pem is a CRL of no issuer in this chain" \
		"CRL of another CA: says revocation is not checked" "$J"
	revoked 0 "OCSP good" pass "the OCSP responder says the leaf certificate is good" ocsp-good.der
	revoked 2 "OCSP revoked" fail "the OCSP responder says the leaf certificate is revoked" ocsp-revoked.der
	revoked 2 "OCSP signed by another key" fail "the OCSP response's signature does not chain to the pinned root" ocsp-forged.der
	revoked 2 "OCSP out of date" fail "the OCSP response is not current at the time checked (this update to next update)" ocsp-good.der 2025-08-15
	expect_exit 2 "the genuine NVIDIA chain against the test root: exit 2" "$CHIPAUDIT" --data-dir "$P/data" attest verify \
		--report "$R" --certs "$C" --nonce $NONCE --json
	jq_is "$(msg certificate_chain)" "certificate 4 (/CN=NVIDIA Device Identity CA/O=NVIDIA): self-signed certificate in certificate chain" \
		"NVIDIA's chain does not reach another pinned root" "$J"
else
	echo "# python3-cryptography missing: the revocation cases are not run"
fi

# ---- hostile input: one line naming the file and the problem ----
head -c 300 "$R" >"$TMP/trunc.txt"
expect_exit 65 "truncated report: exit 65" "$CHIPAUDIT" attest verify --report "$TMP/trunc.txt" --certs "$C"
expect_stderr_line "^chipaudit: $TMP/trunc.txt: not an SPDM attestation report: offset 42: measurement record length runs past the report$" \
	"truncated report: one line"
{ head -c 100 "$R"; printf zz; tail -c +103 "$R"; } >"$TMP/badhex.txt"
expect_exit 65 "bad hex: exit 65" "$CHIPAUDIT" attest verify --report "$TMP/badhex.txt" --certs "$C"
expect_stderr_line "^chipaudit: $TMP/badhex.txt: offset 100: not a hex digit$" "bad hex: one line"
echo 'not a certificate' >"$TMP/notpem.txt"
expect_exit 65 "certs not PEM: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$TMP/notpem.txt"
expect_stderr_line "^chipaudit: $TMP/notpem.txt: not a certificate chain \(concatenated PEM or DER certificates\)$" \
	"certs not PEM: one line"
sed '0,/MII/s/MII/M!I/' "$C" >"$TMP/badpem.txt"
expect_exit 65 "a damaged PEM block: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$TMP/badpem.txt"
expect_stderr_line "^chipaudit: $TMP/badpem.txt: not a certificate chain" "damaged PEM: one line"
: >"$TMP/empty"
expect_exit 65 "empty report: exit 65" "$CHIPAUDIT" attest verify --report "$TMP/empty" --certs "$C"
expect_stderr_line "^chipaudit: $TMP/empty: empty file$" "empty report: one line"
expect_exit 65 "empty chain: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$TMP/empty"
expect_stderr_line "^chipaudit: $TMP/empty: empty file$" "empty chain: one line"
expect_exit 65 "revocation file not OCSP nor CRL: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--revocation "$TMP/notpem.txt"
expect_stderr_line "^chipaudit: $TMP/notpem.txt: neither a DER OCSP response nor a CRL$" "bad revocation: one line"
expect_exit 66 "missing report: exit 66" "$CHIPAUDIT" attest verify --report "$TMP/nothere" --certs "$C"
expect_stderr_line "^chipaudit: $TMP/nothere: " "missing report: one line"
expect_exit 64 "short --nonce: exit 64" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce 12
expect_exit 64 "bad --at: exit 64" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --at yesterday
expect_exit 64 "no --certs: exit 64" "$CHIPAUDIT" attest verify --report "$R"
expect_exit 64 "no action: exit 64" "$CHIPAUDIT" attest --report "$R" --certs "$C"
expect_exit 64 "options end at --: exit 64" "$CHIPAUDIT" attest verify -- --report "$R" --certs "$C"
expect_exit 0 "--help" "$CHIPAUDIT" attest --help
expect_stdout "usage: chipaudit attest verify --report FILE --certs FILE" "--help: the synopsis"
finish
