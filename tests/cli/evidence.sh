#!/usr/bin/env bash
# Signed reports: keygen, audit --sign, and `chipaudit verify` and stock
# `openssl pkeyutl -verify -rawin` agreeing on good and altered reports; a
# wrong key, a stale nonce, a broken, reordered or replayed chain, and
# malformed reports, signatures and keys, each with its own exit code.
. "$(dirname "$0")/lib.sh"

H20="$FIXTURES/h20x8/root"
# h20x8 runs an NVIDIA driver named in security bulletins
# (backdoor.driver.cve fails): its audits complete with the verdict "fail",
# exit 2 (errors are 64 and above).
VERDICT_FAIL=2
S="$TMP/host"         # the audited host's state
V="$TMP/verifier"     # a verifier's files
mkdir -p "$V"

ossl_verify() { # REPORT [SIG] [PUBKEY]: stock OpenSSL, as the README shows
	openssl pkeyutl -verify -pubin -inkey "${3:-$S/host.pub.pem}" -rawin -in "$1" -sigfile "${2:-$1.sig}" >/dev/null 2>&1
}

# --- keys
expect_exit 0 "keygen" "$CHIPAUDIT" keygen --state "$S"
expect_stdout "^fingerprint  sha256:[0-9a-f]{64}$" "keygen prints the fingerprint"
fp=$(awk '/^fingerprint/ {print $2}' "$TMP/out")
if [ "$(stat -c %a "$S/host.key.pem")" = 600 ]; then pass "private key is mode 0600"; else fail "private key is mode 0600" "$(stat -c %a "$S/host.key.pem")"; fi
want="sha256:$(openssl pkey -pubin -in "$S/host.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)"
if [ "$fp" = "$want" ]; then pass "fingerprint is sha256 of the DER SubjectPublicKeyInfo"; else fail "fingerprint is sha256 of the DER SubjectPublicKeyInfo" "$fp vs $want"; fi
expect_exit 73 "keygen twice keeps the key" "$CHIPAUDIT" keygen --state "$S"
expect_stderr_line "host.key.pem: a host key exists already" "existing key named"

# --- a signed audit
expect_exit "$VERDICT_FAIL" "audit --sign" "$CHIPAUDIT" audit --root "$H20" --state "$S" --sign --nonce 0A1B2C3D4E5F6071 -o "$V/r1.json"
jq_is '[.findings[] | select(.status == "fail") | .check] | unique | join(",")' backdoor.driver.cve \
	"the fail verdict is the driver's CVEs" "$V/r1.json"
jq_is '.sequence' 1 "first report is sequence 1" "$V/r1.json"
jq_is '.previous_sha256' null "first report names no previous" "$V/r1.json"
jq_is '.nonce' 0a1b2c3d4e5f6071 "nonce carried, lowercase" "$V/r1.json"
jq_is '.host_id' 0123456789abcdef0123456789abcdef "host_id is the machine-id" "$V/r1.json"
jq_is '.public_key_fingerprint' "$fp" "report names the key" "$V/r1.json"
jq_is '.facts.modules | length > 0' true "report carries its facts" "$V/r1.json"
jq_is '[.facts | has("host", "accelerators", "limitations")] | any' false "its facts leave out what the report carries" "$V/r1.json"
jq_is '.accelerators | length' 8 "the accelerators, once" "$V/r1.json"
if [ "$(wc -l <"$V/r1.json")" = 1 ] && [ "$(tail -c 2 "$V/r1.json")" = "}" ]; then
	pass "the report is one line of compact JSON"
else
	fail "the report is one line of compact JSON" "$(head -c 200 "$V/r1.json")"
fi
if [ "$(stat -c %s "$V/r1.json.sig")" = 64 ]; then pass "signature is 64 raw bytes"; else fail "signature is 64 raw bytes"; fi
if ossl_verify "$V/r1.json"; then pass "openssl pkeyutl -verify -rawin accepts it"; else fail "openssl pkeyutl -verify -rawin accepts it"; fi
expect_exit 0 "chipaudit verify accepts it" "$CHIPAUDIT" verify --pubkey "$S/host.pub.pem" "$V/r1.json"
expect_stdout "r1.json: verified: sequence 1, host 0123456789abcdef0123456789abcdef, key $fp" "verify says what it verified"
expect_exit 0 "verify takes the key from --state" "$CHIPAUDIT" verify --state "$S" "$V/r1.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$V/r1.json" >"$TMP/v" 2>&1; then
	pass "signed report validates against the schema"
else
	fail "signed report validates against the schema" "$(head -c 600 "$TMP/v")"
fi
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$V/r2.json" --json >"$TMP/stdout.json"
if cmp -s "$TMP/stdout.json" "$V/r2.json"; then pass "--json prints the very bytes signed"; else fail "--json prints the very bytes signed"; fi
jq_is '.sequence' 2 "second report is sequence 2" "$V/r2.json"
jq_is '.previous_sha256' "$(sha256sum "$V/r1.json" | cut -d' ' -f1)" "second report names the first's sha256" "$V/r2.json"

# --- any byte flipped: both verifiers refuse. Positions: the first and last
# bytes, every 97th byte, and the evidence members.
size=$(stat -c %s "$V/r1.json")
positions="0 $((size - 1)) $(seq 1 97 $((size - 2)) | tr '\n' ' ') $(grep -bo '"sequence"\|"nonce"\|"public_key_fingerprint"' "$V/r1.json" | cut -d: -f1 | tr '\n' ' ')"
mkdir -p "$TMP/flip"
n=0 ossl_ok=0
for pos in $positions; do
	f="$TMP/flip/r$pos.json"
	"$SYS_PYTHON" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=0x20; open(sys.argv[3],"wb").write(b)' "$V/r1.json" "$pos" "$f"
	cp "$V/r1.json.sig" "$f.sig"
	n=$((n + 1))
	ossl_verify "$f" && ossl_ok=$((ossl_ok + 1))
done
if [ "$ossl_ok" -eq 0 ]; then pass "openssl refuses all $n byte-flipped reports"; else fail "openssl refuses all $n byte-flipped reports" "$ossl_ok accepted"; fi
"$CHIPAUDIT" verify --pubkey "$S/host.pub.pem" --json "$TMP"/flip/*.json >"$TMP/flip.json" 2>"$TMP/err"
rc=$?
jq_is "[.[] | select(.verified)] | length" 0 "chipaudit verify refuses all $n byte-flipped reports" "$TMP/flip.json"
jq_is "[.[] | select(.exit_code == 10 or .exit_code == 11)] | length" "$n" "each as a bad signature (10) or another key (11)" "$TMP/flip.json"
if [ "$rc" -eq 10 ] || [ "$rc" -eq 11 ]; then pass "batch exits with the first failure"; else fail "batch exits with the first failure" "exit $rc"; fi
cp "$V/r1.json" "$TMP/sigflip.json"
"$SYS_PYTHON" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[17]^=1; open(sys.argv[2],"wb").write(b)' "$V/r1.json.sig" "$TMP/sigflip.json.sig"
expect_exit 10 "a flipped signature bit" "$CHIPAUDIT" verify --pubkey "$S/host.pub.pem" "$TMP/sigflip.json"
expect_stderr_line "sigflip.json: the signature .* does not verify with key sha256:" "bad signature explained"
if ossl_verify "$TMP/sigflip.json"; then fail "openssl refuses a flipped signature bit"; else pass "openssl refuses a flipped signature bit"; fi

# --- the wrong key
"$CHIPAUDIT" keygen --state "$TMP/other" >/dev/null
expect_exit 11 "another host's key" "$CHIPAUDIT" verify --pubkey "$TMP/other/host.pub.pem" "$V/r1.json"
expect_stderr_line "r1.json: signed by another key: the report names $fp, the key given is sha256:" "wrong key explained"
if ossl_verify "$V/r1.json" "$V/r1.json.sig" "$TMP/other/host.pub.pem"; then fail "openssl refuses the wrong key"; else pass "openssl refuses the wrong key"; fi

# --- nonce
expect_exit 0 "the nonce asked for" "$CHIPAUDIT" verify --state "$S" --nonce 0a1b2c3d4e5f6071 "$V/r1.json"
expect_stdout "nonce matches" "nonce confirmed"
expect_exit 12 "a stale nonce" "$CHIPAUDIT" verify --state "$S" --nonce 99999999aaaaaaaa "$V/r1.json"
expect_stderr_line "r1.json: nonce 0a1b2c3d4e5f6071, expected 99999999aaaaaaaa: a stale report" "stale nonce explained"
expect_exit 12 "no nonce where one was asked for" "$CHIPAUDIT" verify --state "$S" --nonce 99999999aaaaaaaa "$V/r2.json"
expect_stderr_line "r2.json: the report carries no nonce" "missing nonce explained"
expect_exit 64 "a nonce that is not hex" "$CHIPAUDIT" verify --state "$S" --nonce xyz "$V/r1.json"
expect_exit 64 "audit --nonce that is not hex" "$CHIPAUDIT" audit --root "$H20" --state "$S" --nonce 12 -o "$TMP/x.json"

# --- the chain
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$V/r3.json" >/dev/null
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$V/r4.json" >/dev/null
expect_exit 0 "r2 follows r1" "$CHIPAUDIT" verify --state "$S" --previous "$V/r1.json" "$V/r2.json"
expect_exit 0 "r1..r4 are a chain" "$CHIPAUDIT" verify --state "$S" --chain "$V/r1.json" "$V/r2.json" "$V/r3.json" "$V/r4.json"
expect_stdout "^4 of 4 reports verified$" "batch summary"
expect_exit 14 "a missing report" "$CHIPAUDIT" verify --state "$S" --previous "$V/r1.json" "$V/r3.json"
expect_stderr_line "r3.json: after .*r1.json: sequence 3 follows 1: report 2 is missing" "missing report named"
expect_exit 14 "a gap inside a chain" "$CHIPAUDIT" verify --state "$S" --chain "$V/r1.json" "$V/r2.json" "$V/r4.json"
expect_exit 15 "reordered" "$CHIPAUDIT" verify --state "$S" --previous "$V/r3.json" "$V/r2.json"
expect_stderr_line "r2.json: after .*r3.json: sequence 2 comes after sequence 3: out of order" "reorder explained"
expect_exit 16 "replayed: the previous report again" "$CHIPAUDIT" verify --state "$S" --previous "$V/r2.json" "$V/r2.json"
expect_stderr_line "r2.json: the same report \(sha256 [0-9a-f]{16}\.\.\.\) was given before: replayed" "replay explained"
expect_exit 16 "replayed inside a chain" "$CHIPAUDIT" verify --state "$S" --chain "$V/r1.json" "$V/r2.json" "$V/r2.json"
expect_exit 0 "the latest report is the latest in history" "$CHIPAUDIT" verify --state "$S" --history "$V/r4.json"
expect_exit 16 "an older report against history: superseded" "$CHIPAUDIT" verify --state "$S" --history "$V/r2.json"
expect_stderr_line "r2.json: superseded: .*history.db holds sequence 4 \(#4\), newer than this report's 2: replayed" "superseded explained"

# --- a batch named in a file (a fleet's batch outgrows a command line)
printf '%s\n\n%s\n%s' "$V/r2.json" "$V/r3.json" "$V/r4.json" >"$TMP/list"
expect_exit 0 "--files-from: command line first, then the list, as one chain" "$CHIPAUDIT" verify --state "$S" --chain --files-from "$TMP/list" "$V/r1.json"
expect_stdout "^4 of 4 reports verified$" "--files-from: every report counted (empty line skipped, no final newline needed)"
from_stdin() { "$CHIPAUDIT" verify --state "$S" --chain --json --files-from - "$V/r1.json" <"$TMP/list"; }
expect_exit 0 "--files-from - reads the list from standard input" from_stdin
jq_is '[.[].file] | map(split("/") | last) | join(",")' "r1.json,r2.json,r3.json,r4.json" "--files-from: reports in order" "$TMP/out"
printf '%s\n%s\n' "$V/r3.json" "$V/r2.json" >"$TMP/list-reordered"
expect_exit 15 "--files-from: order matters for --chain" "$CHIPAUDIT" verify --state "$S" --chain --files-from "$TMP/list-reordered"
printf '%s\n%s\n' "$V/r1.json" "$TMP/nothere.json" >"$TMP/list-missing"
expect_exit 66 "--files-from: a listed report that does not exist" "$CHIPAUDIT" verify --state "$S" --files-from "$TMP/list-missing"
printf '%s\nx\0y\n' "$V/r1.json" >"$TMP/list-nul"
expect_exit 65 "--files-from: a NUL byte in the list" "$CHIPAUDIT" verify --state "$S" --files-from "$TMP/list-nul"
expect_stderr_line "^chipaudit: --files-from: .*list-nul:2: a NUL byte in a file name$" "--files-from: the NUL byte's line named"
{ printf '%s\n' "$V/r1.json"; head -c 5000 /dev/zero | tr '\0' a; echo; } >"$TMP/list-long"
expect_exit 65 "--files-from: a name longer than PATH_MAX" "$CHIPAUDIT" verify --state "$S" --files-from "$TMP/list-long"
expect_stderr_line "list-long:2: a file name longer than 4096 bytes$" "--files-from: the long line named"
printf '\n\n' >"$TMP/list-empty"
expect_exit 64 "--files-from: an empty list and no report" "$CHIPAUDIT" verify --state "$S" --files-from "$TMP/list-empty"
expect_exit 66 "--files-from: a list that does not exist" "$CHIPAUDIT" verify --state "$S" --files-from "$TMP/nolist"
expect_stderr_line "^chipaudit: --files-from: .*nolist: No such file or directory$" "--files-from: the missing list named"
# A report of the same place in the chain, signed by the same key but not
# the one recorded: a fork (made here with a copy of the state).
cp -r "$S" "$TMP/fork"
"$CHIPAUDIT" audit --root "$H20" --state "$TMP/fork" --sign -o "$V/fork5.json" >/dev/null
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign --nonce 1234567890abcdef -o "$V/r5.json" >/dev/null
expect_exit 13 "a fork: same sequence, another report" "$CHIPAUDIT" verify --state "$S" --history "$V/fork5.json"
expect_stderr_line "fork5.json: .*holds another report with sequence 5 .*: the chain forked" "fork explained"
expect_exit 13 "a fork in a chain" "$CHIPAUDIT" verify --state "$S" --chain "$V/r5.json" "$V/fork5.json"
# A report edited and re-signed by the key holder breaks the link to it.
jq -c '.summary.worst = "pass"' "$V/r4.json" >"$TMP/r4-edited.json"
openssl pkeyutl -sign -inkey "$S/host.key.pem" -rawin -in "$TMP/r4-edited.json" -out "$TMP/r4-edited.json.sig"
expect_exit 0 "an edited, re-signed report verifies alone" "$CHIPAUDIT" verify --state "$S" "$TMP/r4-edited.json"
expect_exit 13 "but the next report's link to it fails" "$CHIPAUDIT" verify --state "$S" --previous "$TMP/r4-edited.json" "$V/r5.json"
expect_stderr_line "r5.json: after .*r4-edited.json: names previous report sha256 [0-9a-f]{16}\.\.\., but the previous report \(sequence 4\) has sha256 [0-9a-f]{16}\.\.\.: the link is broken" "broken link explained"
expect_exit 0 "verify --json" "$CHIPAUDIT" verify --state "$S" --json "$V/r5.json"
jq_is '.[0] | "\(.verified) \(.sequence) \(.nonce)"' "true 5 1234567890abcdef" "verify --json result" "$TMP/out"
"$CHIPAUDIT" audit --root "$H20" --state "$S" --no-history --sign -o "$V/unchained.json" >/dev/null
jq_is '.sequence' null "--no-history: no sequence" "$V/unchained.json"
expect_exit 0 "an unchained report verifies alone" "$CHIPAUDIT" verify --state "$S" "$V/unchained.json"
expect_exit 13 "but is not in a chain" "$CHIPAUDIT" verify --state "$S" --previous "$V/r5.json" "$V/unchained.json"

# --- malformed input
expect_exit 66 "missing report" "$CHIPAUDIT" verify --state "$S" "$TMP/none.json"
expect_stderr_line "none.json: No such file or directory" "missing report named"
cp "$V/r1.json" "$TMP/nosig.json"
expect_exit 66 "missing signature" "$CHIPAUDIT" verify --state "$S" "$TMP/nosig.json"
expect_stderr_line "nosig.json.sig: No such file or directory" "missing signature named"
printf 'short' >"$TMP/nosig.json.sig"
expect_exit 65 "a signature of the wrong length" "$CHIPAUDIT" verify --state "$S" "$TMP/nosig.json"
expect_stderr_line "nosig.json.sig: not an Ed25519 signature: 5 bytes, expected 64 raw bytes" "short signature named"
expect_exit 66 "no public key" "$CHIPAUDIT" verify --state "$TMP/empty-state" "$V/r1.json"
expect_stderr_line "empty-state/host.pub.pem: No such file or directory \(give the host's public key with --pubkey FILE\)" "missing key named"
echo "not a key" >"$TMP/bad.pem"
expect_exit 65 "a public key that is not PEM" "$CHIPAUDIT" verify --pubkey "$TMP/bad.pem" "$V/r1.json"
expect_stderr_line "bad.pem: not a PEM public key" "bad key named"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout >"$TMP/ec.pem" 2>/dev/null
expect_exit 65 "a key that is not Ed25519" "$CHIPAUDIT" verify --pubkey "$TMP/ec.pem" "$V/r1.json"
expect_stderr_line "ec.pem: not an Ed25519 key" "key type named"
# Signed by the key, yet not a report: the signature holds, the content does not.
sign() { openssl pkeyutl -sign -inkey "$S/host.key.pem" -rawin -in "$1" -out "$1.sig"; }
printf '{"schema_version": 1, "host": {"time": "x"}, "a": [1, 2,]}' >"$TMP/trailing.json"; sign "$TMP/trailing.json"
expect_exit 65 "signed but malformed JSON" "$CHIPAUDIT" verify --state "$S" "$TMP/trailing.json"
expect_stderr_line "trailing.json: 1:[0-9]+: unexpected character where a value was expected \(the signature holds, but this is not a well-formed report\)" "malformed JSON located"
# Reports of schema 1 (one subject per finding) still verify; a newer schema is refused by name.
jq -c '.schema_version = 1 | .findings |= [.[] | .subjects[] as $s | del(.subjects) + {subject: $s}]' "$V/r1.json" >"$TMP/v1.json"; sign "$TMP/v1.json"
expect_exit 0 "a signed report of schema 1 verifies" "$CHIPAUDIT" verify --state "$S" "$TMP/v1.json"
jq -c '.schema_version = 3' "$V/r1.json" >"$TMP/v3.json"; sign "$TMP/v3.json"
expect_exit 65 "a signed report of a newer schema" "$CHIPAUDIT" verify --state "$S" "$TMP/v3.json"
expect_stderr_line "v3.json: report.schema_version: 3 is not supported \(this build reads 1 to 2\)" "newer schema named"
head -c 3000 "$V/r1.json" >"$TMP/cut.json"; sign "$TMP/cut.json"
expect_exit 65 "signed but truncated" "$CHIPAUDIT" verify --state "$S" "$TMP/cut.json"
expect_stderr_line "cut.json: [0-9]+:[0-9]+: premature end of input" "truncation located"
jq -c --arg fp "$fp" '.sequence = "7"' "$V/r1.json" >"$TMP/seqstr.json"; sign "$TMP/seqstr.json"
expect_exit 65 "signed, sequence not a number" "$CHIPAUDIT" verify --state "$S" "$TMP/seqstr.json"
expect_stderr_line "seqstr.json: report.sequence: expected an integer" "bad member named"
jq -c '. + {"sequence": 3, "sequence2": 1}' "$V/r1.json" | sed 's/"sequence2"/"sequence"/' >"$TMP/dupkey.json"; sign "$TMP/dupkey.json"
expect_exit 65 "signed, duplicate sequence" "$CHIPAUDIT" verify --state "$S" "$TMP/dupkey.json"
expect_stderr_line "dupkey.json: 1:[0-9]+: duplicate object key 'sequence'" "duplicate member named"
jq -c 'del(.public_key_fingerprint)' "$V/r1.json" >"$TMP/nokey.json"; sign "$TMP/nokey.json"
expect_exit 11 "signed, but names no key" "$CHIPAUDIT" verify --state "$S" "$TMP/nokey.json"
expect_exit 64 "verify without a report" "$CHIPAUDIT" verify --state "$S"
expect_exit 64 "--sig with two reports" "$CHIPAUDIT" verify --state "$S" --sig x "$V/r1.json" "$V/r2.json"

# --- audit's own errors
expect_exit 64 "--sign without -o" "$CHIPAUDIT" audit --root "$H20" --state "$S" --sign
expect_stderr_line "audit: --sign needs -o FILE" "--sign without -o explained"
expect_exit 66 "--sign without a key" "$CHIPAUDIT" audit --root "$H20" --state "$TMP/nokey-state" --sign -o "$TMP/x.json"
expect_stderr_line "nokey-state/host.key.pem: No such file or directory \(make one with chipaudit keygen\)" "missing host key explained"
chmod 644 "$S/host.key.pem"
expect_exit 78 "a private key others can read" "$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$TMP/x.json"
expect_stderr_line "host.key.pem: permissions 0644 are too open" "open permissions refused"
chmod 600 "$S/host.key.pem"
cp "$TMP/other/host.pub.pem" "$TMP/mismatch.pem"; cp -r "$S" "$TMP/mismatch"; cp "$TMP/mismatch.pem" "$TMP/mismatch/host.pub.pem"
expect_exit 78 "public key that does not match the private one" "$CHIPAUDIT" audit --root "$H20" --state "$TMP/mismatch" --sign -o "$TMP/x.json"
expect_stderr_line "host.pub.pem: does not match .*host.key.pem" "key mismatch explained"
if [ ! -e "$TMP/x.json" ]; then pass "no report written when signing fails"; else fail "no report written when signing fails"; fi
expect_exit 73 "-o into a missing directory, signed" "$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$TMP/no/dir/r.json"
"$CHIPAUDIT" history --state "$S" --json >"$TMP/h.json"
jq_is 'length' 5 "failed audits left nothing in history" "$TMP/h.json"

finish
