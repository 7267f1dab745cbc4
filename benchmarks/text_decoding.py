"""Decoding a large user file by the one policy (``review.textdecode``): UTF-8, cp1252 and GBK paths.

    nice -n 10 python benchmarks/text_decoding.py          # ~50 MB per case, best of 3
    nice -n 10 python benchmarks/text_decoding.py --mb 10

The text is the largest shared screening set, reduced to ASCII and repeated to the size asked.
The cp1252 case puts Dutch accents in ("e " -> "é ", "oo" -> "oö"), which sends the decoder
down its slowest path, the checks that keep mojibake out. The GBK case is refused, and the time
to refuse it is measured. Also decodes every shared text file and counts the encodings found.
Prints numbers and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from review.errors import ImportFormatError
from review.textdecode import decode_text, decode_user_bytes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEXT_SUFFIXES = {".csv", ".ris", ".nbib", ".txt", ".bib", ".xml", ".enw", ".ciw", ".tsv"}


def best_of(data: bytes, repeats: int = 3) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            outcome = decode_text(data, "bench")[1]
        except ImportFormatError:
            outcome = "refused"
        best = min(best, time.perf_counter() - started)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of each case in MB")
    args = parser.parse_args()
    source = max((SHARED / "data" / "screening").glob("*.csv"), key=lambda p: p.stat().st_size)
    ascii_text = source.read_text(encoding="utf-8").encode("ascii", errors="ignore")
    repeat = max(1, int(args.mb * 1e6) // len(ascii_text))
    dutch = ascii_text.replace(b"e ", b"\xe9 ").replace(b"oo", b"o\xf6") * repeat
    cases = {
        "utf-8": dutch.decode("cp1252").encode("utf-8"),
        "cp1252": dutch,
        "gbk": ("标题研究结果 " * (len(dutch) // 20)).encode("gbk"),
    }
    results: dict[str, dict[str, float | str]] = {}
    for name, data in cases.items():
        seconds, outcome = best_of(data)
        results[name] = {"mb": round(len(data) / 1e6, 1), "seconds": round(seconds, 3), "outcome": outcome,
                         "mb_per_s": round(len(data) / 1e6 / seconds, 1)}
        print(f"{name:7s} {len(data) / 1e6:6.1f} MB  {seconds:6.2f} s  {len(data) / 1e6 / seconds:7.1f} MB/s  {outcome}")
    found: Counter[str] = Counter()
    for path in sorted(SHARED.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            try:
                found[decode_user_bytes(path.read_bytes(), path).encoding] += 1
            except ImportFormatError:
                found["refused"] += 1
    print("shared text files:", dict(found))
    print(json.dumps({"benchmark": "text_decoding", "source": source.name, "cases": results,
                      "shared_files": dict(found)}))


if __name__ == "__main__":
    main()
