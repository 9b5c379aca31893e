"""One fitting and inference engine for every dissipax model.

>>> from dissipax.fit import Parameter, least_squares
>>> res = least_squares(model, {"E_a": Parameter(0.5, min=0), "sigma_QF": 1e-4}, T, rho,
...                     sigma=drho)
>>> res.params, res.stderr, print(res.report())

* :class:`Parameter` — start, bounds (by reparametrisation), ``vary``;
* :func:`least_squares` — Levenberg–Marquardt (optimistix, autodiff Jacobian), weights,
  complex and pytree residuals, multistart, batched fits in one compiled call;
* :class:`FitResult` — values, stderr, covariance/correlation in physical space, chi2,
  success and a message that says what to change on failure, ``report()``, HTML, JSON;
* :func:`sample` — NumPyro NUTS posterior as ArviZ InferenceData (the ``[bayes]`` extra);
* :func:`minimize` — any scalar objective with optax (L-BFGS, Adam, ...): the likelihoods
  :class:`Gaussian`, :class:`StudentT` (outliers), :class:`LogNormal`, MAP with
  :mod:`.priors` (the same as ``sample``'s), Hessian error bars, batched like least squares.

Batched fits and how to group them
----------------------------------
``least_squares(..., batched=True)`` vmaps the fit of ONE dataset over the leading axis
of ``y`` and compiles it once.  Under ``vmap`` the Levenberg–Marquardt loop runs until the
*slowest* fit of the batch has converged (converged fits are frozen, but still pay for
every step), and ``max_steps`` is shared.  So:

* group fits of similar difficulty: curves of the same model and regime (e.g. all
  failed-insulator fields of one sample together, the failed-superconductor fields in
  another call), with similar noise and similar starts; a batch of 1000 easy curves
  costs about as many steps as its hardest member;
* give per-fit starts when the parameters vary much across the batch
  (``Parameter(value=array_of_shape_(n_batch,))``), e.g. from a cheap estimate on each
  curve; starts set the internal scale of each parameter (see :mod:`.parameters`);
* a fit whose optimum lies beyond a bound ends *on* the bound only at ``max_steps`` (the
  internal coordinate keeps moving towards infinity; a KKT check then reports it converged,
  see :mod:`.lm`), so it makes the whole batch run ``max_steps`` iterations: where many
  curves are expected to pin a parameter, fit them in their own batch, or fix it;
* re-fit the few failures (``~result.success``) separately with ``multistart`` or better
  starts, rather than raising ``max_steps`` for the whole batch;
* datasets of different lengths: batch curves of equal length together, or pad to a
  common length with a huge finite ``sigma`` (e.g. 1e30) on the padded points, so that
  they contribute nothing to chi2 (``ndata`` still counts them: correct ``redchi`` and,
  with ``scale_covar=True``, the covariance by ``(ndata - nvary)/(n_real - nvary)``);
* keep the batch within memory: the cost is ``n_batch × n_starts`` Jacobians of
  ``ndata × nvary`` per step.

The same function object as ``model`` reuses the compiled fit across calls with the same
shapes; changing ``rtol``, ``atol`` or ``scale_covar`` does not recompile, changing ``max_steps``,
``multistart`` or which parameters vary does.
"""

from .._checks import DomainError
from . import priors
from .likelihoods import Gaussian, LogNormal, StudentT
from .lm import least_squares
from .minimize import minimize
from .parameters import Parameter
from .posterior import sample
from .result import FitError, FitResult

__all__ = ["DomainError", "FitError", "FitResult", "Parameter", "least_squares", "sample"]
__all__ += ["Gaussian", "LogNormal", "StudentT", "minimize", "priors"]
