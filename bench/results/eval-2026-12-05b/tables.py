#!/usr/bin/env python3
"""Prints the tables of this folder's README from its JSON lines (python3 tables.py)."""
import json, math, os
R = os.path.dirname(os.path.abspath(__file__))
MODELS = ['squeezenet1.1-fp32', 'mobilenetv2-12-int8']

def load(name):
    out, f = {}, os.path.join(R, name)
    if not os.path.exists(f): return out
    for line in open(f):
        if line.strip():
            r = json.loads(line)
            if r.get('insertion') is not None: out[(r['image'], r['method'])] = r
    return out

def ms(xs):
    n = len(xs); m = sum(xs) / n
    return m, (math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1) / n) if n > 1 else float('nan'))

def fmt(xs): m, se = ms(xs); return f"{m:.3f} ± {se:.3f}"
hc = lambda r: r['highestConfidence']['0.25']
met = lambda k: (lambda r: r['metrics'][k])

def table(title, recs, methods, cols):
    photos = sorted(set(k[0] for k in recs))
    print(f"\n### {title}: {len(photos)} photos")
    print("| method | n | " + " | ".join(c[0] for c in cols) + " | passes | s |")
    print("|---|---|" + "---|" * (len(cols) + 2))
    for meth in methods:
        rs = [recs[(p, meth)] for p in photos if (p, meth) in recs]
        if rs:
            print(f"| {meth} | {len(rs)} | " + " | ".join(fmt([g(r) for r in rs]) for _, g in cols)
                  + f" | {sum(r['forwardPasses'] for r in rs) / len(rs):.0f} | {sum(r['ms'] for r in rs) / len(rs) / 1000:.1f} |")

for M in MODELS:  # issue 10
    P, Q = load(f'preset-paper-{M}.jsonl'), load(f'preset-reference-{M}.jsonl')
    keys = sorted(k for k in P if k in Q)
    if not keys: continue
    print(f"\n### presets, {M}: {len(keys)} paired photos")
    print("| metric | paper | reference | paper − reference | paper better / equal |")
    print("|---|---|---|---|---|")
    for name, get, higher in [('insertion', lambda r: r['insertion'], 1), ('deletion', lambda r: r['deletion'], 0), ('μFidelity', lambda r: r['muFidelity'], 1), ('HC ≤ 25 %', hc, 1)]:
        a, b = [get(P[k]) for k in keys], [get(Q[k]) for k in keys]
        d = [x - y for x, y in zip(a, b)]
        better = sum(1 for x in d if (x > 1e-12 if higher else x < -1e-12)); same = sum(1 for x in d if abs(x) <= 1e-12)
        m, se = ms(d)
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {m:+.3f} ± {se:.3f} | {better} / {same} of {len(keys)} |")

for M in MODELS:  # issue 15
    recs = {**load(f'sop-odd-{M}.jsonl'), **load(f'sop-even-{M}.jsonl')}
    if not recs: continue
    table(f"SOP 2-fold, {M}", recs, ['lima', 'rise', 'lime', 'sop'],
          [('insertion ↑', lambda r: r['insertion']), ('deletion ↓', lambda r: r['deletion']), ('HC ≤ 25 % ↑', hc), ('MDRS ↓', met('mdrs')), ('grouped insertion ↑', met('insG')), ('grouped deletion ↓', met('delG'))])
    for fold in ['even', 'odd']:
        f = os.path.join(R, f'sop-train-{fold}-{M}.json')
        if os.path.exists(f):
            j = json.load(open(f)); t, h = j['train'], j['heldOut']
            print(f"trained on the {fold}-indexed photos ({t['n']}): agreement {t['agreement']:.2f} (SOP top-1 {t['sopTop1']:.2f}, backbone {t['backboneTop1']:.2f});"
                  f" on the other {h['n']}: agreement {h['agreement']:.2f} (SOP top-1 {h['sopTop1']:.2f}, backbone {h['backboneTop1']:.2f}); train {j['trainMs'] / 1000:.1f} s, encode {j['encodeMsPerPhoto'] / 1000:.1f} s per photo")

for M in MODELS:  # issue 13: LIMA's lines from the paper-preset run (μFidelity) and the SOP runs (MDRS), same settings
    recs = load(f'i13-{M}.jsonl')
    if not recs: continue
    P, S = load(f'preset-paper-{M}.jsonl'), {**load(f'sop-odd-{M}.jsonl'), **load(f'sop-even-{M}.jsonl')}
    for (img, meth), r in P.items():
        s = S.get((img, meth))
        if meth != 'lima' or s is None: continue
        assert abs(s['insertion'] - r['insertion']) < 1e-12 and abs(s['deletion'] - r['deletion']) < 1e-12, img
        recs[(img, 'lima')] = {**r, 'metrics': {**r.get('metrics', {}), 'mdrs': s['metrics']['mdrs']}}
    table(f"SEA-NN, {M}", recs, ['lima', 'rise', 'lime', 'seann'],
          [('insertion ↑', lambda r: r['insertion']), ('deletion ↓', lambda r: r['deletion']), ('μFidelity ↑', lambda r: r['muFidelity']), ('MDRS ↓', met('mdrs')), ('HC ≤ 25 % ↑', hc)])

for M in MODELS:  # issue 14
    recs = load(f'i14-{M}.jsonl')
    if recs:
        table(f"SALVAGE, {M}", recs, ['lima', 'rise', 'kernelshap', 'salvage'],
              [('insertion ↑', lambda r: r['insertion']), ('deletion ↓', lambda r: r['deletion']), ('SRG ↑', met('srg')), ('R-SRG ↑', met('rsrg')), ('R-MIF ↑', met('rmif')), ('R-LIF ↓', met('rlif'))])
