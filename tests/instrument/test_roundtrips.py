"""Property tests: the TOML writer and the FHIR response round trip."""

from __future__ import annotations

import json
import tomllib

from hypothesis import HealthCheck, given, settings, strategies as st

from review.instrument import fhir
from review.tomlwrite import dumps


keys = st.text(min_size=1, max_size=12)
scalars = st.one_of(st.text(max_size=30), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False, width=64))
leaf_tables = st.dictionaries(keys, st.one_of(scalars, st.lists(st.text(max_size=8), max_size=3)), max_size=4)
documents = st.dictionaries(
    keys, st.one_of(scalars, leaf_tables, st.lists(leaf_tables, min_size=1, max_size=3)), max_size=6)


@given(documents)
def test_toml_writer_round_trips_through_tomllib(document):
    assert tomllib.loads(dumps(document, inline_small_tables=True)) == document


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fhir_response_round_trips_any_answer_set(bank, data):
    answers = {}
    for question in bank.questions:
        if data.draw(st.booleans()):
            answers[question.link_id] = data.draw(st.sampled_from([o.code for o in question.options]))
    read, notes = fhir.read_response(json.dumps(fhir.response(bank, answers)), bank)
    assert read == answers and notes == []
