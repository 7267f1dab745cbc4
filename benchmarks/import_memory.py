"""Peak memory of ``review import`` on N small records (issue #21: 1,000,000 records under 1 GB).

    nice -n 10 python benchmarks/import_memory.py                 # 1,000,000 records, RIS and CSV
    nice -n 10 python benchmarks/import_memory.py --n 200000 --format ris

Writes a synthetic file of N small records (title, two authors, year, journal, DOI) to a
temporary folder, runs ``review import`` in a fresh subprocess and reads that child's peak
resident set size (``ru_maxrss``). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_ris(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"TY  - JOUR\nTI  - Record {i} on sickness absence\nAU  - Jansen, A.\nAU  - Vries, B.\n"
                      f"PY  - {1990 + i % 35}\nT2  - J Occup Rehabil\nDO  - 10.1000/m.{i}\nER  - \n\n")


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("record_id,title,authors,year,journal,doi\n")
        for i in range(n):
            out.write(f"{i},Record {i} on sickness absence,\"Jansen, A.; Vries, B.\",{1990 + i % 35},"
                      f"J Occup Rehabil,10.1000/m.{i}\n")


def run(fmt: str, n: int, folder: Path) -> dict[str, object]:
    data = folder / f"m{n}.{fmt}"
    (write_ris if fmt == "ris" else write_csv)(data, n)
    workspace = folder / f"ws-{fmt}"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "init", str(workspace)],
                   check=True, env=env, capture_output=True)
    code = ("import resource, sys; from review.cli import main\n"
            "try:\n    main([*sys.argv[1:]], standalone_mode=False)\n"
            "finally:\n    print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, "-w", str(workspace), "import", str(data)],
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    rss_kb = next((int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("RSS_KB")), -1)
    return {"format": fmt, "records": n, "file_mb": round(data.stat().st_size / 1e6, 1),
            "peak_rss_mb": round(rss_kb / 1024, 1), "seconds": round(seconds, 1),
            "exit": result.returncode, "stderr_tail": result.stderr.strip().splitlines()[-2:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["ris", "csv", "both"], default="both")
    args = parser.parse_args()
    formats = ["ris", "csv"] if args.format == "both" else [args.format]
    rows = []
    with tempfile.TemporaryDirectory(prefix="import-memory-") as tmp:
        for fmt in formats:
            rows.append(run(fmt, args.n, Path(tmp)))
    print(f"{'format':<7}{'records':>10}{'file MB':>9}{'peak RSS MB':>13}{'seconds':>9}{'exit':>6}")
    for row in rows:
        print(f"{row['format']:<7}{row['records']:>10,}{row['file_mb']:>9}{row['peak_rss_mb']:>13}"
              f"{row['seconds']:>9}{row['exit']:>6}")
    print(json.dumps({"benchmark": "import_memory", "limit_mb": 1024, "rows": rows}))


if __name__ == "__main__":
    main()
