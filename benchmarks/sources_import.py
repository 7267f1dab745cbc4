"""Import benchmark: records and time per shared CSV, in-process and through ``review import``.

    python benchmarks/sources_import.py                      # every CSV under ../shared/data
    python benchmarks/sources_import.py FILE.csv ...         # chosen files
    python benchmarks/sources_import.py --synthetic 20000    # also a generated RIS of N records

Each file goes into a fresh temporary workspace; "parse" is read+detect+decode+parse,
"store" the one ``add_batch`` transaction, "cli" the wall time of a ``review import``
subprocess (interpreter and CLI start-up included). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from review.sources import read_file
from review.workspace import init_workspace

SHARED = Path(__file__).resolve().parents[2] / "shared"


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def synthetic_ris(n: int, folder: Path) -> Path:
    path = folder / f"synthetic_{n}.ris"
    lines = []
    for i in range(n):
        lines += [
            "TY  - JOUR", f"TI  - Synthetic record {i} on recurrent sickness absence", "AU  - Jansen, A.",
            "AU  - de Vries, B.", f"PY  - {1990 + i % 35}", "T2  - J Occup Rehabil", f"DO  - 10.1000/syn.{i}",
            "AB  - " + "Common mental disorders and return to work. " * 20, "DB  - Embase", "ER  - ", "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(path: Path, folder: Path, cli: bool) -> dict[str, object]:
    started = time.perf_counter()
    result = read_file(path)
    parsed = time.perf_counter()
    workspace = init_workspace(folder / f"ws_{path.stem}", title="bench")
    stored_at = time.perf_counter()
    workspace.store.add_batch(
        result.records, file_name=str(path), file_sha256=result.sha256, source_name=result.source_name,
        format=result.format, encoding=result.encoding,
    )
    stored = time.perf_counter()
    row: dict[str, object] = {
        "file": path.name, "bytes": path.stat().st_size, "format": result.format,
        "records": len(result.records),
        "expected": count_rows(path) if path.suffix == ".csv" else len(result.records),
        "parse_s": round(parsed - started, 3), "store_s": round(stored - stored_at, 3),
    }
    if cli:
        cli_ws = init_workspace(folder / f"cli_{path.stem}", title="bench")
        t0 = time.perf_counter()
        command = [shutil.which("review") or ""] if shutil.which("review") else [
            sys.executable, "-c", "from review.cli import main; main()"]
        subprocess.run([*command, "-w", str(cli_ws.root), "import", str(path)], check=True, capture_output=True)
        row["cli_s"] = round(time.perf_counter() - t0, 3)
        row["cli_records"] = cli_ws.store.count_records()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--synthetic", type=int, default=0, help="also time a generated RIS of N records")
    parser.add_argument("--no-cli", action="store_true", help="skip the review import subprocess timing")
    args = parser.parse_args()
    files = args.files or sorted([*SHARED.glob("data/dedup/*.csv"), *SHARED.glob("data/screening/*.csv")])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.synthetic:
            files.append(synthetic_ris(args.synthetic, folder))
        rows = [measure(path, folder, cli=not args.no_cli) for path in files]
    columns = ["file", "bytes", "format", "records", "expected", "parse_s", "store_s", "cli_s"]
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")) for c in columns))
    largest = max((r for r in rows if str(r["file"]).endswith(".csv")), key=lambda r: int(r["bytes"]), default=None)
    print(json.dumps({"benchmark": "sources_import", "largest_csv": largest, "files": rows}))


if __name__ == "__main__":
    main()
