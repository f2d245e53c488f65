#!/usr/bin/env bash
# The bash and zsh completion scripts the build generates from the option
# tables ($1: bash, $2: zsh): bash's completion function called as bash
# calls it, on commands, options, option values and file names; zsh's
# script parsed by zsh.
. "$(dirname "$0")/lib.sh"
BASH_SCRIPT=${1:?the generated bash completion} ZSH_SCRIPT=${2:?the generated zsh completion}

if cmp -s "$BASH_SCRIPT" <("$CHIPAUDIT" completion bash); then pass "the built bash script is the binary's"; else fail "the built bash script is the binary's"; fi
if cmp -s "$ZSH_SCRIPT" <("$CHIPAUDIT" completion zsh); then pass "the built zsh script is the binary's"; else fail "the built zsh script is the binary's"; fi
if bash -n "$BASH_SCRIPT" 2>"$TMP/err"; then pass "bash -n"; else fail "bash -n" "$(cat "$TMP/err")"; fi

# complete WORD...: COMPREPLY, sorted, one line, for the command line whose
# last word is the one being completed.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _chipaudit; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$BASH_SCRIPT" "$@"
}
expect_completion() { # NAME EXPECTED WORD...
	local name=$1 want=$2 got
	shift 2
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "COMPREPLY: '$got'" "expected: '$want'"; fi
}

expect_completion "chipaudit au<TAB>: audit" "audit " chipaudit au
expect_completion "chipaudit audit --ro<TAB>: --root" "--root " chipaudit audit --ro
expect_completion "chipaudit verify --pub<TAB>: --pubkey" "--pubkey " chipaudit verify --pub
expect_completion "chipaudit c<TAB>: the commands, not the hidden one" "checks classify " chipaudit c
expect_completion "after a global option and its value" "classify " chipaudit --data-dir /tmp cla
expect_completion "global options" "--data-dir " chipaudit --da
expect_completion "options after an operand" "--sig --state --statements-only " chipaudit verify r.json --s
expect_completion "judge --exit-style <TAB>: its values" "default nagios " chipaudit judge --exit-style ""
expect_completion "audit --measure<TAB>: the optional value's '='" "--measure= " chipaudit audit --meas
mkdir -p "$TMP/dir-a" && : >"$TMP/dir-file"
expect_completion "audit --root <TAB>: directories only" "$TMP/dir-a " chipaudit audit --root "$TMP/dir"
expect_completion "audit -r <TAB>: the short form too" "$TMP/dir-a " chipaudit audit -r "$TMP/dir"
expect_completion "judge <TAB>: files" "$TMP/dir-a $TMP/dir-file " chipaudit judge "$TMP/dir"
expect_completion "audit takes no file operand" "" chipaudit audit "$TMP/dir"
expect_completion "completion <TAB>: the shells" "bash zsh " chipaudit completion ""

# Every long option in each command's --help (the same rows) is offered.
for cmd in audit facts judge snapshot checks classify measure keygen history diff verify push; do
	want=$("$CHIPAUDIT" "$cmd" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+(\[=)?' | sed -E 's/^ +(-[a-zA-Z], )?//; s/\[=$/=/' | sort | tr '\n' ' ')
	expect_completion "$cmd: every option of its help is completed" "$want" chipaudit "$cmd" --
done

# zsh: the script parses, and names the options from the same rows.
if command -v zsh >/dev/null; then
	if zsh -n "$ZSH_SCRIPT" 2>"$TMP/err"; then pass "zsh -n"; else fail "zsh -n" "$(cat "$TMP/err")"; fi
else
	pass "zsh -n # SKIP zsh is not installed (scripts/install-deps installs it)"
fi
grep -q "^#compdef chipaudit$" "$ZSH_SCRIPT" && pass "zsh: #compdef line" || fail "zsh: #compdef line"
grep -q "'--pubkey=\[the host'\\\\''s public key" "$ZSH_SCRIPT" && pass "zsh: verify's --pubkey with its help" || fail "zsh: verify's --pubkey with its help" "$(grep -- --pubkey "$ZSH_SCRIPT")"
grep -q -- "'--measure=-\[.*\]::MODE:(quick standard thorough)'" "$ZSH_SCRIPT" && pass "zsh: --measure's optional value and its choices" || fail "zsh: --measure's optional value and its choices" "$(grep -- --measure "$ZSH_SCRIPT" | head -2)"

finish
