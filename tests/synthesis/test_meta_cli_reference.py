"""``review meta`` itself (CSV in, ``--json`` out) against every file of ../shared/data/meta_reference.

The comparison lives in ``benchmarks/meta_agreement.py`` (which prints the per-quantity table); this
test holds every quantity to the tolerance the reference README states for its file.
"""

from __future__ import annotations

from script_module import load_script
from shared_data import shared_path


def test_review_meta_agrees_with_every_reference_file_within_its_tolerance() -> None:
    shared_path("data", "meta_reference", "README.md")
    benchmark = load_script("benchmarks/meta_agreement.py", "meta_agreement_benchmark")
    found = benchmark.agreement()
    assert found.failures() == []
    assert set(found.sets) == {
        "bcg_colditz1994", "kacker2004 FE/DL", "kacker2004 PM", "metabin_or_dl_hk", "metafor_small_sample FE/DL",
        "metafor_small_sample ML/REML", "ci_to_se_examples exact", "ci_to_se_examples 6 dp",
    }
    # Quantities metafor / R meta report that the command once left out (null in the JSON).
    assert found.sets["kacker2004 FE/DL"]["se_tau2"].compared == 1  # DL
    assert found.sets["kacker2004 PM"]["se_tau2"].compared == 1
    assert found.sets["metabin_or_dl_hk"]["upper_I2"].compared == 1  # R meta's I² CI (Higgins–Thompson)
    assert sum(q.compared for qs in found.sets.values() for q in qs.values()) >= 480


def test_the_printed_heterogeneity_reads_as_metafor_prints_it(tmp_path) -> None:
    # A methods reader holds the table beside metafor's print-out of rma(yi, vi, test="knha") on dat.bcg:
    # tau^2 0.3132 (SE = 0.1664), tau 0.5597, I^2 92.22%, H^2 12.86, Q(df = 12) = 152.2330. The table
    # printed I² = 92.2% (R meta's one decimal), Q = 152.23 and no SE of tau².
    import csv
    import json

    from click.testing import CliRunner

    from review.cli import main

    folder = shared_path("data", "meta_reference")
    data = tmp_path / "bcg.csv"
    with (folder / "bcg_colditz1994_inputs.csv").open(encoding="utf-8") as handle:
        rows = [f"{r['author']} {r['year']},{r['tpos']},{int(r['tpos']) + int(r['tneg'])},{r['cpos']},"
                f"{int(r['cpos']) + int(r['cneg'])}" for r in csv.DictReader(handle)]
    data.write_text("study,ai,n1i,ci,n2i\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cases = {c["id"]: c for c in json.loads((folder / "bcg_colditz1994_expected.json").read_text())["cases"]}
    knha, z = cases["RR_REML_knha"], cases["RR_REML_z"]
    result = CliRunner().invoke(main, ["meta", str(data), "--measure", "RR", "--method", "REML", "--hk"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("heterogeneity:"))
    assert line == (f"heterogeneity: tau² = {knha['tau2']:.4f} (SE = {z['se_tau2']:.4f})  tau = {z['tau']:.4f}  "
                    f"I² = {knha['I2_percent']:.2f}%  H² = {knha['H2']:.2f}  "
                    f"Q(df = {z['QE_df']}) = {knha['QE']:.4f}  p <0.0001")
