#!/usr/bin/env python3
"""The readable coverage listing of a daemon's live-update code (scripts/real-coverage.sh runs it).

  report.py oxenstored POINTS HITS SOURCE_DIR OUT
      POINTS: the probes of the coverage build (scripts/real/coverage/xscov_ppx.ml), HITS: the ids the
      daemons wrote ($XSCOV_FILE), SOURCE_DIR: the .ml files the build compiled.
  report.py xenstored REPORT OUT REGEX
      REPORT: `llvm-cov report -show-functions` of the C daemon's files; the functions whose name
      matches REGEX are the live-update code (the annotated lines come from `llvm-cov show`).

Writes OUT (the table of functions and the totals; oxenstored: then every line of each function,
marked) and prints the one-line total: "NAME: R of T UNITS (P %) in F of G functions entered".
"""
import re
import sys
from collections import defaultdict


def pct(a, b):
    return f"{100.0 * a / b:.1f}" if b else "-"


def oxenstored(points_file, hits_file, source_dir, out_file):
    functions = []  # (owner, file, first, last)
    probes = {}  # id -> (kind, owner)
    for line in open(points_file, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "F":
            functions.append((f[1], f[2], int(f[3]), int(f[4])))
        elif f[0] == "P":
            probes[f[1]] = (f[2], f[3])
    hits = set(l.strip() for l in open(hits_file, encoding="utf-8")) if hits_file else set()
    unknown = hits - probes.keys()
    if unknown:
        sys.exit(f"report.py: {len(unknown)} hit ids are not probes of this build (e.g. {sorted(unknown)[0]}): a stale coverage file?")
    per_owner = defaultdict(lambda: [0, 0])
    per_line = defaultdict(lambda: [0, 0])  # (file, line) -> [reached, total]
    for pid, (_, owner) in probes.items():
        file, line, _ = pid.rsplit(":", 2)
        reached = pid in hits
        per_owner[owner][1] += 1
        per_owner[owner][0] += reached
        per_line[(file, int(line))][1] += 1
        per_line[(file, int(line))][0] += reached
    total = len(probes)
    reached = len(hits)
    entered = sum(1 for o, (r, _) in per_owner.items() if r > 0)
    summary = (f"oxenstored: {reached} of {total} probes ({pct(reached, total)} %) in {entered} of "
               f"{len(per_owner)} functions entered")
    with open(out_file, "w", encoding="utf-8") as out:
        out.write(summary + "\n\n")
        out.write("A probe is a point of control flow (function body, match case, if branch, loop body, the\n"
                  "expression after ';' or 'let ... in'); a line's mark is reached/probes on that line.\n\n")
        out.write(f"{'function':40} {'probes':>7} {'reached':>8} {'%':>6}\n")
        # Bindings without a probe (values such as a constant string) are left out.
        functions = [f for f in functions if f[0] in per_owner]
        for owner, _, _, _ in functions:
            r, t = per_owner[owner]
            out.write(f"{owner:40} {t:7} {r:8} {pct(r, t):>6}\n")
        out.write(f"{'TOTAL':40} {total:7} {reached:8} {pct(reached, total):>6}\n")
        sources = {}
        for owner, file, first, last in functions:
            if file not in sources:
                sources[file] = open(f"{source_dir}/{file}", encoding="utf-8", errors="replace").read().split("\n")
            r, t = per_owner.get(owner, (0, 0))
            out.write(f"\n== {owner} ({file}:{first}-{last}): {r} of {t} probes\n")
            for n in range(first, last + 1):
                mark = ""
                if (file, n) in per_line:
                    lr, lt = per_line[(file, n)]
                    mark = "MISS" if lr == 0 else ("ok" if lr == lt else f"{lr}/{lt}")
                out.write(f"{n:5} {mark:>5} | {sources[file][n - 1].expandtabs(4)}\n")
    return summary


def xenstored(report_file, out_file, regex):
    # Rows of llvm-cov report -show-functions: NAME Regions Miss Cover Lines Miss Cover Branches Miss Cover;
    # a static function's NAME is FILE:NAME.
    name_re = re.compile(regex)
    rows = []
    for line in open(report_file, encoding="utf-8"):
        f = line.split()
        if len(f) != 10 or not f[1].isdigit():
            continue
        name = f[0].rsplit(":", 1)[-1]
        if name_re.fullmatch(name):
            rows.append((name, int(f[4]), int(f[5]), int(f[1]), int(f[2])))
    if not rows:
        sys.exit("report.py: no function of the C daemon matches the live-update pattern: is the report empty?")
    lines = sum(r[1] for r in rows)
    missed = sum(r[2] for r in rows)
    regions = sum(r[3] for r in rows)
    rmissed = sum(r[4] for r in rows)
    entered = sum(1 for r in rows if r[4] < r[3])
    summary = (f"xenstored: {lines - missed} of {lines} lines ({pct(lines - missed, lines)} %) in {entered} of "
               f"{len(rows)} functions entered")
    with open(out_file, "w", encoding="utf-8") as out:
        out.write(summary + "\n\n")
        out.write("Lines and regions as llvm-cov counts them (clang source-based coverage); the annotated\n"
                  "source is in xenstored-lines.txt.\n\n")
        out.write(f"{'function':32} {'lines':>6} {'reached':>8} {'%':>6} {'regions':>8} {'reached':>8} {'%':>6}\n")
        for name, t, m, rt, rm in sorted(rows):
            out.write(f"{name:32} {t:6} {t - m:8} {pct(t - m, t):>6} {rt:8} {rt - rm:8} {pct(rt - rm, rt):>6}\n")
        out.write(f"{'TOTAL':32} {lines:6} {lines - missed:8} {pct(lines - missed, lines):>6} {regions:8} "
                  f"{regions - rmissed:8} {pct(regions - rmissed, regions):>6}\n")
    return summary


def main(argv):
    if len(argv) == 6 and argv[1] == "oxenstored":
        print(oxenstored(argv[2], argv[3], argv[4], argv[5]))
    elif len(argv) == 5 and argv[1] == "xenstored":
        print(xenstored(argv[2], argv[3], argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
