#!/usr/bin/env bash
# peers.sh: Evident side by side with recoll, the desktop full-text indexer a
# researcher might use instead (whole documents: no passages, speakers or
# tags). Runs alternate, Evident then recoll, so both see the same machine
# load; the script prints medians and the ratio of medians as Markdown rows.
#
#   bench/peers.sh CORPUS_DIR [RUNS]
#
# Needs recollindex and recollq (Debian: recollcmd) and /usr/bin/time.
set -euo pipefail

corpus=$(realpath "${1:?usage: bench/peers.sh CORPUS_DIR [RUNS]}")
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in recollindex recollq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "peers.sh: $tool is not installed" >&2; exit 2; }
done
(cd "$root" && go build -o "$work/evident" ./cmd/evident)
ev="$work/evident"

# measure LABEL CMD...: appends "seconds peak_kb" to $work/LABEL. Exit
# status 1 is a finished run that reports some files failed (a corpus of
# real files has damaged ones); anything else stops the script.
measure() {
	local label=$1 status=0
	shift
	local began ended
	began=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>&1 || status=$?
	ended=$(date +%s%N)
	if [ "$status" -gt 1 ]; then
		echo "peers.sh: $label exited $status: $*" >&2
		exit 1
	fi
	# GNU time's wall clock has 10 ms steps: the time is taken here.
	echo "$(((ended - began) / 1000))e-6 $(tail -1 "$work/time")" >>"$work/$label"
}

recoll_conf() { # DIR TOPDIR
	mkdir -p "$1"
	printf 'topdirs = %s\nloglevel = 1\n' "$2" >"$1/recoll.conf"
}

# median FILE COLUMN
median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

row() { # TITLE EV_LABEL PEER_LABEL PEER_NAME
	local et pt em pm
	et=$(median "$work/$2" 1)
	pt=$(median "$work/$3" 1)
	em=$(median "$work/$2" 2)
	pm=$(median "$work/$3" 2)
	awk -v t="$1" -v et="$et" -v pt="$pt" -v em="$em" -v pm="$pm" -v p="$4" 'BEGIN {
		printf "| %s | %.3f s, %.0f MB | %s %.3f s, %.0f MB | %.2f× time, %.1f× memory |\n", t, et, em/1024, p, pt, pm/1024, et/pt, em/pm }'
}

tiny="$work/tiny"
mkdir -p "$tiny"
printf 'Interviewer: What slows the close?\n\nDana: Approvals wait a week, which is painful.\n' >"$tiny/one.txt"

for i in $(seq "$runs"); do
	rm -rf "$work/ev" "$work/rc" "$work/ev1" "$work/rc1"
	measure ev-ingest "$ev" --data "$work/ev" ingest "$corpus"
	recoll_conf "$work/rc" "$corpus"
	measure rc-ingest recollindex -c "$work/rc" -z
	measure ev-tiny "$ev" --data "$work/ev1" ingest "$tiny"
	recoll_conf "$work/rc1" "$tiny"
	measure rc-tiny recollindex -c "$work/rc1" -z
done
for i in $(seq $((runs * 4))); do
	measure ev-search "$ev" --data "$work/ev" search "pricing is too expensive"
	measure rc-search recollq -c "$work/rc" -q "pricing is too expensive"
done
ev_disk=$(du -sk "$work/ev" | cut -f1)
rc_disk=$(du -sk "$work/rc" | cut -f1)

echo "| work | Evident | peer | ratio (Evident / peer) |"
echo "| --- | --- | --- | --- |"
row "ingest $(find "$corpus" -type f | wc -l) files ($(du -sh "$corpus" | cut -f1))" ev-ingest rc-ingest recollindex
row "ingest one tiny file (fixed cost)" ev-tiny rc-tiny recollindex
row "\`evident search\` with no server" ev-search rc-search recollq
awk -v e="$ev_disk" -v r="$rc_disk" 'BEGIN { printf "| disk after the ingest | %.1f MB | recoll %.1f MB | %.2f× |\n", e/1024, r/1024, e/r }'
echo
echo "Medians of $runs interleaved runs ($((runs * 4)) for search), $(nproc) cores, $(date -u +%Y-%m-%d), commit $(cd "$root" && git rev-parse --short HEAD)."
