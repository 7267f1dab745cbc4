"""Engine versions: which version of the ranking recipe a model ranks with, and which made a stored ranking.

Kept apart from ``ranker`` (numpy, scipy) so that ``review status`` names a stored ranking's engine without loading
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Version of the ranking recipe; stored in every model_info. 2: no presumed-irrelevant
#: sample once PRESUMED_IRRELEVANT_UNTIL of the set is known to be relevant. 3: a record
#: without text is an all-zero row, not one shared "(empty)" term (docs/decisions/0013). 4: the
#: SVM's objective minimised by a Newton method instead of liblinear (same model; decision 0017).
#: 5: settings by the set's size (decision 0019): below ``SMALL_SET_RECORDS`` records ASReview's u4
#: SVM and text features (``feature_config_for``), from there on version 4 with a floor on the
#: relevant records' weight; ``svm-newton`` keeps version 4 and ``svm-liblinear`` version 3.
#: 6: below ``SMALL_SET_RECORDS`` records ASReview's own loop (decision 0024): no presumed-irrelevant
#: sample, a retrain after every label in a simulation, and the title twice; ``svm-e5`` keeps version 5.
#: 7: from ``SMALL_SET_RECORDS`` records the word rows are pivoted length-normalised with slope
#: ``LARGE_SET_PIVOT_SLOPE`` (decisions 0054 and 0058). Decision 0060 made version 6 the default again
#: (``svm``, also ``svm-e6``); version 7 is the model ``svm-e7`` by name.
#: 8: at every size the title is read twice without the bigram of its last word and its first (decision 0073,
#: ``FeatureConfig.title_apart``): the default (``svm``, also ``svm-e8``); version 6 stays by name, ``svm-e6``.
#: 9: version 8 with, from ``SMALL_SET_RECORDS`` records, the ``wordhy`` tokens (decision 0074): words of two or more
#: characters, hyphens split except in a word compound ("opt-out" one term, "4-week" and "8-week" share "week"). The
#: default (``svm``, also ``svm-e9``); version 8 stays by name, ``svm-e8``.
ENGINE_VERSION = 9


#: The models that keep an earlier engine version at every size, by name: ``svm-e8``, ``svm-e7``, ``svm-e6`` and
#: ``svm-e5`` say it, ``svm-newton`` and ``svm-liblinear`` keep versions 4 and 3 (the defaults before decision 0019).
NAMED_ENGINES = {"svm-e8": 8, "svm-e7": 7, "svm-e6": 6, "svm-e5": 5, "svm-newton": 4, "svm-liblinear": 3}


def engine_version(model: str) -> int:
    """The engine version ``model`` ranks with, as ``model_info`` and ``review simulate`` record it: the earlier one
    its name keeps (``NAMED_ENGINES``), else ``ENGINE_VERSION``: the default (``svm``, ``svm-e9``), and ``logistic``,
    ``nb`` and ``ensemble``, which no engine version changed (they record the version in force)."""
    return NAMED_ENGINES.get(model, ENGINE_VERSION)  # "default" is ``svm``


def stored_engine(model_info: Mapping[str, Any]) -> int | None:
    """The engine version that made a stored ranking (``model_info``), None for a fallback order or a model that is
    not the SVM. Read from the name where it keeps an earlier version: before 2026-12-07 every model recorded the
    version in force (6), ``svm-e7`` and ``svm-newton`` too."""
    model = str(model_info.get("model", ""))
    if model_info.get("fallback") is not None or not model.startswith("svm"):
        return None
    if model in NAMED_ENGINES:
        return NAMED_ENGINES[model]
    engine = model_info.get("engine")
    return engine if isinstance(engine, int) else None
