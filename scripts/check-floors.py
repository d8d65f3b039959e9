#!/usr/bin/env python3
"""Checks a `docex eval --json` report against floors: exits 1, naming each row, when a score
falls below its floor, a row's document count differs, a row has no floor (or a floor no row),
or a labelled document has no row or an error row in documents.csv.

    scripts/check-floors.py FLOORS.tsv REPORT.json

FLOORS.tsv: `#` comments, a header line, then one line per row of docex eval's table:
source, field (`(all)` for the source's total), docs (must be equal), accuracy (floor),
mean_f1 (floor, parties only; empty for the other fields). `make eval-probe` runs it on
models/probe/floors.tsv. Standard library only."""
import csv
import json
import sys


def main(floors_path: str, report_path: str) -> int:
    with open(floors_path, encoding="utf-8") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        floors = {(r["source"], r["field"]): r for r in rows}
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)

    failures = []
    if report["missing"] or report["errors"]:
        failures.append(f"labelled documents not in documents.csv: {report['missing']}, "
                        f"error rows: {report['errors']} (expected none)")
    checked = 0
    for source in report["sources"]:
        for score in source["fields"] + [source["overall"]]:
            key = (source["source"], score["field"])
            name = "{} {}".format(*key)
            floor = floors.pop(key, None)
            if floor is None:
                failures.append(f"{name}: no floor in {floors_path} (add a line for it)")
                continue
            checked += 1
            if score["docs"] != int(floor["docs"]):
                failures.append(f"{name}: labelled documents {score['docs']}, the floors were set on {floor['docs']}")
            for col, value in (("accuracy", score["accuracy"]), ("mean_f1", score.get("mean_f1"))):
                if not floor[col]:
                    continue
                if value is None or value < float(floor[col]):
                    failures.append(f"{name}: {col} {value if value is None else f'{value:.3f}'} "
                                    f"below its floor {floor[col]}")
    for source, field in floors:
        failures.append(f"{source} {field}: a floor, but no such row in the report")

    for line in failures:
        print(f"check-floors: {line}", file=sys.stderr)
    if failures:
        print(f"check-floors: {len(failures)} failed ({report_path} against {floors_path})", file=sys.stderr)
        return 1
    print(f"check-floors: all {checked} rows at or above their floors in {floors_path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
