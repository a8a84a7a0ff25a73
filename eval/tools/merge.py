#!/usr/bin/env python3
"""Merge two annotators' labels and the adjudicator's into train.jsonl.

Usage: merge.py ANNOT_DIR OUT.jsonl PREFIX:POOL.jsonl:KEY.jsonl:BATCHES...
Where A and B agree their labels stand; where they differ the adjudicator's
(ANNOT_DIR/adj-<prefix>.jsonl) do. Dev passages mixed into the batches (the
annotators' check) are left out, and so are the corpus's readability
metadata files, which the sample took in by mistake.
"""
import json, sys

def group(source):
    """Documents that share a questionnaire or a study form one group:
    cross-validation holds out whole groups, and a cue must occur in several
    groups, so that a survey's recurring questions or a study's recurring
    script cannot pass for general evidence."""
    name = source.rsplit("/", 1)[-1]
    if "Maintainer" in name or "maintainer" in name:
        return "cncf-maintainer-surveys"
    if name.startswith("va__") and source.startswith("eval/notes/"):
        study = name[4:].split("-")
        return "va-" + "-".join(study[:2])
    return source

def load(path):
    return {d["id"]: sorted(d["labels"]) for d in map(json.loads, open(path))}

def main():
    annot, out = sys.argv[1], sys.argv[2]
    rows = []
    for spec in sys.argv[3:]:
        prefix, pool, key, *batches = spec.split(":")
        pool = {d["id"]: d for d in map(json.loads, open(pool))}
        key = {d["id"]: d for d in map(json.loads, open(key))}
        adj = load(f"{annot}/adj-{prefix}.jsonl")
        for b in batches:
            A, B = load(f"{annot}/{b}.A.jsonl"), load(f"{annot}/{b}.B.jsonl")
            for bid in A:
                k = key[bid]
                if k["origin"] != "train" or "/_expected/" in pool[k["ref"]]["source"]:
                    continue
                labels = A[bid] if A[bid] == B[bid] else adj[bid]
                r = dict(pool[k["ref"]])
                r["labels"] = labels
                r["group"] = group(r["source"])
                rows.append((r["source"], r["id"], r))
    rows.sort(key=lambda t: (t[0], t[1]))
    with open(out, "w") as f:
        for _, _, r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "passages", file=sys.stderr)

if __name__ == "__main__":
    main()
