"""The author normaliser of ranking round 9 (benchmarks/record_fields.py) on constructed names: corporate
authors stay whole, particles join the surname in any case, letters NFKD keeps whole are transliterated."""

from __future__ import annotations

from types import ModuleType

import pytest

from script_module import load_script


@pytest.fixture(scope="module")
def fields() -> ModuleType:
    return load_script("benchmarks/record_fields.py", "record_fields_bench")


@pytest.mark.parametrize(("name", "token"), [
    ("Amisulpride Study Group", "amisulpridestudygroup"),
    ("Aripiprazole Study Group", "aripiprazolestudygroup"),
    ("Australia-New Zealand Heart Failure Group", "australianewzealandheartfailuregroup"),
    ("The RESOLVD Investigators", "resolvdinvestigators"),
    ("RESOLVD Investigators", "resolvdinvestigators"),
    ("Writing Committee for the Example Trial", "writingcommitteefortheexampletrial"),
    ("Example Collaborative Research Group", "examplecollaborativeresearchgroup"),
    ("Nordic Society of Cardiology", "nordicsocietyofcardiology"),
])
def test_a_corporate_author_without_a_comma_is_one_token(fields: ModuleType, name: str, token: str) -> None:
    assert fields.author_token(name) == token


def test_two_study_groups_are_two_tokens_not_one_initial(fields: ModuleType) -> None:
    # Before the fix both read as surname "Group", initial "a": one shared token for two groups.
    assert fields.author_tokens("Amisulpride Study Group; Aripiprazole Study Group") == [
        "amisulpridestudygroup", "aripiprazolestudygroup"]


@pytest.mark.parametrize(("name", "token"), [
    ("H Van de Venne", "vandevenne_h"),
    ("H van de Venne", "vandevenne_h"),
    ("M De Kock", "dekock_m"),
    ("M de Kock", "dekock_m"),
    ("E M van Buskirk", "vanbuskirk_e"),
    ("DE Smith", "smith_d"),  # capitals are initials, not the particle "de"
    ("Smith JA", "smith_j"),
    ("Smith, J.", "smith_j"),
])
def test_particles_join_the_surname_in_any_case(fields: ModuleType, name: str, token: str) -> None:
    assert fields.author_token(name) == token


@pytest.mark.parametrize(("name", "token"), [
    ("P Rønnevik", "ronnevik_p"),
    ("Møller, A", "moller_a"),
    ("Łukasz Nowak", "nowak_l"),
    ("Ærø K", "aero_k"),
    ("Strauß, B", "strauss_b"),
    ("José García", "garcia_j"),
])
def test_letters_nfkd_keeps_whole_are_transliterated(fields: ModuleType, name: str, token: str) -> None:
    assert fields.author_token(name) == token


@pytest.mark.parametrize("name", ["et al", "Anonymous", "[No authors listed]", ""])
def test_a_name_that_stands_for_no_author_has_no_token(fields: ModuleType, name: str) -> None:
    assert fields.author_token(name) is None
