#!/usr/bin/env bash
# Checks one configuration of a Promela model with Spin: generates the verifier (spin -a),
# compiles it, runs it and judges the report. Used by test/model/CMakeLists.txt.
#
#   run_spin.sh [options] MODEL.pml WORKDIR [-DNAME[=VALUE] ...]
#     --liveness          verify the model's LTL claim: pan -a -f (acceptance cycles under
#                         weak fairness) instead of a safety run (-DSAFETY: assertions and
#                         invalid end states)
#     --pan FLAG          an extra flag for pan (repeatable), e.g. -A to ignore assertions
#     --expect-error RE   the configuration is broken on purpose: pass only if Spin reports
#                         an error and the report matches the extended regex RE; without
#                         it, pass only on "errors: 0" over the full state space
#   The -D arguments go to spin's preprocessor (the model's configuration switches).
#   CC: the C compiler for preprocessing and for pan (default cc).
set -euo pipefail

liveness=0
expect=""
pan_flags=()
while [ $# -gt 0 ]; do
    case "$1" in
    --liveness) liveness=1; shift ;;
    --pan) pan_flags+=("$2"); shift 2 ;;
    --expect-error) expect="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "run_spin.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { echo "usage: run_spin.sh [options] MODEL.pml WORKDIR [-D...]" >&2; exit 2; }
model=$1
work=$2
shift 2
defines=("$@")
cc=${CC:-cc}
spin=${SPIN:-spin}

# Spin writes pan.* and the trail beside the model it reads: work on a copy.
rm -rf "$work"
mkdir -p "$work"
cp "$model" "$work/"
name=$(basename "$model")
cd "$work"

say() { echo "run_spin.sh: $*"; }
# The counterexample pan saved, step by step.
replay() { "$spin" -P"$cc -E -x c" -t -p "${defines[@]}" "$name" 2>&1; }
say "$name ${defines[*]:-} ($([ $liveness = 1 ] && echo "liveness: pan -a -f" || echo "safety"))"

"$spin" -P"$cc -E -x c" -a "${defines[@]}" "$name" >spin.log 2>&1 || {
    cat spin.log
    say "FAIL: spin -a could not generate the verifier"
    exit 1
}
# -O0: pan.c takes seconds to optimise and these searches take about one.
cflags=(-O0 -w)
run=(./pan -m100000 -w22)
if [ $liveness = 1 ]; then
    run+=(-a -f)
else
    cflags+=(-DSAFETY)
fi
"$cc" "${cflags[@]}" -o pan pan.c >cc.log 2>&1 || {
    cat cc.log
    say "FAIL: compiling pan.c"
    exit 1
}
start=$(date +%s.%N)
set +e
"${run[@]}" "${pan_flags[@]}" >pan.log 2>&1
rc=$?
set -e
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')

# The figures worth keeping in the test log.
grep -E "errors: |states, stored|transitions \(|^pan:[0-9]+: |depth too small" pan.log || true
say "pan exit $rc, ${secs}s"

errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.log | head -1)
if [ -z "$errors" ]; then
    cat pan.log
    say "FAIL: no 'errors:' line in pan's report"
    exit 1
fi

if [ -n "$expect" ]; then
    if [ "$errors" -gt 0 ] && grep -Eq "$expect" pan.log; then
        # Show the counterexample's last steps: what the broken variant gets wrong.
        replay | grep -E '^ *[0-9]+:' | grep -vE 'end state|\[s[vx] = 0\]' | tail -n 20 || true
        say "PASS: the broken variant is caught ($errors error(s), report matches /$expect/)"
        exit 0
    fi
    cat pan.log
    if [ "$errors" -eq 0 ]; then
        say "FAIL: expected an error matching /$expect/, Spin found none (a vacuous check)"
    else
        say "FAIL: Spin found an error, but not one matching /$expect/"
    fi
    exit 1
fi

if [ "$errors" -ne 0 ]; then
    cat pan.log
    say "counterexample (spin -t -p):"
    replay | tail -n 150 || true
    say "FAIL: Spin found $errors error(s)"
    exit 1
fi
if grep -q "depth too small" pan.log || ! grep -q "Full statespace search" pan.log; then
    cat pan.log
    say "FAIL: the search was not exhaustive (raise -m in run_spin.sh)"
    exit 1
fi
say "PASS: errors: 0 over the full state space"
