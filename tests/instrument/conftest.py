"""Small hand-made synthesis tables and question templates for the instrument tests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from review.instrument.build import build_item_bank
from review.instrument.config import InstrumentConfig, load_config
from review.instrument.evidence import parse_synthesis_csv, snapshot_of
from review.instrument.itembank import ItemBank, load_templates

HEADER = ("factor_id,label_en,label_nl,domain,modifiable,assessable,direction,level,rule_set,"
          "studies,measure,pooled_estimate,ci_low,ci_high,i2,grade,explanation\n")

SYNTHESIS = HEADER + "\n".join([
    "prev_episodes,Previous sickness absence episodes,Eerdere verzuimepisodes,health,false,true,"
    "risk,strong,ariens,sado2014;reis2012,,,,,,moderate,",
    "supervisor_conflict,Conflict with supervisor,Conflict met leidinggevende,social,true,true,"
    "risk,moderate,ariens,arends2014;x2020,OR,2.21,1.21,4.04,,low,",
    "supervisor_support,Support from supervisor,Steun van leidinggevende,social,true,true,"
    "protective,moderate,ariens,etuknwa2019;y2018,OR,0.5,0.3,0.8,10,low,",
    "company_size,Company size >100,Bedrijfsgrootte >100,work,false,true,"
    "risk,some,ariens,arends2014,OR,2.59,1.40,4.80,,,",
    "female_sex,Female sex,Vrouw,personal,false,true,none,moderate,ariens,koopmans2010;koopmans2011,,,,,,,",
    "neuroticism,Neuroticism,Neuroticisme,personal,false,false,risk,strong,ariens,a;b,,,,,,,",
    "job_demands,High job demands,Hoge taakeisen,work,true,true,risk,moderate,ariens,endo2015;z,OR,1.46,1.01,2.10,,,",
]) + "\n"

QUESTIONS = '''
[questions.prev_absence]
text_nl = "Heeft de cliënt zich eerder ziek gemeld?"
text_en = "Has the client been on sick leave before?"
type = "yesno"

[questions.has_supervisor]
text_nl = "Heeft de cliënt een direct leidinggevende?"
text_en = "Does the client have a direct supervisor?"
type = "yesno"
domain = "social"

[questions.conflict]
text_nl = "Is er een conflict met de leidinggevende?"
text_en = "Is there a conflict with the supervisor?"
type = "choice"
options = [
  { code = "no", nl = "Nee", en = "No" },
  { code = "some", nl = "Spanningen", en = "Tension" },
  { code = "yes", nl = "Ja", en = "Yes" },
]
enable_when = { question = "has_supervisor", answer = "yes" }

[questions.support]
text_nl = "Ervaart de cliënt steun van de leidinggevende?"
text_en = "Does the client feel supported by the supervisor?"
type = "yesno"
enable_when = { question = "has_supervisor", answer = "yes" }

[questions.company]
text_nl = "Hoeveel werknemers heeft de organisatie?"
text_en = "How many employees does the organisation have?"
type = "choice"
options = [{ code = "small", nl = "100 of minder", en = "100 or fewer" },
           { code = "large", nl = "Meer dan 100", en = "More than 100" }]

[questions.demands]
text_nl = "Zijn de taakeisen hoog?"
text_en = "Are job demands high?"
type = "yesno"

[factors.prev_episodes]
present = { prev_absence = ["yes"] }
advice_nl = "Bespreek eerdere episodes."
advice_en = "Discuss earlier episodes."

[factors.conflict_with_supervisor]
aliases = ["supervisor_conflict"]
present = { conflict = ["yes"] }
partly = { conflict = ["some"] }
advice_nl = "Overweeg bemiddeling."
advice_en = "Consider mediation."

[factors.supervisor_support]
present = { support = ["yes"] }

[factors.company_size]
present = { company = ["large"] }

[factors.orphan]
present = { demands = ["yes"] }
'''

FIXED = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def synthesis_file(tmp_path: Path) -> Path:
    path = tmp_path / "synthesis.csv"
    path.write_text(SYNTHESIS, encoding="utf-8")
    return path


@pytest.fixture
def questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.toml"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


@pytest.fixture
def config() -> InstrumentConfig:
    return load_config(None)


def make_bank(synthesis: Path, questions: Path, config: InstrumentConfig) -> ItemBank:
    evidence = parse_synthesis_csv(synthesis.read_text(encoding="utf-8"), synthesis)
    return build_item_bank(evidence, load_templates(questions), config,
                           snapshot_of(synthesis, len(evidence), now=FIXED), built_at=FIXED)


@pytest.fixture
def bank(synthesis_file: Path, questions_file: Path, config: InstrumentConfig) -> ItemBank:
    return make_bank(synthesis_file, questions_file, config)
