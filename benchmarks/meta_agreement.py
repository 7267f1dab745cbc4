"""Agreement of ``review meta`` with metafor / R meta on every file of ../shared/data/meta_reference, and speed.

Each reference input is written as the CSV a user would give ``review meta`` (counts as
``ai,n1i,ci,n2i``, generic effects as ``yi,vi``, published CIs as ``estimate,ci_low,ci_high``) and run
through the command itself (``--json``), so the CSV reader, escalc, the engine and the JSON writer
are all checked. Prints, per reference set and quantity, the largest absolute difference and the
file's stated tolerance, then one JSON line. Bounded: one pass over the sets plus 2,000 REML+HK
pools of k = 10.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner

from review.cli import main as review_cli
from review.synthesis.meta import pool

REF = Path(os.environ.get("REVIEW_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data" / "meta_reference"


@dataclass
class Quantity:
    """The largest difference seen for one quantity of one reference set, against its tolerance."""

    tolerance: float
    relative: bool = False
    max_abs: float = 0.0
    worst_ratio: float = 0.0  # difference / allowed difference; > 1 is a bug
    compared: int = 0

    def add(self, got: float | None, want: float) -> None:
        self.compared += 1
        if got is None:  # the command did not report a quantity the reference has
            self.max_abs = self.worst_ratio = math.inf
            return
        diff = abs(got - want)
        allowed = self.tolerance * abs(want) if self.relative else self.tolerance
        self.max_abs = max(self.max_abs, diff)
        self.worst_ratio = max(self.worst_ratio, diff / allowed if allowed else (0.0 if diff == 0 else math.inf))

    @property
    def tolerance_text(self) -> str:
        return f"rtol {self.tolerance:g}" if self.relative else f"{self.tolerance:g}"


@dataclass
class Agreement:
    """Reference set -> quantity -> :class:`Quantity`."""

    sets: dict[str, dict[str, Quantity]] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)

    def check(self, ref_set: str, name: str, got: float | None, want: float | None, tolerance: float,
              *, relative: bool = False) -> None:
        if want is None:
            return
        quantity = self.sets.setdefault(ref_set, {}).setdefault(name, Quantity(tolerance, relative))
        if (quantity.tolerance, quantity.relative) != (tolerance, relative):
            raise ValueError(f"{ref_set}: {name} compared at two tolerances; give them two names")
        quantity.add(got, want)

    def failures(self) -> list[str]:
        return [f"{s}: {q} differs by {v.max_abs:.3g} (tolerance {v.tolerance_text})"
                for s, qs in self.sets.items() for q, v in qs.items() if v.worst_ratio > 1]


def rows(name: str) -> list[dict[str, str]]:
    with (REF / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(name: str) -> Any:
    return json.loads((REF / name).read_text(encoding="utf-8"))


class MetaCommand:
    """``review meta FILE --json OUT ...`` run in-process on a CSV written to a scratch folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runner = CliRunner()

    def __call__(self, header: list[str], body: list[list[Any]], *flags: str) -> dict[str, Any]:
        source, out = self.folder / "input.csv", self.folder / "result.json"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
        result = self.runner.invoke(review_cli, ["meta", str(source), "--json", str(out), *flags])
        if result.exit_code != 0:
            raise RuntimeError(f"review meta {' '.join(flags)} exited {result.exit_code}: {result.output}")
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return data


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def bcg(run: MetaCommand, agreement: Agreement) -> None:
    """dat.bcg counts -> log RR / log OR; FE, DL, REML (z, knha); 4-dp print-outs (2-dp where marked)."""
    body = [[r["author"] + " " + r["year"], r["tpos"], int(r["tpos"]) + int(r["tneg"]), r["cpos"],
             int(r["cpos"]) + int(r["cneg"])] for r in rows("bcg_colditz1994_inputs.csv")]
    name = "bcg_colditz1994"
    for case in load("bcg_colditz1994_expected.json")["cases"]:
        if case.get("optional"):  # Mantel–Haenszel (rma.mh): not an inverse-variance pool
            continue
        agreement.cases[name] = agreement.cases.get(name, 0) + 1
        method = case["method"].split(" ")[0]
        flags = ["--measure", case["measure"], "--method", method, "--prediction", "metafor"]
        r = run(["study", "ai", "n1i", "ci", "n2i"], body, *flags, *(["--hk"] if case["test"].startswith("knha") else []))
        result = r["result"]
        two_dp_i2 = method == "REML"  # the REML print-outs give I² and H² to 2 decimals
        for key, attr in (("beta", "estimate"), ("ci_lb", "ci_low"), ("ci_ub", "ci_high"), ("se", "se"),
                          ("tau2", "tau2"), ("tau", "tau"), ("se_tau2", "se_tau2"), ("QE", "q"), ("pval", "pvalue")):
            agreement.check(name, key, result[attr], case.get(key), 5e-5)
        agreement.check(name, "zval/tval", result["statistic"], case.get("zval", case.get("tval")), 5e-5)
        if two_dp_i2:
            agreement.check(name, "I2_percent (2 dp)", result["i2"], case.get("I2_percent"), 5e-3)
        else:
            agreement.check(name, "I2_percent", result["i2"], case.get("I2_percent"), 5e-5)
        agreement.check(name, "H2 (2 dp)", result["h2"], case.get("H2"), 5e-3)
        agreement.check(name, "I2_full", result["i2"], case.get("I2_full"), 5e-6)
        agreement.check(name, "H2_full", result["h2"], case.get("H2_full"), 5e-6)
        for key, attr in (("exp_pred", "estimate"), ("exp_ci_lb", "ci_low"), ("exp_ci_ub", "ci_high")):
            agreement.check(name, key, result["exp"][attr], case.get(key), 5e-5)
        printed = case.get("predict_exp_2dp", {})
        for key, attr in (("pred", "estimate"), ("ci_lb", "ci_low"), ("ci_ub", "ci_high"), ("pi_lb", "pi_low"),
                          ("pi_ub", "pi_high")):
            agreement.check(name, f"predict {key} (2 dp)", result["exp"][attr], printed.get(key), 5e-3)
        confint = case.get("confint_Qprofile")
        if confint:  # metafor's confint() finds the bounds with uniroot (tol ~1.2e-4), printed to 4 dp
            for i in (0, 1):
                agreement.check(name, "tau2 Q-profile CI", result["tau2_ci"][i], confint["tau2"][i], 1.5e-4)
                agreement.check(name, "tau Q-profile CI", math.sqrt(result["tau2_ci"][i]), confint["tau"][i], 1.5e-4)
                agreement.check(name, "I2 Q-profile CI", result["i2_ci"][i], confint["I2_percent"][i], 5e-3)
                agreement.check(name, "H2 Q-profile CI", 100 / (100 - result["i2_ci"][i]), confint["H2"][i], 5e-3)


def kacker(run: MetaCommand, agreement: Agreement) -> None:
    """Generic y/v; FE, FE+knha, DL, DL+knha, PM; metafor at tol 1e-9."""
    body = [[r["study"], r["y"], r["v"]] for r in rows("kacker2004_inputs.csv")]
    for case in load("kacker2004_expected.json")["cases"]:
        method = case["method"].split(" ")[0]
        name = "kacker2004 " + ("PM" if method == "PM" else "FE/DL")
        agreement.cases[name] = agreement.cases.get(name, 0) + 1
        tol = 1e-6 if method == "PM" else 1e-8
        flags = ["--measure", "MD", "--method", method, "--prediction", "metafor"]
        result = run(["study", "yi", "vi"], body, *flags, *(["--hk"] if case["test"] == "knha" else []))["result"]
        for key, attr in (("beta", "estimate"), ("se", "se"), ("ci_lb", "ci_low"), ("ci_ub", "ci_high"),
                          ("tau2", "tau2"), ("se_tau2", "se_tau2"), ("QE", "q"), ("I2_percent", "i2"), ("H2", "h2")):
            agreement.check(name, key, result[attr], case.get(key), tol)
        agreement.check(name, "QEp", result["q_pvalue"], case.get("QEp"), 1e-8, relative=True)
        agreement.check(name, "pval", result["pvalue"], case.get("pval"), 1e-6, relative=True)
        agreement.check(name, "zval/tval", result["statistic"], case.get("zval", case.get("tval")), 1e-9, relative=True)


def metabin(run: MetaCommand, agreement: Agreement) -> None:
    """17 two-arm studies -> log OR; IV common effect; DL + Hartung–Knapp; R meta 4.11 conventions."""
    data = rows("metabin_or_dl_hk_inputs.csv")
    body = [[r["study"], r["event_e"], r["n_e"], r["event_c"], r["n_c"]] for r in data]
    expected = load("metabin_or_dl_hk_expected.json")
    pooled, study = expected["pooled"], expected["study_level"]
    name = "metabin_or_dl_hk"
    agreement.cases[name] = 2
    r = run(["study", "ai", "n1i", "ci", "n2i"], body, "--measure", "OR", "--method", "DL", "--hk",
            "--prediction", "meta")
    fixed, random = r["common_effect"], r["result"]

    def check(key: str, got: float | None) -> None:
        agreement.check(name, key, got, pooled[key], 1e-10, relative=True)

    for key, attr in (("TE_fixed", "estimate"), ("seTE_fixed", "se"), ("lower_fixed", "ci_low"),
                      ("upper_fixed", "ci_high"), ("zval_fixed", "statistic"), ("pval_fixed", "pvalue"),
                      ("Q", "q"), ("df_Q", "q_df"), ("pval_Q", "q_pvalue")):
        check(key, fixed[attr])
    for key, attr in (("TE_random", "estimate"), ("seTE_random_hk", "se"), ("lower_random", "ci_low"),
                      ("upper_random", "ci_high"), ("tval_random", "statistic"), ("pval_random", "pvalue"),
                      ("df_hakn", "df"), ("tau2", "tau2"), ("se_tau2", "se_tau2"), ("tau", "tau"),
                      ("lower_predict", "pi_low"), ("upper_predict", "pi_high")):
        check(key, random[attr])
    check("I2_fraction", random["i2"] / 100)
    check("H", math.sqrt(random["h2"]) if random["h2"] is not None else None)
    check("seTE_predict", math.sqrt(random["se"] ** 2 + random["tau2"]))
    meta_ci = random.get("i2_ci_meta") or [None, None]
    agreement.check(name, "lower_I2", None if meta_ci[0] is None else meta_ci[0] / 100, pooled["lower_I2"], 1e-10)
    check("upper_I2", None if meta_ci[1] is None else meta_ci[1] / 100)
    w_fixed, w_random = (np.asarray(study[k]) / sum(study[k]) * 100 for k in ("w_fixed", "w_random"))
    for i in range(len(data)):
        agreement.check(name, "study TE", random["yi"][i], study["TE"][i], 1e-10, relative=True)
        agreement.check(name, "study seTE", math.sqrt(random["vi"][i]), study["seTE"][i], 1e-10, relative=True)
        agreement.check(name, "study weight % (common)", fixed["weights"][i], float(w_fixed[i]), 1e-10, relative=True)
        agreement.check(name, "study weight % (random)", random["weights"][i], float(w_random[i]), 1e-10,
                        relative=True)


def small_sample(run: MetaCommand, agreement: Agreement) -> None:
    """Four synthetic designs × FE/DL/ML/REML × z/knha (metafor 4.6.0)."""
    data = rows("metafor_small_sample_inputs.csv")
    for case in load("metafor_small_sample_expected.json")["cases"]:
        closed = case["method"] in ("FE", "DL")
        name = "metafor_small_sample " + ("FE/DL" if closed else "ML/REML")
        agreement.cases[name] = agreement.cases.get(name, 0) + 1
        body = [[f"{case['design']} {i + 1}", r["y"], r["v"]]
                for i, r in enumerate(r for r in data if r["case"] == case["design"])]
        flags = ["--measure", "MD", "--method", case["method"], "--prediction", "metafor"]
        result = run(["study", "yi", "vi"], body, *flags, *(["--hk"] if case["test"] == "knha" else []))["result"]
        for key, attr in (("tau2", "tau2"), ("beta", "estimate"), ("se", "se"), ("ci_lb", "ci_low"),
                          ("ci_ub", "ci_high"), ("pval", "pvalue")):
            if closed:
                agreement.check(name, key, result[attr], _first(case[key]), 1e-10, relative=True)
            else:
                agreement.check(name, key, result[attr], _first(case[key]), 5e-5 if key == "tau2" else 1e-4)
        agreement.check(name, "dof", result["df"] if result["df"] is not None else -1,
                        case["dof"] if case["dof"] is not None else -1, 0.0)


def ci_to_se(run: MetaCommand, agreement: Agreement) -> None:
    """Published ratio CI -> log estimate and SE (the CSV's estimate,ci_low,ci_high columns)."""
    for row in rows("ci_to_se_examples.csv"):
        exact = row["id"].startswith("metabin")
        name = "ci_to_se_examples " + ("exact" if exact else "6 dp")
        agreement.cases[name] = agreement.cases.get(name, 0) + 1
        body = [[row["id"], row["estimate"], row["ci_lower"], row["ci_upper"], row["level"]]]
        result = run(["study", "estimate", "ci_low", "ci_high", "ci_level"], body, "--measure", row["measure"],
                     "--method", "FE")["result"]
        for key, got in (("log estimate", result["yi"][0]), ("SE of the log", math.sqrt(result["vi"][0]))):
            want = float(row["expected_log_estimate" if key == "log estimate" else "expected_se_log"])
            if exact:
                agreement.check(name, key, got, want, 1e-12, relative=True)
            else:
                agreement.check(name, key, got, want, 5e-7)


SETS: tuple[Callable[[MetaCommand, Agreement], None], ...] = (bcg, kacker, metabin, small_sample, ci_to_se)


def agreement() -> Agreement:
    """Run ``review meta`` on every reference set; the per-quantity differences."""
    result = Agreement()
    with tempfile.TemporaryDirectory() as folder:
        run = MetaCommand(Path(folder))
        for reference_set in SETS:
            reference_set(run, result)
    return result


def speed() -> float:
    rng = np.random.default_rng(7)
    start = time.perf_counter()
    for _ in range(2000):
        v = rng.uniform(0.01, 0.5, 10)
        pool(rng.normal(0.3, 0.4, 10), v, method="REML", hk=True)
    return 2000 / (time.perf_counter() - start)


def main() -> int:
    if not REF.is_dir():
        print(f"reference data missing: {REF}", file=sys.stderr)
        return 1
    found = agreement()
    print(f"{'reference set / quantity':<52} {'n':>4} {'max |diff|':>10}  tolerance  ok")
    for ref_set, quantities in found.sets.items():
        print(f"{ref_set} ({found.cases.get(ref_set, 0)} cases)")
        for quantity, q in quantities.items():
            print(f"  {quantity:<50} {q.compared:>4} {q.max_abs:>10.2e}  {q.tolerance_text:<9}  "
                  f"{'yes' if q.worst_ratio <= 1 else 'NO'}")
    rate = speed()
    print(f"REML + HK pools per second (k = 10): {rate:,.0f}")
    failures = found.failures()
    for failure in failures:
        print(f"above tolerance: {failure}", file=sys.stderr)
    print(json.dumps({"benchmark": "meta_agreement",
                      "max_abs_diff": {s: {q: v.max_abs for q, v in qs.items()} for s, qs in found.sets.items()},
                      "above_tolerance": failures, "reml_hk_pools_per_second": round(rate)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
