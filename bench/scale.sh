#!/usr/bin/env bash
# bench/scale.sh OUT [CHUNKS] [PASSAGES_PER_CHUNK]
#
# Grows one Evident data folder to CHUNKS × PASSAGES_PER_CHUNK passages
# (default 10 × 100,000 = 1M) through the real pipeline: each chunk of the
# generated corpus (bench/scale, internal/synth: transcripts, notes and
# surveys with a long tail of rare words) is written to disk, and
# `evident ingest` sends it to a running `evident serve` (embedded NATS,
# 2 workers, the indexer), which is started afresh for every chunk. Per
# chunk it records in OUT/scale.tsv: passages in the store, ingest wall
# time and passages/s, serve's peak RSS while ingesting and its RSS after,
# disk (total, database, index, NATS); at the chunks in SEARCH_AT (default
# "1 6 10") /api/search p50/p99 sequential and 8 at a time, then raw Bleve
# on the same queries (serve stopped). PROFILE_AT=5 writes a CPU profile of
# serve while it ingests chunk 5 (OUT/serve-5.pprof). SNAPSHOT_AT (default
# "1 6") copies the data folder after those chunks to OUT/data-I, to compare
# search code later at the same sizes.
#
# 1M passages took 7.4 minutes on a quiet 2-core machine (37 under load
# 5-15 before round 2's speed-ups) and 2.2 GB of disk (1.25 GB the data
# folder, the rest the two copies); the log is OUT/scale.log. Interrupted, it goes on from the chunk after OUT/last.
set -euo pipefail

out=${1:?usage: bench/scale.sh OUT [CHUNKS] [PASSAGES_PER_CHUNK]}
chunks=${2:-10}
per=${3:-100000}
search_at=" ${SEARCH_AT:-1 6 10} "
profile_at=${PROFILE_AT:-5}
port=${PORT:-7499}
repo=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data
(cd "$repo" && go build -o "$out/evident" ./cmd/evident && go build -o "$out/scale" ./bench/scale)
ev=$out/evident
tsv=$out/scale.tsv
log=$out/scale.log
[[ -f $tsv ]] || printf 'chunk\tpassages\tadded\tingest_s\tpassages_per_s\trss_peak_mb\trss_after_mb\tdisk_mb\tdb_mb\tindex_mb\tnats_mb\tapi_p50\tapi_p99\tapi8_p50\tapi8_p99\traw_p50\traw_p99\traw8_p50\traw8_p99\n' > "$tsv"

mb() { du -sm "$1" 2>/dev/null | cut -f1 || echo 0; }
kb() { awk -v k="$1" '$1 == k":" {print int($2/1024)}' "/proc/$2/status"; }
field() { sed -n "s/.*$1 \([0-9.]*\) ms.*/\1/p" <<<"$2"; }

passages() {
	curl -sf "http://127.0.0.1:$port/api/status" | jq '[.documents[].passages] | add // 0'
}

serve() { # serve [extra flags...]: starts serve, waits until it answers
	"$ev" --data "$data" "$@" serve --http "127.0.0.1:$port" --inbox "$out/inbox" >>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && return
		sleep 0.5
	done
	echo "serve did not start" >&2
	exit 1
}

stop() {
	kill -INT "$pid"
	wait "$pid" || true
}

start_chunk=1
if [[ -f $out/last ]]; then start_chunk=$(( $(cat "$out/last") + 1 )); fi
for ((i = start_chunk; i <= chunks; i++)); do
	rm -rf "$out/chunk"
	"$out/scale" gen -chunk "$i" -passages "$per" -out "$out/chunk" | tee -a "$log"
	prof=()
	[[ $i == "$profile_at" ]] && prof=(--cpuprofile "$out/serve-$i.pprof")
	serve "${prof[@]}"
	before=$(passages)
	t0=$(date +%s.%N)
	"$ev" --data "$data" ingest "$out/chunk" >>"$log" 2>&1
	t1=$(date +%s.%N)
	now=$(passages)
	peak=$(kb VmHWM "$pid")
	after=$(kb VmRSS "$pid")
	secs=$(echo "$t1 - $t0" | bc -l)
	rate=$(echo "($now - $before) / $secs" | bc -l)
	api=("" "" "" "")
	rawf=("" "" "" "")
	if [[ $search_at == *" $i "* ]]; then
		s1=$("$out/scale" query -url "http://127.0.0.1:$port" -n 300 -c 1 | tee -a "$log")
		s8=$("$out/scale" query -url "http://127.0.0.1:$port" -n 400 -c 8 | tee -a "$log")
		api=("$(field p50 "$s1")" "$(field p99 "$s1")" "$(field p50 "$s8")" "$(field p99 "$s8")")
		after=$(kb VmRSS "$pid")
		peak=$(kb VmHWM "$pid")
	fi
	stop
	if [[ $search_at == *" $i "* ]]; then
		bl="$data/index/$(cat "$data/index/current")/bleve"
		r1=$("$out/scale" raw -index "$bl" -n 300 -c 1 | tee -a "$log")
		r8=$("$out/scale" raw -index "$bl" -n 400 -c 8 | tee -a "$log")
		rawf=("$(field p50 "$r1")" "$(field p99 "$r1")" "$(field p50 "$r8")" "$(field p99 "$r8")")
	fi
	if [[ " ${SNAPSHOT_AT:-1 6} " == *" $i "* ]]; then
		rm -rf "$out/data-$i" && cp -a "$data" "$out/data-$i"
	fi
	printf '%s\t%s\t%s\t%.1f\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$i" "$now" "$((now - before))" "$secs" "$rate" "$peak" "$after" \
		"$(mb "$data")" "$(mb "$data/evident.db")" "$(mb "$data/index")" "$(mb "$data/jetstream")" \
		"${api[@]}" "${rawf[@]}" | tee -a "$tsv"
	echo "$i" > "$out/last"
done
rm -rf "$out/chunk"
column -t "$tsv"
