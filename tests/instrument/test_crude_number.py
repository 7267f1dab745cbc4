"""A crude number says it is crude wherever the instrument shows it, as the synthesis does.

A study giving a crude and an adjusted OR for one factor showed both side by side in the profile, the guide and the
browser form, 'OR 2,21 (1,21–4,04), Arends 2014; OR 1,80 (1,10–2,90), Arends 2014', where synthesis.csv says
'adjusted; … crude' (walk33): a reader could not tell which one the study adjusted for confounders."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.instrument import project, render
from review.instrument.scoring import score

REPO = Path(__file__).resolve().parents[2]
CRUDE = '''
[[estimates]]
factor = "conflict_with_supervisor"
contrast = "conflict with supervisor (univariable)"
contrast_nl = "conflict met leidinggevende (univariabel)"
measure = "OR"
estimate = 1.80
ci_low = 1.10
ci_high = 2.90
estimate_type = "crude"
source_location = "Table 2"
source_kind = "table"
'''
SHOWN = {"nl": ("OR 2,21 (1,21–4,04), Arends 2014", "OR 1,80 (1,10–2,90; ongecorrigeerd), Arends 2014"),
         "en": ("OR 2.21 (1.21–4.04), Arends 2014", "OR 1.80 (1.10–2.90; crude), Arends 2014")}


def test_a_crude_number_says_so_in_every_output(workspace) -> None:
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(REPO / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(REPO / "instrument" / name, workspace.root / "instrument" / name)
    study = workspace.root / "extraction" / "studies" / "arends2014.toml"
    study.write_text(study.read_text(encoding="utf-8") + CRUDE, encoding="utf-8")
    for args in (["synthesis"], ["instrument", "build"]):
        result = CliRunner().invoke(main, ["--workspace", str(workspace.root), *args])
        assert result.exit_code == 0, result.output
    bank, config = project.current_bank(workspace), project.workspace_config(workspace)
    answers = {"employment_status": "employee", "has_supervisor": "yes", "supervisor_conflict": "yes"}
    profile = score(bank, answers, config)
    for lang, (adjusted, crude) in SHOWN.items():
        outputs = {fmt: project.render_export(bank, fmt, lang, config)
                   for fmt in ("markdown", "html", "guide", "guide-html", "form")}
        outputs["report"] = render.report_markdown(bank, profile, answers, lang=lang)
        for name, text in outputs.items():
            assert adjusted in text and crude in text, (name, lang)
