#!/usr/bin/env bash
# Runs every suite (protocol drift check, type check, tap, the add-on's unittest) and closes with
# one line "N passed, N failed" over all of them. Exit status is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
status=0
log=$(mktemp -d)

step() { # name, then the command
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; echo "!! $name failed" | tee -a "$log/failures.txt"; fi
}

if [ -f protocol/scripts/generate.ts ]; then
  step "protocol schema and generated files are current" node --import tsx protocol/scripts/generate.ts --check
fi
step "typescript type check" npx tsc --noEmit -p .

echo "== tap"
# Coverage: V8 writes one file per Node process (tests, the CLIs and daemons they spawn, workers) and c8 maps it
# back to the TypeScript through tsx's inline source maps. tap's own coverage stays off (.taprc): with tsx its
# report shows every loaded file as 100 %. The folder is writable by all because some tests drop to 'nobody'.
cov=$(mktemp -d)
chmod 1777 "$cov"
NODE_V8_COVERAGE=$cov npx tap 2>&1 | tee "$log/tap.txt"
tap_rc=${PIPESTATUS[0]}
summary=$(grep -E '^# \{ total: ' "$log/tap.txt" | tail -1)
t_total=$(sed -nE 's/.*total: ([0-9]+).*/\1/p' <<<"$summary")
t_pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
t_fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
t_total=${t_total:-0}; t_pass=${t_pass:-0}; t_fail=${t_fail:-0}
passed=$((passed + t_pass)); failed=$((failed + t_fail))
if [ "$tap_rc" -ne 0 ] || [ "$t_total" -eq 0 ]; then status=1; [ "$t_fail" -eq 0 ] && failed=$((failed + 1)); fi
# tap keeps each file's raw TAP; name the failing tests so the end of a long CI log says which they were.
if [ -d .tap/test-results ]; then
  grep -rE '^ *not ok ' .tap/test-results | sed -E 's#^\.tap/test-results/##; s#\.tap:# :#' | head -40 >>"$log/failures.txt" || true
fi

# The floor is "lines" in .c8rc.json (server/ and protocol/, files no test loads counted as 0 %).
step "line coverage of server/ and protocol/ at or above the floor in .c8rc.json" \
  npx c8 report --temp-directory "$cov" --reports-dir "$log/coverage-report"
rm -rf "$cov"

echo "== python unittest (add-on)"
python3 -m unittest discover -s test/addon -t . -v 2>&1 | tee "$log/py.txt"
py_rc=${PIPESTATUS[0]}
p_total=$(sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p' "$log/py.txt" | tail -1)
p_bad=$(grep -E '^FAILED \(' "$log/py.txt" | grep -oE '(failures|errors)=[0-9]+' | cut -d= -f2 | paste -sd+ - | bc 2>/dev/null)
p_total=${p_total:-0}; p_bad=${p_bad:-0}
passed=$((passed + p_total - p_bad)); failed=$((failed + p_bad))
if [ "$py_rc" -ne 0 ]; then status=1; [ "$p_bad" -eq 0 ] && failed=$((failed + 1)); fi

grep -E '^(FAIL|ERROR): ' "$log/py.txt" >>"$log/failures.txt" || true

if [ -s "$log/failures.txt" ]; then echo; echo "failures:"; cat "$log/failures.txt"; fi
rm -rf "$log"
echo
echo "$passed passed, $failed failed"
exit $status
