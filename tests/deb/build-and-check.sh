#!/usr/bin/env bash
# Build the Debian package from a copy of the source tree, run lintian on it,
# unpack it and run the packaged binary: on this machine, on the h100 fixture
# (findings as tests/fixtures/h100/expected-findings.json, with the packaged
# data and the embedded copy), and with its installed data directory in place
# (a private mount namespace lays the unpacked /usr/share/chipaudit over
# /usr/share). Runs under meson (suite 'deb') or alone:
#   tests/deb/build-and-check.sh
# The package is built with DEB_BUILD_OPTIONS=nocheck: the unit suite runs in
# this same test run, from the same sources, and building its executables
# again would double the time. DEB_TEST_CHECK=1 builds without nocheck, so
# that dh_auto_test runs the unit suite (`meson test --suite unit`, as a
# package build outside this test does) under Debian's compiler flags.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# lib.sh asks for the binary under test; here it exists once the package is
# built and unpacked.
CHIPAUDIT=${CHIPAUDIT:-unpacked-package}
. "$SRCDIR/tests/cli/lib.sh"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764403200} NO_COLOR=1

bail() { echo "Bail out! $*"; exit 1; }
secs() { echo $(($(date +%s) - $1)); }

for tool in dpkg-buildpackage dpkg-parsechangelog dpkg-deb lintian jq; do
	command -v "$tool" >/dev/null || bail "$tool is missing (scripts/install-deps installs it)"
done

version=$(dpkg-parsechangelog -l "$SRCDIR/debian/changelog" -S Version) || bail "debian/changelog does not parse"
meson_version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$SRCDIR/meson.build" | head -1)
if [ "$version" = "$meson_version" ]; then
	pass "debian/changelog's version is meson.build's ($version)"
else
	fail "debian/changelog's version is meson.build's" "changelog: $version, meson.build: $meson_version"
fi

# --- a copy of the source tree: the files git tracks (and new files it does
# not ignore), else everything but VCS and build directories -----------------
src="$TMP/src/chipaudit-$version"
mkdir -p "$src"
if git -C "$SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$SRCDIR" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	(cd "$SRCDIR" && tar --exclude-vcs --exclude='./build' --exclude='./build-*' --exclude='./obj-*' \
		--exclude='./debian/.debhelper' --exclude='./debian/chipaudit' -cf - .) | tar -xf - -C "$src"
fi
[ -f "$src/debian/control" ] && [ -f "$src/meson.build" ] || bail "the copy of the source tree lacks debian/control or meson.build"

# --- dpkg-buildpackage ---------------------------------------------------------
opts="parallel=$(nproc)"
profiles=()
if [ "${DEB_TEST_CHECK:-0}" != 1 ]; then
	opts="nocheck $opts"
	profiles=(-Pnocheck)
fi
t0=$(date +%s)
# dpkg-buildpackage takes SOURCE_DATE_EPOCH from debian/changelog when unset.
if (cd "$src" && unset SOURCE_DATE_EPOCH && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b "${profiles[@]}") >"$TMP/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($opts) builds the package"
else
	fail "dpkg-buildpackage -us -uc -b ($opts) builds the package" "$(tail -40 "$TMP/build.log")"
	finish
	exit 1
fi
echo "# package build: $(secs "$t0") s"
if [ ${#profiles[@]} -eq 0 ]; then
	# meson test's summary inside dh_auto_test: the unit suite ran, all passed.
	ok=$(awk '/^Ok:/ {print $2}' "$TMP/build.log"); bad=$(awk '/^(Fail|Timeout|Unexpected Pass|Skipped):/ {n += $2} END {print n + 0}' "$TMP/build.log")
	if [ "${ok:-0}" -gt 0 ] && [ "$bad" -eq 0 ]; then
		pass "the unit suite ran in the package build: $ok passed"
	else
		fail "the unit suite ran in the package build" "ok: ${ok:-none}, failed, timed out or skipped: $bad" "$(grep -E '^ *[0-9]+/[0-9]+ ' "$TMP/build.log" | head -30)"
	fi
fi
debs=("$TMP"/src/chipaudit_"$version"_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || bail "expected one chipaudit_${version}_*.deb, found: ${debs[*]}"
deb=${debs[0]}

# --- lintian: no error; warnings are printed ------------------------------------
t0=$(date +%s)
lintian --fail-on error --info --display-experimental --pedantic "$deb" >"$TMP/lintian.out" 2>&1
lrc=$?
sed 's/^/# lintian: /' "$TMP/lintian.out"
errors=$(grep -c '^E: ' "$TMP/lintian.out")
if [ "$lrc" -eq 0 ] && [ "$errors" -eq 0 ]; then
	pass "lintian: no error ($(grep -c '^W: ' "$TMP/lintian.out") warnings)"
else
	fail "lintian: no error" "exit $lrc, $errors errors" "$(grep '^E: ' "$TMP/lintian.out")"
fi
echo "# lintian: $(secs "$t0") s"

# --- what the package holds ------------------------------------------------------
root="$TMP/root"
dpkg-deb -x "$deb" "$root" || bail "dpkg-deb -x failed"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s| ->.*||' >"$TMP/contents"
stray=$(grep -v -e '^/usr/bin/$' -e '^/usr/bin/chipaudit$' -e '^/usr/bin/chipaudit-collector$' -e '^/usr/share/' -e '^/usr/$' -e '^/$' "$TMP/contents")
if [ -z "$stray" ]; then pass "the package holds /usr/bin/chipaudit and /usr/share only"; else fail "the package holds /usr/bin/chipaudit and /usr/share only" "$stray"; fi
missing=
for f in usr/bin/chipaudit usr/share/man/man1/chipaudit.1.gz usr/share/doc/chipaudit/copyright \
	usr/share/doc/chipaudit/changelog.gz usr/share/chipaudit/manifests/README.md; do
	[ -f "$root/$f" ] || missing="$missing $f"
done
for f in README.md facts.md report.schema.json; do
	[ -f "$root/usr/share/doc/chipaudit/$f" ] || [ -f "$root/usr/share/doc/chipaudit/$f.gz" ] || missing="$missing usr/share/doc/chipaudit/$f"
done
if [ -z "$missing" ]; then pass "binary, man page, copyright, changelog, documents and manifests/ installed"; else fail "binary, man page, copyright, changelog, documents and manifests/ installed" "missing:$missing"; fi
differ=
for f in "$SRCDIR"/data/*.json; do
	cmp -s "$f" "$root/usr/share/chipaudit/${f##*/}" || differ="$differ ${f##*/}"
done
if [ -z "$differ" ]; then pass "/usr/share/chipaudit holds every data/*.json as in the source"; else fail "/usr/share/chipaudit holds every data/*.json as in the source" "missing or different:$differ"; fi

# --- the packaged binary ------------------------------------------------------------
CHIPAUDIT="$root/usr/bin/chipaudit"
share="$root/usr/share/chipaudit"
fx="$FIXTURES/h100"

expect_exit 0 "chipaudit --version exits 0" "$CHIPAUDIT" --version
expect_stdout "^chipaudit $version\$" "chipaudit --version prints $version"

# verdict NAME CMD...: the audit ran and gave a verdict (0 pass, 1 warn, 2 fail).
verdict() {
	local name=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -le 2 ]; then pass "$name (exit $rc)"; else fail "$name" "exit $rc" "$(head -c 600 "$TMP/err")"; fi
}
verdict "audit of this machine gives a verdict" "$CHIPAUDIT" audit
verdict "audit of this machine with --data-dir the packaged data" "$CHIPAUDIT" --data-dir "$share" audit

# findings_as_expected NAME REPORT: the report's findings are the h100
# fixture's, compared as tests/cli/fixtures.sh does.
findings_as_expected() {
	local name=$1 report=$2
	if jq -S '[.findings[] | {check, status, subject: .subjects[]}]' "$report" >"$TMP/findings.json" 2>"$TMP/jqerr" &&
		diff -u <(jq -S . "$fx/expected-findings.json") "$TMP/findings.json" >"$TMP/diff"; then
		pass "$name"
	else
		fail "$name" "$(cat "$TMP/jqerr")" "$(head -c 1500 "$TMP/diff")"
	fi
}
"$CHIPAUDIT" --data-dir "$share" audit --root "$fx/root" --json --no-history >"$TMP/h100-share.json" 2>"$TMP/err"
findings_as_expected "h100 fixture with the packaged data: findings as expected" "$TMP/h100-share.json"
"$CHIPAUDIT" --data-dir '' audit --root "$fx/root" --json --no-history >"$TMP/h100-embedded.json" 2>"$TMP/err"
findings_as_expected "h100 fixture with the embedded data: findings as expected" "$TMP/h100-embedded.json"

# --- the installed data directory: /usr/share/chipaudit when it exists -------------
# in_installed DIR CMD...: run CMD where /usr/share/chipaudit is DIR (an
# overlay in a private mount namespace; this machine's /usr/share is untouched).
mkdir -p "$TMP/over-good" "$TMP/over-broken"
cp -a "$share" "$TMP/over-good/chipaudit"
cp -a "$share" "$TMP/over-broken/chipaudit"
echo '{ "models": [' >"$TMP/over-broken/chipaudit/accelerators.json"
in_installed() {
	local over=$1; shift
	unshare -m sh -c 'mount --make-rprivate / && mount -t overlay overlay -o "lowerdir=$0:/usr/share" /usr/share && exec "$@"' "$over" "$@"
}
if in_installed "$TMP/over-good" test -f /usr/share/chipaudit/accelerators.json 2>"$TMP/nserr"; then
	in_installed "$TMP/over-good" "$CHIPAUDIT" audit --root "$fx/root" --json --no-history >"$TMP/h100-installed.json" 2>"$TMP/err"
	findings_as_expected "h100 fixture with the installed data (no --data-dir): findings as expected" "$TMP/h100-installed.json"
	expect_exit 78 "a broken /usr/share/chipaudit/accelerators.json is read and refused" \
		in_installed "$TMP/over-broken" "$CHIPAUDIT" audit --root "$fx/root" --no-history
	expect_stderr_line '/usr/share/chipaudit/accelerators\.json' "the error names /usr/share/chipaudit/accelerators.json"
	in_installed "$TMP/over-broken" "$CHIPAUDIT" --data-dir '' audit --root "$fx/root" --json --no-history >"$TMP/h100-empty.json" 2>"$TMP/err"
	findings_as_expected "--data-dir '' reads the embedded data over a broken installed copy" "$TMP/h100-empty.json"
	in_installed "$TMP/over-broken" env CHIPAUDIT_DATA_DIR="$share" "$CHIPAUDIT" audit --root "$fx/root" --json --no-history >"$TMP/h100-env.json" 2>"$TMP/err"
	findings_as_expected "CHIPAUDIT_DATA_DIR overrides a broken installed copy" "$TMP/h100-env.json"
else
	count=$((count + 1))
	echo "ok $count # SKIP the installed data directory: no private mount namespace with overlayfs here ($(head -c 200 "$TMP/nserr" | tr '\n' ' '))"
fi

finish
