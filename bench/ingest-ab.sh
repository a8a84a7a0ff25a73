#!/usr/bin/env bash
# ingest-ab.sh: two builds of evident and recollindex ingesting the same
# folder, in turn (base, new, recoll; RUNS times), each into a fresh data
# folder, so that all three see the same machine load. Prints the median
# wall time and CPU time (user + system) of each, and the medians of the
# per-round ratios, which are what to read on a shared machine.
#
#   bench/ingest-ab.sh BASE_EVIDENT NEW_EVIDENT CORPUS_DIR [RUNS]
#
# Build the base with e.g. `git archive BASE | tar -x -C /tmp/base &&
# (cd /tmp/base && go build -o evident ./cmd/evident)`. Needs recollindex
# (Debian: recollcmd), GNU time and python3.
set -euo pipefail

base=$(realpath "${1:?usage: bench/ingest-ab.sh BASE_EVIDENT NEW_EVIDENT CORPUS_DIR [RUNS]}")
new=$(realpath "${2:?new evident}")
corpus=$(realpath "${3:?corpus dir}")
runs=${4:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for i in $(seq "$runs"); do
	for who in base new recoll; do
		rm -rf "$work/d" && mkdir -p "$work/d"
		began=$(date +%s%N)
		case $who in
		recoll)
			printf 'topdirs = %s\nloglevel = 1\n' "$corpus" >"$work/d/recoll.conf"
			/usr/bin/time -f "%U %S" -o "$work/t" recollindex -c "$work/d" -z >/dev/null 2>&1 || true
			;;
		*)
			# Exit status 1 is a finished run with some files failed.
			/usr/bin/time -f "%U %S" -o "$work/t" "${!who}" --data "$work/d" ingest "$corpus" >/dev/null 2>&1 || true
			;;
		esac
		ended=$(date +%s%N)
		echo "$who $(((ended - began) / 1000000)) $(tail -1 "$work/t")" >>"$work/runs"
	done
done
python3 - "$work/runs" <<'PY'
import statistics as st, sys
d = {}
for l in open(sys.argv[1]):
    who, ms, u, s = l.split()
    d.setdefault(who, []).append((int(ms) / 1000, float(u) + float(s)))
for who, v in d.items():
    print(f"{who}: wall {st.median(x[0] for x in v):.2f} s, cpu {st.median(x[1] for x in v):.2f} s (medians of {len(v)})")
def ratio(a, b, k):
    return st.median(x[k] / y[k] for x, y in zip(d[a], d[b]))
for k, what in ((0, "wall"), (1, "cpu")):
    print(f"{what}: base/new {ratio('base', 'new', k):.2f}, base/recoll {ratio('base', 'recoll', k):.2f}, new/recoll {ratio('new', 'recoll', k):.2f}")
PY
