#!/usr/bin/env bash
# docs/chipaudit.1: formats without a groff warning, has the sections a
# manual page needs, and documents every command, every option the option
# tables give (as --help lists them) and every environment variable the
# code reads.
. "$(dirname "$0")/lib.sh"
MAN="$SRCDIR/docs/chipaudit.1"

if command -v groff >/dev/null; then
	if groff -ww -man -Tutf8 "$MAN" >"$TMP/man.txt" 2>"$TMP/err" && [ ! -s "$TMP/err" ]; then
		pass "groff -ww -man: no warning"
	else
		fail "groff -ww -man: no warning" "$(head -c 800 "$TMP/err")"
	fi
else
	pass "groff -ww -man # SKIP groff is not installed (scripts/install-deps installs groff-base)"
fi

for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
	grep -q "^\.SH \"\?$section\"\?$" "$MAN" && pass "section $section" || fail "section $section"
done

# roff spells a dash \-
roff() { sed 's/-/\\-/g' <<<"$1"; }

for cmd in audit facts judge report snapshot checks classify measure keygen history diff verify push; do
	grep -q "^\.B $cmd\b" "$MAN" && pass "command $cmd documented" || fail "command $cmd documented"
	missing=""
	for opt in $("$CHIPAUDIT" "$cmd" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | sed -E 's/^ +(-[a-zA-Z], )?//'); do
		grep -qF -- "$(roff "$opt")" "$MAN" || missing="$missing $opt"
	done
	[ -z "$missing" ] && pass "$cmd: every option of its help documented" || fail "$cmd: every option of its help documented" "missing:$missing"
done

# The variables the code reads: getenv and secure_getenv of a literal name,
# NVML's library_env, the state directory's STATE_ENV. src/collector/ is
# chipaudit-collector's, not this page's.
vars=$(grep -rhoE --exclude-dir=collector '(getenv\("|library_env = "|define STATE_ENV ")[A-Z_]+' "$SRCDIR/src" | grep -oE '[A-Z_]+$' | sort -u)
[ -n "$vars" ] && pass "the code's environment variables found ($(echo $vars | wc -w))" || fail "the code's environment variables found"
environment=$(sed -n '/^\.SH ENVIRONMENT$/,/^\.SH /p' "$MAN")
for v in $vars; do
	grep -qF -- "$v" <<<"$environment" && pass "ENVIRONMENT: $v" || fail "ENVIRONMENT: $v"
done

# FILES names the state directory and what it holds.
files=$(sed -n '/^\.SH FILES$/,/^\.SH /p' "$MAN")
for f in /var/lib/chipaudit/ host.key.pem host.pub.pem history.db .sig "$(roff --data-dir)"; do
	grep -qF -- "$f" <<<"$files" && pass "FILES: $f" || fail "FILES: $f"
done

finish
