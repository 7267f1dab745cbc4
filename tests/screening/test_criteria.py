"""criteria.toml loading and its validation messages."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.errors import ValidationError
from review.screening.criteria import (
    DEFAULT_REASONS, CriteriaFile, has_terms, load_criteria, parse_criteria, template_text, term_regex,
)
from saved_files import save_later


def test_template_has_no_terms_and_its_commented_examples_parse() -> None:
    # review init wrote the programme's sickness-absence terms into every new review, which then ranked and
    # highlighted by another review's words until someone edited them.
    text = template_text()
    criteria = parse_criteria(tomllib.loads(text))
    assert criteria.include_terms == () and criteria.exclude_terms == () and not has_terms(criteria)
    assert "other" in criteria.exclusion_reasons and "wrong population" in criteria.exclusion_reasons
    assert not any(word in text.lower() for word in ("sick", "prognos", "mental disorder")), text
    examples = [line[2:] for line in text.splitlines() if line.startswith(("# include = ", "# exclude = "))]
    assert len(examples) == 2  # the syntax shown is the syntax read
    uncommented = parse_criteria(tomllib.loads("\n".join(examples)))
    assert has_terms(uncommented) and all(term_regex(term) for term in uncommented.include_terms)


def test_the_demo_keeps_the_programme_topic_terms(workspace) -> None:
    from review.demo.pipeline import prepare_screening

    prepare_screening(workspace, None, lambda _message: None)
    assert "sick leave" in load_criteria(workspace).include_terms
    path = workspace.path("screening", "criteria.toml")
    path.write_text('include = ["own"]\n', encoding="utf-8")
    prepare_screening(workspace, None, lambda _message: None)  # never over criteria someone wrote
    assert load_criteria(workspace).include_terms == ("own",)


def test_without_exclusion_reasons_the_template_list_is_offered(workspace) -> None:
    # The defaults still said "wrong exposure or factor" (the prognostic-factor wording) and had no
    # "duplicate", while the template a new workspace gets listed the general reasons.
    template = parse_criteria(tomllib.loads(template_text())).exclusion_reasons
    path = workspace.path("screening", "criteria.toml")
    path.write_text('include = ["sleep"]\n', encoding="utf-8")
    assert load_criteria(workspace).reasons == template == DEFAULT_REASONS


def test_missing_file_gives_defaults(workspace) -> None:
    workspace.path("screening", "criteria.toml").unlink(missing_ok=True)
    criteria = load_criteria(workspace)
    assert criteria.include_terms == () and criteria.reasons == DEFAULT_REASONS


def test_workspace_file_and_table_form(workspace) -> None:
    path = workspace.path("screening", "criteria.toml")
    path.write_text('exclusion_reasons = ["no CMD"]\n[include]\nterms = ["burn*", "burn*", " sick  leave "]\n',
                    encoding="utf-8")
    criteria = load_criteria(workspace)
    assert criteria.include_terms == ("burn*", "sick leave") and criteria.reasons == ("no CMD",)


@pytest.mark.parametrize("text,message", [
    ("include = 'sick'\n", "include: expected a list"),
    ("include = [1]\n", r"include\[1\]: expected a string"),
    ("include = ['']\n", r"include\[1\]: empty term"),
    ("exclude = ['a*b']\n", r"exclude\[1\].*'\*' may only end"),
    # counted from 1 as every other TOML file's lists, and in the table form at the terms' line (rrev29c: include[1],
    # at [include]'s line)
    ("exclude = ['x']\n[include]\nterms = [\n  'a',\n  1,\n]\n", r"criteria.toml:include.terms\[2\]: expected a string, "
                                                                 r"got int \(line 3\)$"),
    ("inclde = ['x']\n", "criteria.toml:inclde: unknown key"),
    ("require_reason_on_exclude = 'yes'\n", "require_reason_on_exclude: expected true or false"),
    ("include = [\n", "criteria.toml"),
])
def test_validation_errors_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "criteria.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        load_criteria(path)


def test_reason_required_on_exclusion_is_off_unless_set(tmp_path: Path) -> None:
    assert parse_criteria(tomllib.loads(template_text())).require_reason_on_exclude is False
    path = tmp_path / "criteria.toml"
    path.write_text("require_reason_on_exclude = true\n", encoding="utf-8")
    assert load_criteria(path).require_reason_on_exclude is True


def test_term_regex_wildcards() -> None:
    assert term_regex("recurren*").findall("Recurrence, recurrent") == ["Recurrence", "recurrent"]
    assert term_regex("sick leave").search("long SICK\nleave") is not None
    assert term_regex("rat").search("ratio") is None
    assert term_regex("behavio?r").search("behaviour") is not None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_term_regex_never_crashes_and_matches_itself(term: str) -> None:
    term = " ".join(term.replace("*", "").replace("?", "").split())
    if not term or not term[0].isalnum() or not term[-1].isalnum():
        return
    assert term_regex(term).search(f"x {term} y") is not None


def test_the_watched_file_keeps_the_last_good_criteria_and_counts_its_reads(workspace) -> None:
    path = workspace.path("screening", "criteria.toml")

    save_later(path, 'include = ["osteo\n', 1)  # broken from the start: nothing good to keep
    watched = CriteriaFile(workspace)
    assert watched.criteria.include_terms == () and watched.criteria.reasons == DEFAULT_REASONS
    assert "criteria.toml" in watched.error and "last good" not in watched.error and watched.version == 0
    assert not watched.reload() and watched.version == 0  # unchanged: not read again
    save_later(path, 'include = ["depress*"]\nrequire_reason_on_exclude = true\n', 2)
    assert watched.reload() and watched.version == 1 and watched.error == ""
    assert watched.criteria.include_terms == ("depress*",) and watched.criteria.require_reason_on_exclude
    save_later(path, 'include = ["osteo\n', 3)  # half-saved: the last good criteria stay, and it says so in one line
    assert watched.reload() and watched.version == 2
    assert watched.criteria.include_terms == ("depress*",) and watched.criteria.require_reason_on_exclude
    assert watched.error.endswith("; the last good criteria stay in use") and "\n" not in watched.error
    assert not watched.reload() and watched.version == 2 and watched.error  # the error stays until a good save
    path.unlink()  # removed: no criteria, no error
    assert watched.reload() and watched.criteria.include_terms == () and watched.error == ""
