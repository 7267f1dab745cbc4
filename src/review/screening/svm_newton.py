"""The L2-regularised squared-hinge linear SVM, solved by a Newton method without scikit-learn.

It minimises exactly liblinear's primal objective (``LinearSVC(loss="squared_hinge", dual=True)``
with ``intercept_scaling=1``: the intercept is one more regularised weight on a column of ones)

    f(w) = ½‖w‖² + Σᵢ Cᵢ · max(0, 1 − yᵢ w·x̃ᵢ)²,   x̃ᵢ = (xᵢ, 1),   Cᵢ = C · sample weightᵢ,

with numpy and scipy.sparse only (importing scikit-learn costs over a second, decision 0017).
The problem is strictly convex, so it has one minimiser whichever method finds it.

f is piecewise quadratic. On the rows A whose margin loss is positive it is the ridge problem
½‖w‖² + Σ_A Cᵢ(yᵢ − w·x̃ᵢ)² (yᵢ² = 1), whose minimiser is w = X̃_Aᵀα with
(D + X̃_A X̃_Aᵀ)α = y_A, D = diag(1 / 2Cᵢ). Each generalised Newton step solves that system with
conjugate gradients in the space of the labelled rows (a few hundred numbers, where w has tens
of thousands), preconditioned by its diagonal and started from the α the current w implies,
then goes to the exact minimum of f on the segment towards that solution (a one-dimensional
piecewise quadratic, solved through its breakpoints). It stops once ‖∇f‖ ≤ ``tol`` · ‖∇f(0)‖.
With C = 0.3 and balanced weights nearly every row keeps a positive loss, so one step usually
finishes a fit; warm-started from the previous fit of a session it needs about ten CG iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Relative gradient norm at which the solver stops. On 645 fits of simulations of four sets this
#: gives an objective below liblinear's (tol 1e-4 on its dual) at every fit; 1e-5 did not on 7 of
#: kwok's 268 (decision 0017, clause 1; docs/benchmarks/svm-solver-2026-12-05.md).
TOLERANCE = 1e-6

#: Newton steps before giving up (a fit on the shared sets takes 1-3).
MAX_NEWTON_STEPS = 50


@dataclass(slots=True, frozen=True)
class Solution:
    """Weights with the intercept last (``weights[-1]``), and how the solver got there."""

    weights: np.ndarray
    newton_steps: int
    cg_steps: int
    gradient_norm: float
    converged: bool


def objective(X: sp.csr_matrix, y: np.ndarray, costs: np.ndarray, weights: np.ndarray) -> float:
    """f(w) above; ``y`` in {-1, +1}, ``weights`` with the intercept last."""
    margins = np.maximum(0.0, 1.0 - y * (X @ weights[:-1] + weights[-1]))
    return float(0.5 * _squared_norm(weights) + costs @ (margins * margins))


def _squared_norm(vector: np.ndarray) -> float:
    # Not ``vector @ vector``: BLAS splits a dot product of over 10,000 numbers across its threads,
    # and waking them cost up to a millisecond per call on two busy cores.
    return float(np.einsum("i,i->", vector, vector))


def solve(
    X: sp.csr_matrix, y: np.ndarray, costs: np.ndarray, start: np.ndarray | None = None,
    tol: float = TOLERANCE, max_steps: int = MAX_NEWTON_STEPS, row_norms: np.ndarray | None = None,
) -> Solution:
    """Minimise f from ``start`` (zeros if None): ``y`` in {-1, +1}, ``costs`` = C · sample weights > 0.

    ``row_norms``: ``squared_row_norms(X)`` where the caller has them (rows of a larger matrix's, sliced).
    """
    n_rows, n_columns = X.shape
    y = np.asarray(y, dtype=np.float64)
    costs = np.asarray(costs, dtype=np.float64)
    X_t = X.T
    if row_norms is None:
        row_norms = squared_row_norms(X)  # ‖xᵢ‖², for the CG preconditioner
    half_inverse = 0.5 / costs
    # ∇f(0) = −2 X̃ᵀ(C∘y) (every loss is 1 at w = 0): the scale the tolerance is relative to.
    cy = 2.0 * costs * y
    start_product = X_t @ cy
    start_norm = np.sqrt(_squared_norm(start_product) + cy.sum() ** 2)
    if start_norm <= 1e-12 * float(np.abs(cy).sum()):
        # ∇f(0) is rounding noise, so w = 0 is the minimiser (every row empty, balanced weights).
        return Solution(weights=np.zeros(n_columns + 1), newton_steps=0, cg_steps=0, gradient_norm=0.0,
                        converged=True)
    stop = tol * start_norm
    # From w = 0 (a cold start) every score is 0, every row active and β = 2C∘y: Xᵀβ is the ∇f(0) product
    # just made, and so is the first CG step's Xᵀα (it starts from β). Reused, not recomputed: the same
    # numbers (the same product of the same vector), three of a cold fit's ~30 sparse products fewer.
    cold = start is None
    weights = np.zeros(n_columns + 1) if cold else np.array(start, dtype=np.float64)
    scores = np.zeros(n_rows) if cold else X @ weights[:-1] + weights[-1]
    steps = cg_total = 0
    gradient_norm = np.inf
    while True:
        loss = 1.0 - y * scores
        active = loss > 0.0
        # ∇f = w − X̃ᵀβ with βᵢ = 2Cᵢ(yᵢ − zᵢ) on A, 0 elsewhere; β is also the α that w implies.
        beta = np.where(active, 2.0 * costs * (y - scores), 0.0)
        from_zero = cold and steps == 0
        product_of_beta = start_product if from_zero else X_t @ beta
        gradient = weights.copy()
        gradient[:-1] -= product_of_beta
        gradient[-1] -= beta.sum()
        gradient_norm = np.sqrt(_squared_norm(gradient))
        if gradient_norm <= stop or steps == max_steps:
            break
        # CG starts from β, which is zero off A: its Xᵀ product is the gradient's, just made.
        alpha, cg_steps = _conjugate_gradients(X, X_t, active, half_inverse, row_norms, y, beta,
                                               np.where(active, 2.0 * costs, 0.0), 0.5 * stop,
                                               start_product=product_of_beta)
        cg_total += cg_steps
        direction = np.empty(n_columns + 1)
        direction[:-1] = X_t @ alpha
        direction[-1] = alpha.sum()
        direction -= weights
        along = X @ direction[:-1] + direction[-1]
        step = _exact_step(weights, direction, loss, y * along, costs)
        steps += 1
        if step <= 0.0:  # no descent left at this precision
            break
        weights += step * direction
        scores += step * along
    return Solution(weights=weights, newton_steps=steps, cg_steps=cg_total, gradient_norm=float(gradient_norm),
                    converged=bool(gradient_norm <= stop))


def squared_row_norms(X: sp.csr_matrix) -> np.ndarray:
    """‖xᵢ‖² of every row. A row's value depends on its own entries only (each row's segment summed alone),
    so the norms of a matrix's rows, sliced, are bit for bit those of a matrix made of those rows."""
    norms = np.zeros(X.shape[0])
    filled = np.diff(X.indptr) > 0
    if filled.any():
        norms[filled] = np.add.reduceat(X.data * X.data, X.indptr[:-1][filled])
    return norms


def _conjugate_gradients(
    X: sp.csr_matrix, X_t: sp.csc_matrix, active: np.ndarray, half_inverse: np.ndarray, row_norms: np.ndarray,
    target: np.ndarray, start: np.ndarray, two_costs: np.ndarray, limit: float,
    start_product: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Solve (D + X̃_A X̃_Aᵀ)α_A = target_A from ``start`` (zero off A) by preconditioned CG; returns
    α (zero off A) and the iterations.

    The step's gradient is about X̃_Aᵀ(2C∘r) for the residual r: CG stops once the bound
    (max 2Cᵢ·‖r‖)² + (Σ 2Cᵢrᵢ)² on its square, weights then intercept, is at most ``limit``²
    (without the 2C scale, large C stalled in many short Newton steps). The preconditioner is the
    diagonal of D + X_A X_Aᵀ plus the intercept's column of ones, 11ᵀ, exactly (Sherman-Morrison):
    a fifth fewer iterations than the diagonal of the whole matrix. The rows off A stay in the
    products, masked: at C = 0.3 they are a handful, and copying A's rows out of X cost more.
    ``start_product``: X_t @ α's start (``start`` zeroed off A) where the caller has it.
    """
    all_active = bool(active.all())

    def product(v: np.ndarray, transposed: np.ndarray | None = None) -> np.ndarray:
        image = X @ (X_t @ v if transposed is None else transposed) + (v.sum() + half_inverse * v)
        return image if all_active else np.where(active, image, 0.0)

    # (diag(d) + 11ᵀ)⁻¹r = r/d − (1ᵀ(r/d)) / (1 + Σ 1/d) · 1/d, with dᵢ = 1/2Cᵢ + ‖xᵢ‖² on A.
    inverse = np.where(active, 1.0 / (half_inverse + row_norms), 0.0)
    spread = inverse / (1.0 + inverse.sum())

    def precondition(r: np.ndarray) -> np.ndarray:
        scaled = inverse * r
        return scaled - spread * scaled.sum()

    largest = float(two_costs.max())
    alpha = np.where(active, start, 0.0)
    residual = np.where(active, target, 0.0) - product(alpha, start_product)
    z = precondition(residual)
    search = z.copy()
    rz = float(residual @ z)
    for iteration in range(10 * target.size + 10):
        if largest * largest * float(residual @ residual) + float(two_costs @ residual) ** 2 <= limit * limit:
            return alpha, iteration
        image = product(search)
        step = rz / float(search @ image)
        alpha += step * search
        residual -= step * image
        z = precondition(residual)
        rz_next = float(residual @ z)
        search *= rz_next / rz
        search += z
        rz = rz_next
    return alpha, 10 * target.size + 10


def _exact_step(weights: np.ndarray, direction: np.ndarray, loss: np.ndarray, change: np.ndarray,
                costs: np.ndarray) -> float:
    """The t > 0 minimising f(w + t·d), given loss = 1 − y·z and change = y·(X̃d).

    φ'(t) = w·d + t d·d − 2 Σ Cᵢ changeᵢ max(0, lossᵢ − t changeᵢ) is increasing and linear
    between the breakpoints t = lossᵢ / changeᵢ, where a row leaves or joins the active set.
    """
    wd, dd = float(np.einsum("i,i->", weights, direction)), _squared_norm(direction)
    active = (loss > 0.0) | ((loss == 0.0) & (change < 0.0))
    slope = dd + 2.0 * float(costs[active] @ (change[active] ** 2))
    value = wd - 2.0 * float(costs[active] @ (change[active] * loss[active]))  # φ'(0)
    if value >= 0.0:  # not a descent direction
        return 0.0
    # Leaving (active, change > 0) or joining (inactive, change < 0) at a positive t.
    moves = ((change > 0.0) & (loss > 0.0)) | ((change < 0.0) & (loss < 0.0))
    points = loss[moves] / change[moves]
    order = np.argsort(points, kind="stable")
    points = points[order]
    slope_change = (2.0 * costs[moves] * change[moves] ** 2 * np.where(change[moves] > 0.0, -1.0, 1.0))[order]
    # slopes[k] holds on the segment ending at points[k]; values[k] is φ' at points[k].
    slopes = slope + np.concatenate([[0.0], np.cumsum(slope_change)])
    values = value + np.cumsum(slopes[:-1] * np.diff(points, prepend=0.0))
    reached = np.flatnonzero(values >= 0.0)  # breakpoints where φ' is no longer negative
    k = int(reached[0]) if reached.size else points.size
    start, at_start = (0.0, value) if k == 0 else (float(points[k - 1]), float(values[k - 1]))
    return start - at_start / float(slopes[k])
