#!/usr/bin/env python3
"""Draw the training passages from documents ingested into an Evident data folder.

Usage: [ONLY=notes] sample.py DATA_DIR SHARED_DIR OUT.jsonl
Passages are read with `evident show --json`, filtered to the length range of
the dev set (60-1000 characters), passages whose text is in dev.jsonl are left
out, and a fixed-seed random sample is taken per source so every kind of
material is represented.
"""
import json, os, random, subprocess, sys

EVIDENT = os.environ.get("EVIDENT", "bin/evident")

# per-file sample sizes by (top folder, kind folder)
QUOTA = {
    ("train-corpus", "transcripts"): 45,
    ("train-corpus", "surveys"): 125,
    ("train-corpus", "interviews"): 50,
    ("corpus", "surveys"): 80,
    ("corpus", "interviews"): 60,
    ("corpus", "articles"): 11,
    ("notes", "interviews"): 25,
}

def main():
    data, shared, out = sys.argv[1], sys.argv[2], sys.argv[3]
    dev = {json.loads(l)["text"].strip() for l in open(os.path.join(shared, "eval", "dev.jsonl"))}
    status = json.loads(subprocess.check_output([EVIDENT, "status", "--json", "--data", data]))
    docs = status["documents"] if isinstance(status, dict) else status
    rng = random.Random(20261204)
    rows = []
    for doc in sorted(docs, key=lambda d: d["path"]):
        path = doc["path"]
        parts = path.split(os.sep)
        if "train-corpus" in parts:
            top = "train-corpus"
        elif "corpus" in parts:
            top = "corpus"
        elif "notes" in parts:
            top = "notes"
        else:
            continue
        kind = "interviews" if top == "notes" else parts[parts.index(top) + 1]
        if os.environ.get("ONLY") and top != os.environ["ONLY"]:
            continue
        if os.path.basename(path) == "SOURCES.md":
            continue
        quota = QUOTA.get((top, kind))
        if not quota or doc.get("state") != "indexed":
            continue
        shown = json.loads(subprocess.check_output([EVIDENT, "show", "--json", "--data", data, doc["sha256"][:12]]))
        cands = [p for p in shown["passages"] if 60 <= len(p["text"]) <= 1000 and p["text"].strip() not in dev]
        rng.shuffle(cands)
        if top == "notes":
            src = "eval/notes/" + os.path.basename(path)
        else:
            src = top + "/" + path.split(top + os.sep, 1)[1]
        for p in cands[:quota]:
            r = {"id": p["id"], "text": p["text"], "kind": kind,
                 "speaker": p.get("speaker", ""), "interviewer": bool(p.get("interviewer", False))}
            if kind == "surveys" and p.get("context"):
                r["question"] = p["context"]
            r["source"] = src
            rows.append(r)
    with open(out, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "passages", file=sys.stderr)

if __name__ == "__main__":
    main()
