#!/usr/bin/env bash
# chipaudit attest verify on NVIDIA's published Hopper attestation sample
# (tests/data/nvtrust/SOURCES): the genuine report with and without its
# nonce, the raw form, a wrong nonce, a date before the chain, a changed
# byte of the report and of a certificate, a chain without NVIDIA's
# intermediates; NVIDIA's sample RIMs against the sample report; revocation
# and RIMs on a test PKI; hostile input. TAP.
. "$(dirname "$0")/lib.sh"
D="$SRCDIR/tests/data/nvtrust"
R="$D/hopperAttestationReport.txt"
C="$D/hopperCertChain.txt"
NONCE=931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
LEAF='/serialNumber=53C22BA15E5D68088282DA074ED9FB37AA585771/C=US/O=NVIDIA Corporation/CN=GH100 A01 GSP FMC LF'
J="$TMP/out"
statuses='[.findings[] | .check + "=" + .status] | join(" ")'
msg() { echo ".findings[] | select(.check == \"attestation.$1\") | .message"; }
NO_RIMS='attestation.rim=skip attestation.firmware_measurements=skip'

# ---- genuine ----
expect_exit 0 "genuine with its nonce: pass, pass, skip: exit 0" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--nonce $NONCE --json
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip $NO_RIMS" \
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
jq_is "$(msg rim)" "RIMs not checked: none given (--rim FILE|DIR: NVIDIA's driver and VBIOS RIMs, mirrored from its RIM service; docs/attestation.md)" \
	"genuine, no --rim: the RIMs are a stated skip" "$J"
jq_is "$(msg firmware_measurements)" "measurements not compared with golden values: no RIM given (--rim FILE|DIR)" \
	"genuine, no --rim: the measurements are a stated skip" "$J"

expect_exit 1 "genuine without --nonce: a warning, exit 1" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json
jq_is "$statuses" "attestation.signature=warn attestation.certificate_chain=pass attestation.revocation=skip $NO_RIMS" \
	"no nonce: statuses" "$J"
jq_is "$(msg signature)" "the report is signed by the key of $LEAF, but its freshness is not checked: the nonce sent is not known (a replayed report would pass)" \
	"no nonce: says the nonce is not checked" "$J"

expect_exit 1 "text output: exit 1" "$CHIPAUDIT" attest verify --certs "$C" --report "$R"
expect_stdout "^  WARN   attestation.signature  \[$R\]" "text: the signature finding"
expect_stdout "^Summary: 1 pass, 1 warn, 0 fail, 3 skip, 0 error" "text: summary"

"$SYS_PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' "$R" >"$TMP/raw.bin"
expect_exit 0 "the raw report: exit 0" "$CHIPAUDIT" attest verify --report "$TMP/raw.bin" --certs "$C" --nonce $NONCE --json
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip $NO_RIMS" \
	"raw report: statuses" "$J"

# ---- what must fail ----
expect_exit 2 "another nonce: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json \
	--nonce ${NONCE%?}0
jq_is "$(msg signature)" "the report answers nonce $NONCE, not the one sent (${NONCE%?}0): a replayed or substituted report" \
	"another nonce: signature fails naming both nonces" "$J"

# The GH100 Identity certificate begins 2022-01-12, the provisioner's 2022-03-01.
expect_exit 2 "at 2022-01-01, before the chain: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --json \
	--nonce $NONCE --at 2022-01-01
jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=fail attestation.revocation=skip $NO_RIMS" \
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

# ---- NVIDIA's sample RIMs: genuine, but for another driver (545.00) and
# VBIOS (96.00.5E.00.01) than the sample report's (550.90.07,
# 96.00.9F.00.01), as NVIDIA's verifier also finds them. Their signers'
# certificates are valid from 2023-06 to 2025-06: checked at 2024-06-01,
# and today they have expired. ----
DRV="$D/Driver_RIM_test_no_gpu.swidtag"
VB="$D/1010_0200_882_96005E0001_PROD.swidtag"
expect_exit 2 "sample RIMs at 2024-06-01: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce $NONCE \
	--rim "$DRV" --rim "$VB" --at 2024-06-01 --json
jq_is "$(msg rim)" "$DRV is the driver RIM of 545.00, but the GPU runs driver 550.90.07" \
	"sample RIMs: genuine, but of another driver version" "$J"
jq_is '.findings[3].evidence.rims | [.driver_rim.genuine, .vbios_rim.genuine, .driver_rim.version_matches] | @csv' \
	'true,true,false' "sample RIMs: both genuine (XML signature and chain to NVIDIA's RIM root)" "$J"
jq_is "$(msg firmware_measurements)" "19 of 32 measurement(s) differ from NVIDIA's golden values: index 1 (VBIOS RIM): measured 8048dfd18fe229bf16eb9d30cca0f11a24dafe6eb731de1462984645a0b189b77c4e4e17de727a5e19e3d07de51da338, golden c3f65ef79a19c029868cd7ce54b10e44f192444edb3506dde29cef2aac4e916c90a4f438e55aa7581a9e384c74d82db6" \
	"sample RIMs: the measurements of another release differ, with both values" "$J"
jq_is '.findings[4].evidence.rims | [(.matched | join(",")), (.differing | map(.index) | join(",")), (.not_compared | join(","))] | @csv' \
	'"0,3,4,5,6,8,10,12,23,24,28,33,38","1,2,7,9,11,21,22,25,26,27,29,30,31,32,34,36,37,39,40","35"' \
	"sample RIMs: which indices match, differ, and index 35 (NVDEC0 disabled) not compared" "$J"
expect_exit 2 "sample RIMs today: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce $NONCE \
	--rim "$DRV" --rim "$VB" --at 2026-12-01 --json
jq_is "$(msg rim)" "the driver RIM is not genuine: $DRV: its signer's chain: certificate 1 (/CN=NVIDIA Reference Value L3 GH100 001/O=NVIDIA Corporation/C=US): certificate has expired" \
	"sample RIMs today: the expired chain fails, naming the certificate" "$J"
jq_is "$(msg firmware_measurements)" "no genuine RIM for this GPU (attestation.rim): its measurements have no golden values to be compared with" \
	"sample RIMs today: no golden values believed" "$J"
sed 's/ns2:Hash0="0e0ee161/ns2:Hash0="1e0ee161/' "$DRV" >"$TMP/drv-tampered.swidtag"
expect_exit 2 "a golden value of NVIDIA's driver RIM changed: exit 2" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--nonce $NONCE --rim "$TMP/drv-tampered.swidtag" --rim "$VB" --at 2024-06-01 --json
jq_is "$(msg rim)" "the driver RIM is not genuine: $TMP/drv-tampered.swidtag: its XML signature does not verify with the key of /C=US/ST=CA/L=Santa Clara/O=NVIDIA Corporation/CN=HCC RIM L4 Signer: the RIM is not what its signer signed" \
	"changed golden value: the RIM's signature fails" "$J"
jq_is "$(msg firmware_measurements)" "4 of 12 measurement(s) differ from NVIDIA's golden values: index 1 (VBIOS RIM): measured 8048dfd18fe229bf16eb9d30cca0f11a24dafe6eb731de1462984645a0b189b77c4e4e17de727a5e19e3d07de51da338, golden c3f65ef79a19c029868cd7ce54b10e44f192444edb3506dde29cef2aac4e916c90a4f438e55aa7581a9e384c74d82db6" \
	"changed golden value: the genuine VBIOS RIM alone is compared (of another release: it differs)" "$J"

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

	# RIMs whose golden values are the sample report's measurements,
	# signed by xmlsec1 on the test PKI (pinned as the RIM root).
	rims() {   # rims EXIT NAME RIM...
		local e=$1 name=$2 args=() r
		shift 2
		for r in "$@"; do args+=(--rim "$P/$r"); done
		expect_exit "$e" "$name: exit $e" "$CHIPAUDIT" --data-dir "$P/data" attest verify --report "$P/report.bin" \
			--certs "$P/chain.pem" --nonce $NONCE --at 2025-06-15 "${args[@]}" --json
	}
	rims 0 "the RIM directory (chosen by version, 545.00 passed over)" rims
	jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip attestation.rim=pass attestation.firmware_measurements=pass" \
		"RIM directory: every step passes" "$J"
	jq_is "$(msg rim)" "$P/rims/driver-550.90.07.swidtag (driver 550.90.07) and $P/rims/vbios-96.00.9F.00.01.swidtag (VBIOS 96.00.9F.00.01): XML signatures verified, their signers' chains end at the pinned RIM root and are valid at the time checked" \
		"RIM directory: names the RIMs chosen" "$J"
	jq_is "$(msg firmware_measurements)" "all 32 active measurement(s) match NVIDIA's golden values (driver RIM 550.90.07, VBIOS RIM 96.00.9F.00.01), index 35 not compared (NVDEC0 disabled); 31 measured index(es) no RIM covers" \
		"RIM directory: every measurement matches" "$J"
	jq_is '.findings[4].evidence.rims.not_covered | length' 31 "RIM directory: the indices no RIM covers are listed" "$J"
	rims 2 "a golden value differs" rim-variants/driver-differs.swidtag rims/vbios-96.00.9F.00.01.swidtag
	jq_is "$(msg firmware_measurements)" "1 of 32 measurement(s) differ from NVIDIA's golden values: index 7 (driver RIM): measured 80161aac5e7509f038a6457b111e048207d1dc0e78edbb8c172fca4139c1d5f29cda67ecdd261fdc9203b76387f7389f, golden 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
		"a golden value differs: the index and both values" "$J"
	rims 0 "the measurement is the second of two alternatives" rim-variants/driver-alternatives.swidtag \
		rims/vbios-96.00.9F.00.01.swidtag
	rims 2 "index 7 active in both RIMs" rims/driver-550.90.07.swidtag rim-variants/vbios-overlap.swidtag
	jq_is "$(msg firmware_measurements)" "index 7 is active in both the driver and the VBIOS RIM: which golden value holds is not defined" \
		"overlap: fails, naming the index" "$J"
	rims 2 "a driver RIM signed by an unrelated CA" rim-variants/driver-other-ca.swidtag rims/vbios-96.00.9F.00.01.swidtag
	jq_is "$(msg rim)" "the driver RIM is not genuine: $P/rim-variants/driver-other-ca.swidtag: its signer's chain: certificate 0 (/CN=Unrelated CA/O=chipaudit test): self-signed certificate" \
		"unrelated CA: the RIM's chain fails" "$J"
	jq_is "$(msg firmware_measurements)" "the 12 measurement(s) the VBIOS RIM covers match its golden values; no genuine driver RIM, so the rest are not compared" \
		"unrelated CA: only the genuine VBIOS RIM is believed, and that is not a pass" "$J"
	rims 0 "the driver RIM alone: skips, stated" rims/driver-550.90.07.swidtag
	jq_is "$(msg rim)" "no VBIOS RIM for VBIOS 96.00.9F.00.01 among the 1 RIM(s) given (--rim): mirror it from NVIDIA's RIM service (docs/attestation.md)" \
		"driver RIM alone: says which RIM is missing" "$J"
	jq_is "$statuses" "attestation.signature=pass attestation.certificate_chain=pass attestation.revocation=skip attestation.rim=skip attestation.firmware_measurements=skip" \
		"driver RIM alone: no pass without both RIMs" "$J"
	expect_exit 2 "RIMs at 2036: exit 2" "$CHIPAUDIT" --data-dir "$P/data" attest verify --report "$P/report.bin" \
		--certs "$P/chain.pem" --nonce $NONCE --at 2036-01-01 --rim "$P/rims" --json
	jq_is "$(msg firmware_measurements)" "the report's certificate chain did not verify (attestation.certificate_chain): its signer is not known to be an NVIDIA GPU" \
		"at 2036: the report's chain fails first, and nothing is compared" "$J"
	# judge: the h100 fixture's facts, its two GPUs answering with the test
	# PKI's report to the nonce sent, NVML reporting the driver and VBIOS the
	# report names (550.90.07, 96.00.9F.00.01); the RIMs given to judge. The
	# data directory is the shipped one with the test roots pinned.
	cp -r -n "$SRCDIR"/data/*.json "$SRCDIR/data/manifests" "$SRCDIR/data/workloads" "$P/data/"
	"$CHIPAUDIT" facts --root "$SRCDIR/tests/fixtures/h100/root" >"$TMP/h100.json"
	jq --arg report "$(base64 -w0 "$P/report.bin")" --arg chain "$(base64 -w0 "$P/chain.pem")" \
		--arg nonce "$(echo $NONCE | xxd -r -p | base64 -w0)" \
		'.nvml.confidential_computing.feature = true |
		 .accelerators[].vendor_library.nvml.confidential_computing = {attestation: {report: $report, nonce: $nonce},
			certificates: {attestation_chain: $chain}}' "$TMP/h100.json" >"$TMP/h100-running.json"
	jq '.nvml.driver_version = "550.90.07" | .accelerators[].vendor_library.nvml.vbios_version = "96.00.9f.00.01"' \
		"$TMP/h100-running.json" >"$TMP/h100-cc.json"
	attested() {   # attested EXIT NAME RIM...: judge the attested facts
		local e=$1 name=$2 args=() r
		shift 2
		for r in "$@"; do args+=(--rim "$P/$r"); done
		expect_exit "$e" "$name: exit $e" "$CHIPAUDIT" --data-dir "$P/data" judge "$TMP/h100-cc.json" "${args[@]}" \
			--json
	}
	by_gpu='[.findings[] | select(.check | startswith("attestation.")) | .subjects[] as $s | "\(.check)=\(.status)=\($s)"] | join(" ")'
	attested 2 "judge, the GPUs attested against the RIMs" rims
	jq_is "$by_gpu" "attestation.signature=pass=0000:41:00.0 attestation.signature=pass=0000:c1:00.0 attestation.certificate_chain=pass=0000:41:00.0 attestation.certificate_chain=pass=0000:c1:00.0 attestation.revocation=skip=0000:41:00.0 attestation.revocation=skip=0000:c1:00.0 attestation.rim=pass=0000:41:00.0 attestation.rim=pass=0000:c1:00.0 attestation.firmware_measurements=pass=0000:41:00.0 attestation.firmware_measurements=pass=0000:c1:00.0" \
		"judge: each GPU's five attestation findings" "$J"
	jq_is '.findings[] | select(.check == "backdoor.firmware.integrity") | "\(.status) \(.message)"' \
		"pass The firmware all 2 NVIDIA GPU(s) run is attested: every measurement matches NVIDIA's golden values (attestation.firmware_measurements); 2 file(s) in /lib/firmware/nvidia/580.95.05 no golden manifest lists are covered by that" \
		"judge: the attested firmware upgrades backdoor.firmware.integrity from unverified to pass" "$J"
	attested 2 "judge, a golden value differs" rim-variants/driver-differs.swidtag rims/vbios-96.00.9F.00.01.swidtag
	jq_is '.findings[] | select(.check == "backdoor.firmware.integrity") | "\(.status) \(.message)"' \
		"fail 2 of 2 NVIDIA GPU(s) run firmware whose attested measurements differ from NVIDIA's golden values (attestation.firmware_measurements, 0000:41:00.0 first)" \
		"judge: attested firmware that differs fails backdoor.firmware.integrity" "$J"
	attested 2 "judge without RIMs" 
	jq_is '.findings[] | select(.check == "backdoor.firmware.integrity") | .status' warn \
		"judge without RIMs: the firmware stays unverified (warn)" "$J"
	jq_is '[.findings[] | select(.check == "attestation.signature") | .message] | unique | join(" | ")' \
		"the report is signed by the key of /CN=Test GSP FMC LF/O=chipaudit test and answers the nonce sent, of driver 550.90.07 and VBIOS 96.00.9F.00.01 as NVML reports" \
		"judge: the report is of the driver and VBIOS NVML reports (VBIOS compared without case)" "$J"
	# the running driver or VBIOS is not the one the report names
	cp "$TMP/h100-cc.json" "$TMP/h100-cc.keep"
	cp "$TMP/h100-running.json" "$TMP/h100-cc.json"   # the fixture's own: driver 580.95.05, VBIOS 96.00.30.00.01
	attested 2 "judge, NVML reports another driver" rims
	jq_is "$by_gpu" "attestation.signature=fail=0000:41:00.0 attestation.signature=fail=0000:c1:00.0 attestation.certificate_chain=pass=0000:41:00.0 attestation.certificate_chain=pass=0000:c1:00.0 attestation.revocation=skip=0000:41:00.0 attestation.revocation=skip=0000:c1:00.0 attestation.rim=pass=0000:41:00.0 attestation.rim=pass=0000:c1:00.0 attestation.firmware_measurements=pass=0000:41:00.0 attestation.firmware_measurements=pass=0000:c1:00.0" \
		"another driver running: attestation.signature fails, the signed measurements are still compared" "$J"
	jq_is '[.findings[] | select(.check == "attestation.signature") | .message] | unique | join(" | ")' \
		"the report names driver 550.90.07, but NVML reports driver 580.95.05 loaded: it is not the running driver's report" \
		"another driver running: both versions named" "$J"
	jq '.nvml.driver_version = "550.90.07" | .accelerators[1].vendor_library.nvml.vbios_version = "96.00.9F.00.02"' \
		"$TMP/h100-running.json" >"$TMP/h100-cc.json"
	attested 2 "judge, one GPU runs another VBIOS" rims
	jq_is '[.findings[] | select(.check == "attestation.signature") | .subjects[] as $s | "\($s): \(.status)"] | join(" | ")' \
		"0000:41:00.0: fail | 0000:c1:00.0: fail" "another VBIOS: both GPUs' reports differ from what NVML reports" "$J"
	jq_is '[.findings[] | select(.check == "attestation.signature" and any(.subjects[]; . == "0000:c1:00.0")) | .message] | join("")' \
		"the report names VBIOS 96.00.9F.00.01, but NVML reports VBIOS 96.00.9F.00.02 on this GPU: it is not this GPU's running firmware's report" \
		"another VBIOS: the GPU's VBIOS named" "$J"
	jq 'del(.nvml.driver_version)' "$TMP/h100-cc.keep" >"$TMP/h100-cc.json"
	attested 2 "judge, NVML gave no driver version" rims
	jq_is '[.findings[] | select(.check == "attestation.signature") | "\(.status): \(.message)"] | unique | join(" | ")' \
		"pass: the report is signed by the key of /CN=Test GSP FMC LF/O=chipaudit test and answers the nonce sent; its driver and VBIOS versions not compared with the running ones (NVML did not report both)" \
		"no driver version from NVML: said, not assumed to match" "$J"
	cp "$TMP/h100-cc.keep" "$TMP/h100-cc.json"

	expect_exit 2 "a wrong nonce with genuine RIMs: exit 2" "$CHIPAUDIT" --data-dir "$P/data" attest verify \
		--report "$P/report.bin" --certs "$P/chain.pem" --nonce ${NONCE%?}0 --at 2025-06-15 --rim "$P/rims" --json
	jq_is "$(msg firmware_measurements)" "the report's signature did not verify (attestation.signature): its measurements prove nothing" \
		"wrong nonce: the measurements of a replayed report are not compared" "$J"
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
printf 'not xml' >"$TMP/notxml.swidtag"
expect_exit 65 "a RIM that is not XML: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --rim "$TMP/notxml.swidtag"
expect_stderr_line "^chipaudit: $TMP/notxml.swidtag: not a RIM: line 1: not well-formed XML: Start tag expected, '<' not found$" \
	"RIM not XML: one line"
cat >"$TMP/laughs.swidtag" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd">&lol2;</SoftwareIdentity>
XML
expect_exit 65 "a RIM with a DOCTYPE (entity expansion): exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--rim "$TMP/laughs.swidtag"
expect_stderr_line "^chipaudit: $TMP/laughs.swidtag: not a RIM: a DOCTYPE: a RIM has none, and its entities are not read$" \
	"RIM with a DOCTYPE: refused, one line"
sed 's/index="7" active="True" alternatives="1"/index="8" active="True" alternatives="1"/' "$DRV" >"$TMP/dup.swidtag"
expect_exit 65 "a RIM giving an index twice: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --rim "$TMP/dup.swidtag"
expect_stderr_line "^chipaudit: $TMP/dup.swidtag: not a RIM: line 13: measurement index 8 given twice$" \
	"RIM index twice: names the line"
sed 's/ns2:Hash0="0e0ee161b59bf124/ns2:Hash0="0e0ee161b59bf12/' "$DRV" >"$TMP/short.swidtag"
expect_exit 65 "a golden value shorter than its size: exit 65" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" \
	--rim "$TMP/short.swidtag"
expect_stderr_line "^chipaudit: $TMP/short.swidtag: not a RIM: line 12: Resource 7: Hash0 is not hex of the size given$" \
	"short golden value: names the index"
mkdir -p "$TMP/norims"
expect_exit 66 "a RIM directory with no RIM: exit 66" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --rim "$TMP/norims"
expect_stderr_line "^chipaudit: --rim $TMP/norims: no RIM in the directory \(files named \*.swidtag or \*.xml\)$" \
	"empty RIM directory: one line"
expect_exit 66 "a missing RIM: exit 66" "$CHIPAUDIT" attest verify --report "$R" --certs "$C" --rim "$TMP/nothere"
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
