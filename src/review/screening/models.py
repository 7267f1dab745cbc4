"""Classifiers that score records for relevance, each seeded and described by a dict.

All models see class imbalance through class weights ("balanced": each class weighs as much
as the other in the loss), so one or two relevant records already pull the ranking. Scores
are "higher = more likely relevant"; ``probabilities`` are calibrated enough for recall
estimates (Platt scaling for the SVM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

# scikit-learn (1-2 s to import, and it imports pandas) loads in ``fit``: the names of this
# module are read by ``review simulate --help`` and the TUI before any model is fitted.

#: What ``model="default"`` means; chosen by the mean over four development tasks (both
#: shared sets × both labels, benchmarks/screening_dev.py). The SVM and logistic regression
#: were within noise of each other; ensembles with naive Bayes were as good on most runs but
#: failed badly when the one relevant prior was atypical (naive Bayes keeps ranking records
#: like it long after the reviewer rejects them).
#: Engine version 6 again by decision 0060 (engine version 7, ``svm-e7``, judged together with the stopping rule
#: on seeds 66–70, lost a calcium-channel blockers run under every rule and saved no excess). ``svm`` names the
#: default engine, as it did before engine version 7. Engine version 8 by decision 0073 (the title's repeat apart),
#: 9 by decision 0074 (the ``wordhy`` tokens from 1,000 records); a stored or scripted ``svm`` follows the default,
#: ``svm-e8`` keeps version 8 and ``svm-e6`` version 6.
DEFAULT_MODEL = "svm"

#: The SVM's C on the coarse grid 0.03 / 0.1 / 0.3 / 1: 0.3 and 1 beat 0.1 and 0.03 on the
#: mean of all three metrics over the four tasks and were within noise of each other; 0.3
#: costs a third less CPU per fit.
SVM_C = 0.3

#: How ``svm`` is minimised: "newton" (``svm_newton``: numpy and scipy.sparse, no scikit-learn import;
#: engine version 4, decision 0017) or "liblinear" (scikit-learn's dual coordinate descent, engine
#: version 3: ``svm-liblinear`` reproduces its orders).
SVM_SOLVER = "newton"

#: Engine version 5 (decision 0019): ``svm`` on a set of fewer than this many records takes
#: ASReview's u4 settings (``SMALL_SET_SVM_C``, ``SMALL_SET_POSITIVE_RATIO``; with their text features,
#: ``ranker.feature_config_for``); on larger sets engine version 4's, each relevant record weighing at
#: least ``RELEVANT_WEIGHT_FLOOR`` irrelevant ones. 1,000 is the issue's line for large sets, not tuned.
#: Engine version 6 (decision 0024) keeps that model and runs ASReview's loop below the line
#: (``small_set_loop``), with the title twice.
SMALL_SET_RECORDS = 1000
SMALL_SET_SVM_C = 0.11
SMALL_SET_POSITIVE_RATIO = 9.8

#: On sets of ``SMALL_SET_RECORDS`` or more, the relevant class's ratio in a fit is raised to
#: floor · n_relevant / n_irrelevant when balanced weighting gives a relevant record less than this
#: many irrelevant records' weight (labelled rows rich in relevant records: 3-4 at a fifth relevant).
RELEVANT_WEIGHT_FLOOR = 9.8

#: ``svm`` uses ``SVM_SOLVER`` and the settings for the set's size (engine version 9, the default, decision 0074;
#: ``svm-e9`` names it too): engine version 6's model on features with the title's repeat apart and, from
#: ``SMALL_SET_RECORDS`` records, the ``wordhy`` tokens (``ranker.feature_config_for``); ``svm-e8`` is engine version
#: 8 (the title's repeat apart, engine version 6's tokens; the default from decision 0073 to 0074); ``svm-e6`` is
#: engine version 6 (the default from decision 0060 to 0073);
#: ``svm-e7`` is engine version 7 (version 6 on
#: pivoted length-normalised rows from ``SMALL_SET_RECORDS``, ``ranker.feature_config_for``); ``svm-e5`` is
#: engine version 5's default (the same model, below ``SMALL_SET_RECORDS`` records with the title once,
#: the presumed-irrelevant sample and adaptive retraining); ``svm-liblinear`` and ``svm-newton`` name
#: the solver and keep engine versions 3 and 4's settings at every size (the previous defaults).
MODEL_NAMES: tuple[str, ...] = ("logistic", "svm", "svm-e9", "svm-e8", "svm-e7", "svm-e6", "svm-e5", "svm-liblinear",
                                "svm-newton", "nb", "ensemble")

#: The names of the size-dependent default SVM, current and earlier engine versions (one model).
_SIZED_SVMS = ("svm", "svm-e9", "svm-e8", "svm-e7", "svm-e6", "svm-e5")


class Classifier(Protocol):
    name: str

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> "Classifier": ...

    def scores(self, X: sp.csr_matrix) -> np.ndarray: ...

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray: ...

    def predict(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]: ...

    def info(self) -> dict[str, Any]: ...


#: Total weight of the relevant class relative to the irrelevant class in every fit.
#: 1 is sklearn's "balanced"; screening rewards erring towards relevance (a missed relevant
#: record costs far more than an extra abstract), and ASReview's tuning on the 26 SYNERGY
#: sets landed near 10 for its SVM (ELAS u4, ``balanced`` ratio 9.8).
POSITIVE_RATIO = 1.0


def _balanced_weights(y: np.ndarray, ratio: float = 1.0, scale: str = "mean") -> np.ndarray:
    """Sample weights giving the relevant class ``ratio`` times the irrelevant class's total.

    ``scale="mean"`` makes the weights average 1 (the regularisation strength stays put as
    the labelled set grows); ``scale="positive"`` gives each relevant record weight 1, as
    ASReview's balancer does, so the loss grows with the relevant records found and the
    fit is strongly regularised while they are few.
    """
    n_pos = max(int(y.sum()), 1)
    n_neg = max(len(y) - n_pos, 1)
    weights = np.where(y == 1, ratio / n_pos, 1.0 / n_neg)
    if scale == "positive":
        return weights * (n_pos / ratio)
    return weights * (len(y) / weights.sum())


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -40, 40)))


def _linear(X: sp.csr_matrix, coef: np.ndarray | None, intercept: float) -> np.ndarray:
    """``X @ coef + intercept`` straight on the sparse matrix (skips sklearn's input checks)."""
    if coef is None:
        raise RuntimeError("model used before fit")
    return np.asarray(X @ coef).ravel() + intercept


def _platt(decision: np.ndarray, y: np.ndarray, steps: int = 25) -> tuple[float, float]:
    """Platt scaling (Newton's method on a, b of sigmoid(a·d + b)) with balanced weights."""
    weights = _balanced_weights(y)
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = _sigmoid(a * decision + b)
        grad = np.array([np.sum(weights * (p - y) * decision), np.sum(weights * (p - y))])
        w = weights * p * (1 - p) + 1e-9
        hess = np.array([[np.sum(w * decision**2), np.sum(w * decision)],
                         [np.sum(w * decision), np.sum(w)]]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-6:
            break
    return float(a), float(b)


class _LinearScores:
    """Scores, probabilities and predictions of a fitted linear model (``coef``, ``intercept``)."""

    __slots__ = ()
    coef: np.ndarray | None
    intercept: float

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        return _linear(X, self.coef, self.intercept)

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        return self.predict(X)[1]

    def predict(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        scores = self.scores(X)
        return scores, _sigmoid(scores)


@dataclass(slots=True)
class LogisticModel(_LinearScores):
    """L2 logistic regression, liblinear (fastest for a few hundred labelled rows)."""

    seed: int
    C: float = 1.0
    ratio: float = field(default_factory=lambda: POSITIVE_RATIO)
    scale: str = "mean"
    name: str = "logistic"
    coef: np.ndarray | None = field(default=None, repr=False)
    intercept: float = 0.0

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> "LogisticModel":
        from sklearn.linear_model import LogisticRegression

        # Dual coordinate descent: far fewer labelled rows than features.
        model = LogisticRegression(C=self.C, solver="liblinear", dual=True, random_state=self.seed,
                                   max_iter=200).fit(X, y, sample_weight=_balanced_weights(y, self.ratio, self.scale))
        self.coef, self.intercept = model.coef_.ravel(), float(model.intercept_[0])
        return self

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "C": self.C, "solver": "liblinear-dual", "positive_ratio": self.ratio,
                "weight_scale": self.scale}


def _linear_svc(X: sp.csr_matrix, y: np.ndarray, C: float, seed: int,
                sample_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``coef_`` and ``intercept_`` of ``LinearSVC(C=C, random_state=seed, dual=True,
    max_iter=2000).fit(X, y, sample_weight)``, through the liblinear wrapper that ``fit`` calls.

    ``LinearSVC.fit`` first validates X and y (dataframe checks, target type, a unique) and
    builds an estimator: ~0.7 ms of a ~5 ms fit, and a simulation fits hundreds of times on
    inputs the ranker built. ``_fit_liblinear`` is private to scikit-learn, so this falls back
    to ``LinearSVC`` if it moves or its parameters change; tests/screening/test_models_equivalence.py
    holds the two equal.
    """
    try:
        from sklearn.svm._base import _fit_liblinear

        # Every argument by name: a scikit-learn that renames or drops one raises TypeError and
        # falls back below, instead of silently reading a value into the wrong place.
        coef, intercept, _ = _fit_liblinear(
            X, y, C=C, fit_intercept=True, intercept_scaling=1.0, class_weight=None, penalty="l2", dual=True,
            verbose=0, max_iter=2000, tol=1e-4, random_state=seed, loss="squared_hinge", sample_weight=sample_weight)
    except (ImportError, TypeError):  # pragma: no cover - a scikit-learn whose private helper changed
        from sklearn.svm import LinearSVC

        model = LinearSVC(C=C, random_state=seed, dual=True, max_iter=2000).fit(X, y, sample_weight=sample_weight)
        coef, intercept = model.coef_, model.intercept_
    return coef, intercept


@dataclass(slots=True)
class SvmModel(_LinearScores):
    """Linear SVM (squared hinge loss, the intercept a regularised weight as in liblinear), Platt-scaled
    on its training scores for probabilities.

    ``solver`` "newton" starts from ``start`` (weights with the intercept last, e.g. the previous
    fit's ``solution``) when it has the matrix's width: consecutive fits of a session are close.
    """

    seed: int
    C: float = SVM_C
    ratio: float = field(default_factory=lambda: POSITIVE_RATIO)
    scale: str = "mean"
    name: str = "svm"
    solver: str = field(default_factory=lambda: SVM_SOLVER)
    #: > 0: each relevant record weighs at least this many irrelevant ones in a fit (the class ratio
    #: is raised to relevant_floor · n_relevant / n_irrelevant when ``ratio`` gives less).
    relevant_floor: float = 0.0
    coef: np.ndarray | None = field(default=None, repr=False)
    intercept: float = 0.0
    start: np.ndarray | None = field(default=None, repr=False)
    #: ‖xᵢ‖² of the next fit's rows when the caller has them (``Features.squared_row_norms`` sliced).
    row_norms: np.ndarray | None = field(default=None, repr=False)
    solution: np.ndarray | None = field(default=None, repr=False)
    _platt: tuple[float, float] | None = None
    _train: Any = field(default=None, repr=False)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> "SvmModel":
        ratio = self.ratio
        if self.relevant_floor:
            n_relevant = max(int(y.sum()), 1)
            ratio = max(ratio, self.relevant_floor * n_relevant / max(len(y) - n_relevant, 1))
        weights = _balanced_weights(y, ratio, self.scale)
        if self.solver == "liblinear":
            coef, intercept = _linear_svc(X, y, self.C, self.seed, weights)
            self.solution = np.append(coef.ravel(), intercept[0])
        elif self.solver == "newton":
            from .svm_newton import solve

            start = self.start if self.start is not None and self.start.size == X.shape[1] + 1 else None
            norms = self.row_norms if self.row_norms is not None and self.row_norms.size == X.shape[0] else None
            self.solution = solve(X, np.where(y == 1, 1.0, -1.0), self.C * weights, start=start,
                                  row_norms=norms).weights
        else:
            raise ValueError(f"SVM solver {self.solver!r}: expected liblinear or newton")
        self.coef, self.intercept = self.solution[:-1], float(self.solution[-1])
        self._train = (X, y)  # Platt scaling is fitted on first use: rankings rarely need it
        self._platt = None
        return self

    def predict(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        scores = self.scores(X)
        if self._platt is None:
            train_X, train_y = self._train
            self._platt = _platt(self.scores(train_X), train_y)
        a, b = self._platt
        return scores, _sigmoid(a * scores + b)

    def info(self) -> dict[str, Any]:
        if self.solver == "newton":
            from .svm_newton import TOLERANCE

            solver: dict[str, Any] = {"solver": "newton", "tol": TOLERANCE}
        else:
            solver = {"solver": "liblinear-dual", "tol": 1e-4}
        floor = {"relevant_weight_floor": self.relevant_floor} if self.relevant_floor else {}
        return {"name": self.name, "C": self.C, "loss": "squared_hinge", "positive_ratio": self.ratio,
                "weight_scale": self.scale, **floor, "calibration": "platt", **solver}


@dataclass(slots=True)
class NaiveBayesModel(_LinearScores):
    """Complement naive Bayes (robust under imbalance), log-odds as scores."""

    seed: int
    alpha: float = 0.3
    complement: bool = True
    name: str = "nb"
    coef: np.ndarray | None = field(default=None, repr=False)
    intercept: float = 0.0

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> "NaiveBayesModel":
        # With two classes both variants are linear in the term weights:
        # log-odds = X @ (log θ1 − log θ0) (+ log prior ratio for the multinomial variant),
        # θc = smoothed term shares of class c. Computed directly: sklearn's per-call input
        # checks cost more than the arithmetic at this size.
        weights = _balanced_weights(y)
        per_class = []
        for label in (0, 1):
            counts = np.asarray(X.T @ (weights * (y == label))).ravel() + self.alpha
            per_class.append(np.log(counts / counts.sum()))
        self.coef = per_class[1] - per_class[0]
        if self.complement:
            self.intercept = 0.0
        else:
            self.intercept = float(np.log(weights[y == 1].sum() / weights[y == 0].sum()))
        return self

    def info(self) -> dict[str, Any]:
        kind = "complement" if self.complement else "multinomial"
        return {"name": self.name, "alpha": self.alpha, "variant": kind, "balance": "sample_weight"}


@dataclass(slots=True)
class EnsembleModel:
    """Mean of the members' standardised scores: robust when one model misfires."""

    seed: int
    members: list[Any] = field(default_factory=list)
    name: str = "ensemble"

    def __post_init__(self) -> None:
        if not self.members:
            self.members = [LogisticModel(self.seed), SvmModel(self.seed), NaiveBayesModel(self.seed)]

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> "EnsembleModel":
        for member in self.members:
            member.fit(X, y)
        return self

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        return np.mean([_standardise(m.scores(X)) for m in self.members], axis=0)

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        return self.predict(X)[1]

    def predict(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        outputs = [m.predict(X) for m in self.members]
        scores = np.mean([_standardise(s) for s, _ in outputs], axis=0)
        return scores, np.mean([p for _, p in outputs], axis=0)

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "members": [m.info() for m in self.members], "combine": "mean_z_score"}


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 0 else 1.0)


def resolve_model(name: str) -> str:
    """The model a name means: "default" is ``DEFAULT_MODEL``."""
    return DEFAULT_MODEL if name == "default" else name


def fit_name(name: str) -> str:
    """One name per fit, for comparing what a stored result was fitted with: a sized SVM at the engine version ``svm``
    ranks with is ``svm`` ("default" and ``svm-e9`` while ``ENGINE_VERSION`` is 9: ``make_model`` and
    ``ranker.feature_config_for`` treat them alike), every other name as ``resolve_model`` gives it."""
    from .engines import engine_version

    resolved = resolve_model(name)
    if resolved in _SIZED_SVMS and engine_version(resolved) == engine_version("svm"):
        return "svm"
    return resolved


def known_model(name: str) -> bool:
    """Whether ``name`` is a model this engine fits ("default" or one of ``MODEL_NAMES``)."""
    return resolve_model(name) in MODEL_NAMES


def uses_sklearn(name: str) -> bool:
    """Whether fitting model ``name`` imports scikit-learn (only the Newton SVM and naive Bayes do not)."""
    resolved = resolve_model(name)
    if resolved in _SIZED_SVMS:
        return SVM_SOLVER == "liblinear"
    return resolved not in ("svm-newton", "nb")


def small_set_settings(name: str, n_records: int) -> bool:
    """Whether ``name`` ranks a set of ``n_records`` records with the small-set settings (engine
    versions 5 and 6): the one place that says so, for the model here and its features
    (``ranker.feature_config_for``), so the two never follow different rules."""
    return resolve_model(name) in _SIZED_SVMS and n_records < SMALL_SET_RECORDS


def small_set_loop(name: str, n_records: int) -> bool:
    """Whether ``name`` on a set of ``n_records`` records runs ASReview's own loop (engine version 6,
    decision 0024): the title twice, no presumed-irrelevant records in a fit (``ranker.rank``), and in
    a simulation a retrain after every label (``simulate``'s "engine" schedule)."""
    return resolve_model(name) in ("svm", "svm-e9", "svm-e8", "svm-e7", "svm-e6") and n_records < SMALL_SET_RECORDS


def make_model(name: str, seed: int, n_records: int) -> Classifier:
    """A fresh classifier by name ("default" resolves to ``DEFAULT_MODEL``) for a set of ``n_records``
    records (the default SVM's settings depend on it, ``small_set_settings``)."""
    resolved = resolve_model(name)
    if resolved == "logistic":
        return LogisticModel(seed)
    if resolved in _SIZED_SVMS:
        if small_set_settings(resolved, n_records):
            return SvmModel(seed, C=SMALL_SET_SVM_C, ratio=SMALL_SET_POSITIVE_RATIO, name=resolved)
        return SvmModel(seed, relevant_floor=RELEVANT_WEIGHT_FLOOR, name=resolved)
    if resolved in ("svm-liblinear", "svm-newton"):
        return SvmModel(seed, name=resolved, solver=resolved.removeprefix("svm-"))
    if resolved == "nb":
        return NaiveBayesModel(seed)
    if resolved == "ensemble":
        return EnsembleModel(seed)
    raise ValueError(f"model {name!r}: expected one of default, {', '.join(MODEL_NAMES)}")
