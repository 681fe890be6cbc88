"""Load and validate N generated organisations from YAML and from CSV; print rows per second.

    python bench/datasets.py            # 20,000 rows, best of 3
    python bench/datasets.py --rows 2000 --runs 1

The rows are the ones ``bench/run.py`` adds to ``data/organizations.yml`` (id, name, web site,
scope, two offers, free membership, source), validated against ``data/organizations.schema.yml``
without the cache. 20,000 rows are 4.3 MB of YAML, more than the 2 MB a data file may have, so
the limit is lifted for the measurement. Figures are in BENCHMARKS.md ("Data sets").
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from opentextbook.datasets import csvsource, load_dataset, load_schema
from opentextbook.support import yamlsource

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["id", "name", "website", "scope", "offers", "free_membership", "source"]


def row(i: int) -> dict[str, str]:
    return {
        "id": f"generated-org-{i}",
        "name": f"Generated organisation {i}",
        "website": f"https://example.org/org-{i}",
        "scope": f"generated scope {i % 7}",
        "offers": "journals; webinars",
        "free_membership": ("yes", "no", "partly")[i % 3],
        "source": "generated for the benchmark",
    }


def write_yaml(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            r = row(i)
            out.write(
                f"\n- id: {r['id']}\n  name: {r['name']}\n  website: {r['website']}\n"
                f"  scope: {r['scope']}\n  offers: [journals, webinars]\n"
                f'  free_membership: "{r["free_membership"]}"\n  source: {r["source"]}\n'
            )


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(row(i) for i in range(rows))


def best_time(path: Path, schema, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        load_dataset(path, schema)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    yamlsource.MAX_BYTES = csvsource.MAX_BYTES = 100 * 2**20
    schema = load_schema(ROOT / "data" / "organizations.schema.yml")
    with tempfile.TemporaryDirectory() as folder:
        for fmt, write in (("yml", write_yaml), ("csv", write_csv)):
            path = Path(folder) / f"organizations.{fmt}"
            write(path, args.rows)
            seconds = best_time(path, schema, args.runs)
            size = path.stat().st_size / 2**20
            print(
                f"{fmt}: {args.rows:,} rows ({size:.1f} MB) in {seconds:.2f} s "
                f"(best of {args.runs}, CPU time): {args.rows / seconds:,.0f} rows/s"
            )


if __name__ == "__main__":
    main()
