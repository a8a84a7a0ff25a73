#!/usr/bin/env python3
"""Agreement between annotators, and of each with dev's labels.

Usage: agree.py KEY.jsonl DEV.jsonl BATCH_OUT_DIR [batches...]
Reads OUT/<batch>.A.jsonl and OUT/<batch>.B.jsonl. Agreement is macro-F1 of
one annotator scored against the other (symmetric for F1), per category.
"""
import json, sys, collections

CATS = ["SEE", "HEAR", "SAY", "DO", "PAINS", "GAINS"]

def load(path):
    return {d["id"]: set(d["labels"]) for d in map(json.loads, open(path))}

def f1s(gold, pred, ids):
    out = {}
    for c in CATS:
        tp = sum(1 for i in ids if c in gold[i] and c in pred[i])
        fp = sum(1 for i in ids if c not in gold[i] and c in pred[i])
        fn = sum(1 for i in ids if c in gold[i] and c not in pred[i])
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    out["macro"] = sum(out[c] for c in CATS) / len(CATS)
    out["exact"] = sum(1 for i in ids if gold[i] == pred[i]) / max(1, len(ids))
    return out

def row(name, s, n):
    return f"| {name} | {n} | " + " | ".join(f"{s[c]:.2f}" for c in CATS) + f" | **{s['macro']:.3f}** | {s['exact']:.2f} |"

def main():
    key = {d["id"]: d for d in map(json.loads, open(sys.argv[1]))}
    dev = {d["id"]: set(d["labels"]) for d in map(json.loads, open(sys.argv[2]))}
    out, batches = sys.argv[3], sys.argv[4:]
    A, B = {}, {}
    for b in batches:
        A.update(load(f"{out}/{b}.A.jsonl"))
        B.update(load(f"{out}/{b}.B.jsonl"))
    ids = [i for i in A if i in B]
    train = [i for i in ids if key[i]["origin"] == "train"]
    devids = [i for i in ids if key[i]["origin"] == "dev"]
    devgold = {i: dev[key[i]["ref"]] for i in devids}
    print("| pair | passages | " + " | ".join(CATS) + " | macro-F1 | exact |")
    print("|---|---|" + "---|" * (len(CATS) + 2))
    print(row("A vs B, training passages", f1s(A, B, train), len(train)))
    print(row("A vs B, dev passages", f1s(A, B, devids), len(devids)))
    print(row("A vs dev labels", f1s(devgold, A, devids), len(devids)))
    print(row("B vs dev labels", f1s(devgold, B, devids), len(devids)))

if __name__ == "__main__":
    main()
