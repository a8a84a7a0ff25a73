#!/usr/bin/env bash
# bench/startup.sh BASE_BIN NEW_BIN BASE_DATA NEW_DATA [PAIRS]
#
# Times a one-shot `evident ingest` of one tiny new file, alternating a
# base binary on its copy of a data folder and a new binary on its own
# copy (each binary writes its own folder, so that neither's writes spoil
# the other's clean-close record), PAIRS times (default 7), and prints
# each run's wall seconds, then the medians and their ratio new/base.
# Both copies must have been opened once by their binary beforehand (an
# old index mapping is rebuilt on the first open).
set -euo pipefail
base=${1:?usage: bench/startup.sh BASE_BIN NEW_BIN BASE_DATA NEW_DATA [PAIRS]}
new=${2:?} bdata=${3:?} ndata=${4:?} pairs=${5:-7}
tiny=$(mktemp -d)
trap 'rm -rf "$tiny"' EXIT
run() { # run BIN DATA FILE: prints wall seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$1" --data "$2" ingest "$3" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: >"$tiny/base" && : >"$tiny/new"
for i in $(seq "$pairs"); do
	f=$tiny/note-$RANDOM-$i.txt
	echo "A short note $i about the wombat pricing page, written at $(date +%s.%N)." >"$f"
	b=$(run "$base" "$bdata" "$f")
	n=$(run "$new" "$ndata" "$f")
	printf 'pair %d\tbase %.3f s\tnew %.3f s\n' "$i" "$b" "$n"
	echo "$b" >>"$tiny/base"
	echo "$n" >>"$tiny/new"
done
mb=$(median <"$tiny/base")
mn=$(median <"$tiny/new")
printf 'median\tbase %.3f s\tnew %.3f s\tnew/base %.2f\n' "$mb" "$mn" "$(echo "$mn / $mb" | bc -l)"
