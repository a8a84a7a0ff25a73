#!/usr/bin/env python3
"""Split a passage pool into annotation batches, each with dev passages mixed in.

Usage: batches.py POOL.jsonl DEV.jsonl OUTDIR PREFIX N_BATCHES DEV_PER_BATCH DEV_OFFSET
Annotators see only id, text, kind, speaker, interviewer and question; ids are
opaque so nobody can tell a dev passage (the annotators' check against dev's
labels) from a training one. OUTDIR/PREFIX-key.jsonl maps the ids back.
"""
import json, random, sys

pool_path, dev_path, outdir, prefix = sys.argv[1:5]
n, per, off = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
pool = [json.loads(l) for l in open(pool_path)]
dev = [json.loads(l) for l in open(dev_path)]
rng = random.Random(7)
rng.shuffle(pool)
devpick = dev[off:off + n * per]
key = open(f"{outdir}/{prefix}-key.jsonl", "w")
seq = 0
for b in range(n):
    items = [("train", r) for r in pool[b::n]] + [("dev", r) for r in devpick[b * per:(b + 1) * per]]
    rng.shuffle(items)
    with open(f"{outdir}/{prefix}{b + 1}.jsonl", "w") as f:
        for origin, r in items:
            seq += 1
            bid = f"{prefix}{b + 1}-{seq:04d}"
            shown = {"id": bid, "text": r["text"], "kind": r["kind"], "speaker": r.get("speaker", ""),
                     "interviewer": r.get("interviewer", False)}
            if r.get("question"):
                shown["question"] = r["question"]
            f.write(json.dumps(shown, ensure_ascii=False) + "\n")
            key.write(json.dumps({"id": bid, "origin": origin, "ref": r["id"]}) + "\n")
