#!/usr/bin/env bash
# --format html in a real browser: Debian's chromium, headless and offline,
# driven by chromedriver through python3-selenium (tests/cli/html_check.py).
# Skips (exit 77) only when those are not installed.
# HTML_SCREENSHOTS=DIR also saves the pages as PNG there (docs/screenshots/).
set -u
: "${CHIPAUDIT:?}" "${SRCDIR:?}" "${SYS_PYTHON:?}"
for bin in chromium chromedriver; do
	if ! command -v "$bin" >/dev/null; then
		echo "SKIP: $bin is not installed (scripts/install-deps installs chromium and chromium-driver)"
		exit 77
	fi
done
if ! "$SYS_PYTHON" -c 'import selenium' 2>/dev/null; then
	echo "SKIP: selenium is not importable by $SYS_PYTHON (scripts/install-deps installs python3-selenium)"
	exit 77
fi
"$SRCDIR/tests/fixtures/empty-dirs.sh" restore || { echo "Bail out! cannot restore the fixture trees' empty directories"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export CHIPAUDIT_STATE="$TMP/state"
"$SYS_PYTHON" "$SRCDIR/tests/cli/html_check.py" "$TMP" ${HTML_SCREENSHOTS:+--screenshots "$HTML_SCREENSHOTS"}
