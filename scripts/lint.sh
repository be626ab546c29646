#!/bin/sh
# Fail on a banned function (STYLE.md habit 7), then run cppcheck.
set -u
banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)[[:space:]]*\('
hits=$(grep -rnE "$banned" keyd policy client tests/unit 2>/dev/null)
if [ -n "$hits" ]; then
	echo "lint: banned functions:" >&2
	echo "$hits" >&2
	exit 1
fi
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,portability --suppress=missingIncludeSystem \
	-I. keyd policy client || exit 1
echo "lint: ok"
