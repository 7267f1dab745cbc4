"""Instrument benchmark: build, export and scoring speed on synthetic evidence of growing size.

    python benchmarks/instrument.py                 # 10 / 50 / 200 factors, 1000 answer sets
    python benchmarks/instrument.py --factors 500 --answers 5000

Synthetic factors are generated with a seed (no real effect sizes: levels and pooled ratios are
drawn uniformly from fixed lists and only exercise the code). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path


from review.instrument import fhir, redcap, render
from review.instrument.build import build_item_bank
from review.instrument.config import load_config
from review.instrument.evidence import DOMAINS, EvidenceSnapshot, parse_synthesis_csv
from review.instrument.itembank import dumps_bank, load_templates, loads_bank
from review.instrument.scoring import score

HEADER = ("factor_id,label_en,label_nl,domain,modifiable,assessable,direction,level,rule_set,"
          "studies,measure,pooled_estimate,ci_low,ci_high,i2,grade,explanation\n")


#: Each pooled estimate with its CI (a pooled estimate without one is refused since 2026-12-06).
POOLED_CI = {"": ",", "1.5": "1.1,2.0", "2.2": "1.4,3.5", "0.6": "0.4,0.9"}


def synthetic(n: int, rng: random.Random) -> tuple[str, str]:
    rows, templates = [], []
    for i in range(n):
        level = rng.choice(["strong", "moderate", "some", "inconclusive"])
        direction = rng.choice(["risk", "risk", "protective", "none"])
        pooled = rng.choice(["", "1.5", "2.2", "0.6"])
        rows.append(f"f{i},Factor {i},Factor {i},{rng.choice(DOMAINS)},{rng.random() < 0.5},true,"
                    f"{direction},{level},ariens,s{i};t{i},{'OR' if pooled else ''},{pooled},{POOLED_CI[pooled]},,,")
        templates.append(f'[questions.q{i}]\ntext_nl = "Vraag {i}?"\ntext_en = "Question {i}?"\n'
                         f'type = "choice"\noptions = [{{ code = "no", nl = "Nee", en = "No" }}, '
                         f'{{ code = "some", nl = "Wat", en = "Some" }}, {{ code = "yes", nl = "Ja", en = "Yes" }}]\n'
                         f'[factors.f{i}]\npresent = {{ q{i} = ["yes"] }}\npartly = {{ q{i} = ["some"] }}\n')
    return HEADER + "\n".join(rows) + "\n", "\n".join(templates)


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - start) / repeat, result


def run(n_factors: int, n_answers: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    csv_text, toml_text = synthetic(n_factors, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.toml"
        path.write_text(toml_text, encoding="utf-8")
        templates = load_templates(path)
    evidence = parse_synthesis_csv(csv_text)
    config = load_config(None)
    snapshot = EvidenceSnapshot("0" * 64, "2026-01-01T00:00:00+00:00", "synthetic", n_factors)
    t_build, bank = timed(lambda: build_item_bank(evidence, templates, config, snapshot))
    t_toml, text = timed(lambda: dumps_bank(bank))
    t_load, _ = timed(lambda: loads_bank(text))
    fhir.questionnaire(bank)  # warm-up: the first call imports the fhir.resources models
    t_fhir, _ = timed(lambda: fhir.questionnaire(bank))
    t_redcap, _ = timed(lambda: redcap.data_dictionary(bank))
    t_html, _ = timed(lambda: render.to_html(render.questionnaire_markdown(bank), "q"))
    answer_sets = [{q.link_id: rng.choice([o.code for o in q.options]) for q in bank.questions}
                   for _ in range(n_answers)]
    start = time.perf_counter()
    for answers in answer_sets:
        score(bank, answers, config)
    t_score = (time.perf_counter() - start) / max(1, n_answers)
    return {"factors": n_factors, "items": len(bank.items), "questions": len(bank.questions),
            "build_ms": t_build * 1e3, "toml_ms": (t_toml + t_load) * 1e3, "fhir_ms": t_fhir * 1e3,
            "redcap_ms": t_redcap * 1e3, "html_ms": t_html * 1e3, "score_ms_per_client": t_score * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="*", default=[10, 50, 200])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    results = [run(n, args.answers, args.seed) for n in args.factors]
    columns = list(results[0])
    print("  ".join(f"{c:>19}" for c in columns))
    for row in results:
        print("  ".join(f"{row[c]:>19.2f}" if isinstance(row[c], float) else f"{row[c]:>19}" for c in columns))
    print(json.dumps({"benchmark": "instrument", "seed": args.seed, "answers": args.answers,
                      "results": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
                                  for r in results]}))


if __name__ == "__main__":
    main()
