#!/bin/sh
# Run every integration test file against the binaries in $1 (the build
# directory); print one closing tally line.
BUILD=${1:-build}
export BUILD
pass=0; fail=0; files=0
for t in tests/integration/t_*.sh; do
	files=$((files + 1))
	out=$(bash "$t" 2>&1); rc=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then fail=$((fail + 1)); echo "$t exited $rc"; fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
