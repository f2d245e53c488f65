#!/usr/bin/env bash
# Reports signed as an in-toto Statement in a DSSE envelope
# (REPORT.intoto.jsonl, docs/evidence.md): what `audit --sign` writes with
# each --sign-format, the third-party commands of docs/evidence.md run as
# written there, and `chipaudit verify` on good envelopes and on an altered
# report, payload, payloadType or signature, another report's Statement, a
# lying keyid, another key, a chain from a .sig report to a statement-signed
# one, and malformed envelopes, each with its exit code and one line.
. "$(dirname "$0")/lib.sh"

VM="$FIXTURES/vm/root"
S="$TMP/host"       # the audited host's state
V="$TMP/verifier"   # a verifier's files
mkdir -p "$V"
ALLERR="$TMP/all-stderr"
: >"$ALLERR"

# run CODE NAME CMD...: expect_exit, keeping stderr for the sanitizer check at the end
run() {
	expect_exit "$@"
	cat "$TMP/err" >>"$ALLERR"
}
# The audit's own exit is its verdict: 0-2.
audit() {
	"$CHIPAUDIT" audit --root "$VM" --state "$S" "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	cat "$TMP/err" >>"$ALLERR"
	return $((rc > 2))
}
verify() { run "$1" "$2" "$CHIPAUDIT" verify --state "$S" "${@:3}"; }

# The members of an envelope's Statement, and an envelope remade from a
# Statement and signature of our choosing (the signature left as it was).
statement_of() { jq -j .payload "$1" | base64 -d; }
remake() { # ENVELOPE STATEMENT-FILE [PAYLOADTYPE] > NEW
	jq -c --arg p "$(base64 -w0 <"$2")" --arg t "${3:-application/vnd.in-toto+json}" \
		'.payload = $p | .payloadType = $t' "$1"
}

run 0 "keygen" "$CHIPAUDIT" keygen --state "$S"
fp=$(awk '/^fingerprint/ {print $2}' "$TMP/out")

# --- what audit --sign writes
if audit --sign -o "$V/r1.json"; then pass "audit --sign"; else fail "audit --sign" "$(cat "$TMP/err")"; fi
if [ -s "$V/r1.json.sig" ] && [ -s "$V/r1.json.intoto.jsonl" ]; then
	pass "by default both FILE.sig and FILE.intoto.jsonl"
else
	fail "by default both FILE.sig and FILE.intoto.jsonl" "$(ls "$V")"
fi
E="$V/r1.json.intoto.jsonl"
if [ "$(wc -l <"$E")" = 1 ] && [ "$(stat -c %s "$E")" -lt 1500 ]; then
	pass "the envelope is one line under 1.5 KB ($(stat -c %s "$E") bytes)"
else
	fail "the envelope is one line under 1.5 KB" "$(wc -lc <"$E")"
fi
jq_is 'keys_unsorted | join(",")' payloadType,payload,signatures "envelope members" "$E"
jq_is '.payloadType' application/vnd.in-toto+json "payloadType is in-toto's" "$E"
jq_is '.signatures | length' 1 "one signature" "$E"
jq_is '.signatures[0].keyid' "$fp" "keyid is the key's fingerprint" "$E"
if [ "$(jq -r '.payload, .signatures[0].sig' "$E" | grep -cE '^[A-Za-z0-9+/]+=*$')" = 2 ]; then
	pass "standard base64"
else
	fail "standard base64" "$(head -c 200 "$E")"
fi
statement_of "$E" >"$TMP/st.json"
jq_is '._type' https://in-toto.io/Statement/v1 "Statement v1" "$TMP/st.json"
jq_is '.predicateType' https://chipaudit.invalid/evidence/v1 "chipaudit's predicateType" "$TMP/st.json"
jq_is '.subject | length' 1 "one subject" "$TMP/st.json"
jq_is '.subject[0].name' r1.json "subject named by the file's name" "$TMP/st.json"
jq_is '.subject[0].digest.sha256' "$(sha256sum <"$V/r1.json" | cut -d' ' -f1)" "subject digest is the report's SHA-256" "$TMP/st.json"
# The predicate and the report's own members are one set of values.
jq -c '{schema_version, host_id, public_key_fingerprint, sequence, previous_sha256, nonce, time: .host.time}' \
	"$V/r1.json" >"$TMP/members.json"
jq -c .predicate "$TMP/st.json" >"$TMP/predicate.json"
if cmp -s "$TMP/members.json" "$TMP/predicate.json"; then
	pass "predicate = the report's evidence members"
else
	fail "predicate = the report's evidence members" "$(cat "$TMP/members.json" "$TMP/predicate.json")"
fi
jq_is '.predicate.public_key_fingerprint' "$fp" "predicate names the key" "$TMP/st.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/evidence-predicate.schema.json" "$TMP/st.json" >"$TMP/v" 2>&1; then
	pass "the Statement validates against docs/evidence-predicate.schema.json"
else
	fail "the Statement validates against docs/evidence-predicate.schema.json" "$(head -c 600 "$TMP/v")"
fi
jq '.predicate.extra = 1' "$TMP/st.json" >"$TMP/st-extra.json"
if ! "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/evidence-predicate.schema.json" "$TMP/st-extra.json" >/dev/null 2>&1; then
	pass "the schema refuses an unknown predicate member, as verify does"
else
	fail "the schema refuses an unknown predicate member, as verify does"
fi

# --- the third-party commands of docs/evidence.md, as written there
cmds=$(sed -n '/^ *export LC_ALL=C$/,/^ *openssl pkey -pubin -in host.pub.pem -outform DER | sha256sum/p' \
	"$SRCDIR/docs/evidence.md" | sed -E 's/^ +//')
if [ "$(grep -c . <<<"$cmds")" -ge 10 ]; then pass "docs/evidence.md lists the commands"; else fail "docs/evidence.md lists the commands" "$cmds"; fi
third_party() { # DIR: the commands in DIR, which holds report.json, its envelope and host.pub.pem
	(cd "$1" && bash -e -o pipefail -c "$cmds") >"$TMP/tp.out" 2>"$TMP/tp.err"
}
T="$TMP/third"
mkdir -p "$T"
cp "$V/r1.json" "$T/report.json"
cp "$E" "$T/report.json.intoto.jsonl"
cp "$S/host.pub.pem" "$T/"
if third_party "$T"; then pass "the commands succeed"; else fail "the commands succeed" "$(cat "$TMP/tp.err")"; fi
if grep -qx "Signature Verified Successfully" "$TMP/tp.out"; then
	pass "openssl verifies the PAE"
else
	fail "openssl verifies the PAE" "$(cat "$TMP/tp.out" "$TMP/tp.err")"
fi
digests=$(grep -oE '^[0-9a-f]{64}' "$TMP/tp.out" | head -2 | sort -u | wc -l)
if [ "$digests" = 1 ] && [ "$(grep -cE '^[0-9a-f]{64}' "$TMP/tp.out")" = 3 ]; then
	pass "the subject's digest equals sha256sum of the report"
else
	fail "the subject's digest equals sha256sum of the report" "$(cat "$TMP/tp.out")"
fi
if grep -q "\"public_key_fingerprint\": \"sha256:$(tail -1 "$TMP/tp.out" | cut -d' ' -f1)\"" "$TMP/tp.out"; then
	pass "the key's fingerprint equals the predicate's"
else
	fail "the key's fingerprint equals the predicate's" "$(cat "$TMP/tp.out")"
fi
# openssl signs the rebuilt PAE with the same bytes (Ed25519 is deterministic)
openssl pkeyutl -sign -inkey "$S/host.key.pem" -rawin -in "$T/statement.pae" -out "$TMP/again.sig"
if cmp -s "$TMP/again.sig" "$T/statement.sig"; then pass "openssl pkeyutl -sign of the PAE: the same signature"; else fail "openssl pkeyutl -sign of the PAE: the same signature"; fi
printf ' ' >>"$T/report.json"
third_party "$T"
if [ "$(grep -oE '^[0-9a-f]{64}' "$TMP/tp.out" | head -2 | sort -u | wc -l)" = 2 ]; then
	pass "an altered report: the digests differ"
else
	fail "an altered report: the digests differ" "$(cat "$TMP/tp.out")"
fi
cp "$V/r1.json" "$T/report.json"
sed 's/"sequence":1/"sequence":2/' "$TMP/st.json" >"$TMP/st-edited.json"
remake "$E" "$TMP/st-edited.json" >"$T/report.json.intoto.jsonl"
if ! third_party "$T" && grep -q "Signature Verification Failure" "$TMP/tp.out" "$TMP/tp.err"; then
	pass "an altered statement: openssl refuses it"
else
	fail "an altered statement: openssl refuses it" "$(cat "$TMP/tp.out" "$TMP/tp.err")"
fi

# --- chipaudit verify
verify 0 "verify picks the envelope" "$V/r1.json"
expect_stdout "r1.json: verified: sequence 1, host [0-9a-f]{32}, key $fp, .*, by its statement$" \
	"verify says it verified the statement"
verify 0 "verify --json" --json "$V/r1.json"
jq_is '.[0].signature_form + " " + .[0].signature' "statement $E" "--json names the form and the file" "$TMP/out"
verify 0 "--sig takes an envelope" --sig "$E" "$V/r1.json"
expect_stdout "by its statement$" "--sig FILE: an envelope by its content"
verify 0 "--sig takes the raw signature" --sig "$V/r1.json.sig" "$V/r1.json"
if grep -q "by its statement" "$TMP/out"; then fail "--sig FILE.sig: the whole report's signature"; else pass "--sig FILE.sig: the whole report's signature"; fi

# each alteration, in a copy beside its own report
variant() { # NAME: $V/NAME.json, a copy of r1.json and its envelope
	cp "$V/r1.json" "$V/$1.json"
	cp "$E" "$V/$1.json.intoto.jsonl"
}
variant altered
printf ' ' >>"$V/altered.json"
verify 10 "an altered report: bad signature" "$V/altered.json"
expect_stderr_line "altered.json: its SHA-256 is [0-9a-f]{16}\.\.\., the statement .*altered.json.intoto.jsonl names [0-9a-f]{16}\.\.\.: the report was altered, or the statement is another report's$" \
	"the digests named"
variant payload
remake "$E" "$TMP/st-edited.json" >"$V/payload.json.intoto.jsonl"
verify 10 "an altered payload: bad signature" "$V/payload.json"
expect_stderr_line "payload.json: the envelope .*payload.json.intoto.jsonl does not verify with key $fp: its statement, payloadType or signature was altered$" \
	"an altered payload explained"
variant ptype
remake "$E" "$TMP/st.json" application/json >"$V/ptype.json.intoto.jsonl"
verify 10 "an altered payloadType: bad signature" "$V/ptype.json"
expect_stderr_line "ptype.json: the envelope .* does not verify with key" "an altered payloadType explained"
variant sig
jq -c --arg s "$(head -c 64 /dev/zero | base64 -w0)" '.signatures[0].sig = $s' "$E" >"$V/sig.json.intoto.jsonl"
verify 10 "an altered signature: bad signature" "$V/sig.json"
expect_stderr_line "sig.json: the envelope .* does not verify" "an altered signature explained"
variant keyid
jq -c '.signatures[0].keyid = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' "$E" \
	>"$V/keyid.json.intoto.jsonl"
verify 0 "a lying keyid is a hint, not a decision" "$V/keyid.json"

# another report's Statement
if audit --sign -o "$V/r2.json"; then pass "a second audit"; else fail "a second audit" "$(cat "$TMP/err")"; fi
jq_is '.predicate.sequence' 2 "its statement is sequence 2" <(statement_of "$V/r2.json.intoto.jsonl")
jq_is '.predicate.previous_sha256' "$(sha256sum <"$V/r1.json" | cut -d' ' -f1)" "its statement names r1's hash" \
	<(statement_of "$V/r2.json.intoto.jsonl")
variant other
cp "$V/r2.json.intoto.jsonl" "$V/other.json.intoto.jsonl"
verify 10 "another report's statement: bad signature" "$V/other.json"
expect_stderr_line "other.json: its SHA-256 is .* the statement is another report's$" "another report's statement explained"
verify 0 "r1 then r2 by their statements" --chain "$V/r1.json" "$V/r2.json"
verify 15 "r2 then r1: reordered" --chain "$V/r2.json" "$V/r1.json"
verify 16 "r1 again after r1: replayed" --previous "$V/r1.json" "$V/r1.json"

# another key
"$CHIPAUDIT" keygen --state "$TMP/other" >/dev/null
run 11 "another key: wrong key" "$CHIPAUDIT" verify --pubkey "$TMP/other/host.pub.pem" "$V/r1.json"
expect_stderr_line "r1.json: signed by another key: the report names $fp, the key given is sha256:[0-9a-f]{64} \(in its statement .*\)$" \
	"another key explained"

# a Statement the key signed with a type that is not in-toto's (openssl signs it)
variant foreign
ptype=application/json
{ printf 'DSSEv1 %d %s %d ' "${#ptype}" "$ptype" "$(stat -c %s "$TMP/st.json")"; cat "$TMP/st.json"; } >"$TMP/foreign.pae"
openssl pkeyutl -sign -inkey "$S/host.key.pem" -rawin -in "$TMP/foreign.pae" -out "$TMP/foreign.sig"
remake "$E" "$TMP/st.json" "$ptype" | jq -c --arg s "$(base64 -w0 <"$TMP/foreign.sig")" '.signatures[0].sig = $s' \
	>"$V/foreign.json.intoto.jsonl"
verify 65 "a signed envelope of another payloadType: malformed" "$V/foreign.json"
expect_stderr_line "foreign.json.intoto.jsonl: payloadType 'application/json' is not \"application/vnd.in-toto\+json\" \(the signature holds" \
	"the payloadType named"

# malformed envelopes: 65, one line naming the file
variant broken
echo '{"payloadType":' >"$V/broken.json.intoto.jsonl"
verify 65 "an envelope that is not JSON" "$V/broken.json"
expect_stderr_line "broken.json.intoto.jsonl:[0-9]+:[0-9]+: " "the place named"
jq -c '.signatures += .signatures' "$E" >"$V/broken.json.intoto.jsonl"
verify 65 "two signatures" "$V/broken.json"
expect_stderr_line "broken.json.intoto.jsonl: expected exactly one signature" "two signatures explained"
jq -c '.payload = "%%%"' "$E" >"$V/broken.json.intoto.jsonl"
verify 65 "a payload that is not base64" "$V/broken.json"
expect_stderr_line "broken.json.intoto.jsonl: envelope.payload: not base64$" "not base64 explained"
head -c 5000 /dev/zero | tr '\0' ' ' >"$V/broken.json.intoto.jsonl"
verify 65 "an envelope over 4 KB" "$V/broken.json"
expect_stderr_line "broken.json.intoto.jsonl" "the large envelope named"
rm "$V/broken.json"
cp "$E" "$V/broken.json.intoto.jsonl"
verify 66 "an envelope without its report" "$V/broken.json"
expect_stderr_line "broken.json: No such file or directory$" "the missing report named"

# --- --sign-format
if audit --sign --sign-format whole -o "$V/w.json"; then pass "--sign-format whole"; else fail "--sign-format whole" "$(cat "$TMP/err")"; fi
if [ -s "$V/w.json.sig" ] && [ ! -e "$V/w.json.intoto.jsonl" ]; then pass "whole: FILE.sig alone"; else fail "whole: FILE.sig alone" "$(ls "$V")"; fi
if audit --sign --sign-format statement --nonce 00C0FFEE -o "$V/s.json"; then pass "--sign-format statement"; else fail "--sign-format statement" "$(cat "$TMP/err")"; fi
if [ ! -e "$V/s.json.sig" ] && [ -s "$V/s.json.intoto.jsonl" ]; then pass "statement: FILE.intoto.jsonl alone"; else fail "statement: FILE.intoto.jsonl alone" "$(ls "$V")"; fi
jq_is '.predicate.nonce' 00c0ffee "the nonce in the statement" <(statement_of "$V/s.json.intoto.jsonl")
verify 0 "the nonce verified from the statement" --nonce 00c0ffee "$V/s.json"
verify 12 "another nonce: stale" --nonce 11111111 "$V/s.json"
# a chain A -> B: the .sig report, then the statement-signed one
verify 0 "chain: a .sig report then a statement-signed one" --chain "$V/w.json" "$V/s.json"
verify 0 "--previous a .sig report" --previous "$V/w.json" "$V/s.json"
verify 14 "a report missing between them" --chain "$V/r2.json" "$V/s.json"
verify 0 "--history: the latest of its chain" --history "$V/s.json"
verify 16 "--history: an older statement-signed report is superseded" --history "$V/r2.json"
run 64 "--sign-format without --sign" "$CHIPAUDIT" audit --root "$VM" --state "$S" --sign-format whole -o "$V/x.json"
first_line() { # PATTERN NAME: a usage error's first line (the usage follows)
	if head -1 "$TMP/err" | grep -Eq -- "$1"; then pass "$2"; else fail "$2" "$(head -1 "$TMP/err")"; fi
}
first_line "audit: --sign-format goes with --sign$" "--sign-format without --sign explained"
run 64 "--sign-format of no such kind" "$CHIPAUDIT" audit --root "$VM" --state "$S" --sign --sign-format half -o "$V/x.json"
first_line "--sign-format \"half\": expected whole, statement or both" "the kinds named"
run 64 "--push needs FILE.sig" "$CHIPAUDIT" audit --root "$VM" --state "$S" --sign --sign-format statement -o "$V/x.json" \
	--push https://127.0.0.1:9/
first_line "--push sends FILE.sig, which a collector verifies: it needs --sign-format whole or both$" "--push explained"
[ ! -e "$V/x.json" ] && pass "nothing written on a usage error" || fail "nothing written on a usage error"

# --- --statements-only: the envelope alone, printed as such
verify 0 "--statements-only" --statements-only "$V/r1.json"
expect_stdout "r1.json: verified: sequence 1, .*, by its statement alone \(the report was not read\)$" "printed as statement-only"
verify 0 "--statements-only --json" --statements-only --json "$V/r1.json"
jq_is '.[0].report_read' false "--json: report_read false" "$TMP/out"
verify 0 "without it, report_read true" --json "$V/r1.json"
jq_is '.[0].report_read' true "--json: report_read true" "$TMP/out"
verify 0 "--statements-only does not read the report: an altered one passes, as documented" --statements-only "$V/altered.json"
cp "$E" "$V/gone.json.intoto.jsonl"
verify 0 "--statements-only needs no report file" --statements-only "$V/gone.json"
verify 10 "--statements-only: an altered payload is still caught" --statements-only "$V/payload.json"
verify 10 "--statements-only: an altered signature is still caught" --statements-only "$V/sig.json"
verify 0 "--statements-only: a chain by the subjects' digests" --statements-only --chain "$V/r1.json" "$V/r2.json"
verify 15 "--statements-only: reordered" --statements-only --chain "$V/r2.json" "$V/r1.json"
verify 0 "--statements-only: a .sig report is checked as always" --statements-only --chain "$V/w.json" "$V/s.json"
if grep -q "w.json: verified: .*by its statement" "$TMP/out"; then
	fail "the .sig report printed as such" "$(cat "$TMP/out")"
else
	pass "the .sig report printed as such"
fi

# --- --full: the report parsed whole, its members the Statement's
verify 0 "--full" --full "$V/r1.json"
verify 0 "--full of a .sig report" --full "$V/w.json"
run 64 "--full and --statements-only" "$CHIPAUDIT" verify --state "$S" --full --statements-only "$V/r1.json"
sign_env() { # STATEMENT ENVELOPE: the key holder signs STATEMENT with openssl
	local t=application/vnd.in-toto+json
	{ printf 'DSSEv1 %d %s %d ' "${#t}" "$t" "$(stat -c %s "$1")"; cat "$1"; } >"$TMP/pae"
	openssl pkeyutl -sign -inkey "$S/host.key.pem" -rawin -in "$TMP/pae" -out "$TMP/pae.sig"
	remake "$E" "$1" | jq -c --arg s "$(base64 -w0 <"$TMP/pae.sig")" '.signatures[0].sig = $s' >"$2"
}
variant twofaced
jq -cj '.predicate.nonce = "0badc0de"' "$TMP/st.json" >"$TMP/st-twofaced.json"
sign_env "$TMP/st-twofaced.json" "$V/twofaced.json.intoto.jsonl"
verify 0 "a Statement whose nonce is not the report's: the members come from the Statement" --nonce 0badc0de \
	"$V/twofaced.json"
verify 65 "--full: refused" --full "$V/twofaced.json"
expect_stderr_line "twofaced.json: its nonce is not the one its statement .* signs$" "the member named"
printf '{"schema_version":2}\n' >"$V/bad.json"
jq -cj --arg d "$(sha256sum <"$V/bad.json" | cut -d' ' -f1)" '.subject[0].digest.sha256 = $d' "$TMP/st.json" >"$TMP/st-bad.json"
sign_env "$TMP/st-bad.json" "$V/bad.json.intoto.jsonl"
verify 0 "a malformed report signed by a Statement: not parsed, as documented" "$V/bad.json"
verify 65 "--full: the malformed report refused" --full "$V/bad.json"
expect_stderr_line "bad.json: .*\(the signature holds, but this is not a well-formed report\)$" "the malformed report explained"

# --- history keeps the envelope
sha_s=$(sha256sum <"$V/s.json" | cut -d' ' -f1)
sha_1=$(sha256sum <"$V/r1.json" | cut -d' ' -f1)
H="$TMP/shown"
mkdir -p "$H"
run 0 "history --show of a statement-signed report" "$CHIPAUDIT" history --state "$S" --show "$sha_s" -o "$H/s.json"
if cmp -s "$H/s.json.intoto.jsonl" "$V/s.json.intoto.jsonl" && [ ! -e "$H/s.json.sig" ]; then
	pass "--show -o writes its envelope, and no .sig"
else
	fail "--show -o writes its envelope, and no .sig" "$(ls "$H")"
fi
verify 0 "the envelope history gave back verifies" "$H/s.json"
expect_stdout "by its statement$" "by its statement"
run 0 "history --show of a report signed both ways" "$CHIPAUDIT" history --state "$S" --show "$sha_1" -o "$H/r1.json"
if cmp -s "$H/r1.json.intoto.jsonl" "$E" && cmp -s "$H/r1.json.sig" "$V/r1.json.sig"; then
	pass "--show -o writes both"
else
	fail "--show -o writes both" "$(ls "$H")"
fi
run 0 "history --json" "$CHIPAUDIT" history --state "$S" --json
jq_is "[.[] | select(.sha256 == \"$sha_s\") | .signed, .signed_whole, .signed_statement] | map(tostring) | join(\",\")" \
	true,false,true "--json: signed by its statement alone" "$TMP/out"
run 0 "history --check with envelopes" "$CHIPAUDIT" history --state "$S" --check
sql() { "$SYS_PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2], sys.argv[3:]); c.commit()' "$@"; }
cp -r "$S" "$TMP/forged"
sql "$TMP/forged/history.db" "UPDATE reports SET envelope = (SELECT envelope FROM reports WHERE sha256 = ?) WHERE sha256 = ?" \
	"$sha_1" "$sha_s"
run 65 "history --check: another report's statement stored" "$CHIPAUDIT" history --state "$TMP/forged" --check
expect_stderr_line "history.db: #[0-9]+: the stored statement names sha256 $sha_1, the report's is $sha_s$" "the digests named"
statement_of "$V/s.json.intoto.jsonl" | jq -c '.predicate.nonce = "99999999"' >"$TMP/st-nonce.json"
remake "$V/s.json.intoto.jsonl" "$TMP/st-nonce.json" >"$TMP/env-nonce"
cp -r "$S" "$TMP/forged2"
sql "$TMP/forged2/history.db" "UPDATE reports SET envelope = CAST(? AS BLOB) WHERE sha256 = ?" "$(cat "$TMP/env-nonce")" "$sha_s"
run 65 "history --check: a statement whose member is not the report's" "$CHIPAUDIT" history --state "$TMP/forged2" --check
expect_stderr_line "#[0-9]+: the stored statement's nonce is not the report's$" "the member named"
# a history of schema 1, as earlier builds wrote: given the column when opened, its reports kept
cp -r "$S" "$TMP/old"
sql "$TMP/old/history.db" "ALTER TABLE reports DROP COLUMN envelope"
sql "$TMP/old/history.db" "PRAGMA user_version=1"
run 0 "a schema 1 history is read" "$CHIPAUDIT" history --state "$TMP/old"
run 0 "and checked" "$CHIPAUDIT" history --state "$TMP/old" --check
version=$("$SYS_PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0])' "$TMP/old/history.db")
[ "$version" = 2 ] && pass "schema 1 becomes 2" || fail "schema 1 becomes 2" "user_version $version"
run 0 "an audit records in it" "$CHIPAUDIT" audit --root "$VM" --state "$TMP/old" --sign --sign-format statement -o "$V/o.json"
run 0 "the next statement-signed report follows on" "$CHIPAUDIT" verify --state "$TMP/old" --history --previous "$V/s.json" "$V/o.json"
# read-only (another user, or a file it may not write): read through a view, nothing written
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp -r "$S" "$TMP/ro"
	sql "$TMP/ro/history.db" "ALTER TABLE reports DROP COLUMN envelope"
	sql "$TMP/ro/history.db" "PRAGMA user_version=1"
	sql "$TMP/ro/history.db" "PRAGMA journal_mode=DELETE"
	chmod 0755 "$TMP" "$TMP/ro"
	chmod 0644 "$TMP/ro/history.db"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$CHIPAUDIT" history --state "$TMP/ro" --json >"$TMP/out" 2>"$TMP/err"
	rc=$?
	cat "$TMP/err" >>"$ALLERR"
	if [ "$rc" = 0 ] && [ "$(jq length "$TMP/out" 2>/dev/null)" -gt 0 ]; then
		pass "a schema 1 history another user may not write is read"
	else
		fail "a schema 1 history another user may not write is read" "exit $rc" "$(head -c 600 "$TMP/err")"
	fi
	version=$("$SYS_PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0])' "$TMP/ro/history.db")
	[ "$version" = 1 ] && pass "and left at schema 1" || fail "and left at schema 1" "user_version $version"
else
	pass "a schema 1 history read-only # SKIP needs root and setpriv"
	pass "and left at schema 1 # SKIP needs root and setpriv"
fi

if grep -q Sanitizer "$ALLERR"; then fail "no sanitizer report" "$(grep -m3 Sanitizer "$ALLERR")"; else pass "no sanitizer report"; fi
finish
