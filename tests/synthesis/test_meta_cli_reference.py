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
