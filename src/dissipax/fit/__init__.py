"""One fitting and inference engine for every dissipax model.

>>> from dissipax.fit import Parameter, least_squares
>>> res = least_squares(model, {"E_a": Parameter(0.5, min=0), "sigma_QF": 1e-4}, T, rho,
...                     sigma=drho)
>>> res.params, res.stderr, print(res.report())

* :class:`Parameter` — start, bounds (by reparametrisation), ``vary``;
* :func:`least_squares` — Levenberg–Marquardt (autodiff Jacobian), weights, masks,
  complex and pytree residuals, multistart, batched and ragged fits in one compiled call;
* :class:`FitResult` — values, stderr, covariance/correlation in physical space, chi2,
  success and a message that says what to change on failure, ``report()``, HTML, JSON;
* :func:`sample` — NumPyro NUTS posterior as ArviZ InferenceData (the ``[bayes]`` extra);
* :func:`minimize` — any scalar objective with optax (L-BFGS, Adam, ...): the likelihoods
  :class:`Gaussian`, :class:`StudentT` (outliers), :class:`LogNormal`, MAP with
  :mod:`.priors` (the same as ``sample``'s), Hessian error bars, batched like least squares.

The pipeline
------------
Every least-squares fit goes through one pipeline (:mod:`.lm`): a validated
:class:`Problem` with a leading batch axis and a mask, a solver module
(:class:`LevenbergMarquardt`: a thin-QR loop for small solves, normal equations from
the Gram matrix and a QR polish for large ones), one post-processing step (covariance
through the transform Jacobian, bounds, the Bates–Watts stationarity test, :class:`Status`
and messages; :mod:`._assess`, inside the compiled solve for large batches) and
hooks the physics packages pass in: :class:`Retry` (re-fit failures with extra starts, keep
the better fit) and :class:`Check` (reject a degenerate optimum).  A
:class:`FitResult` is an equinox pytree whose fields always carry the batch axis (a single
fit is a batch of one, shown as scalars); it is never edited after it is returned.

Compiled once.  The compiled call is keyed on the model function, the parameter layout,
the solver and the *bucketed* shapes: data lengths and batch sizes are padded to the next
``2^k`` or ``3·2^k`` (above 1024: four buckets per octave; masked out), so a 41-point
curve reuses the executable of a 40-point one, and JAX's persistent compilation cache
(on by default, ``dissipax info`` shows where; ``DISSIPAX_JAX_CACHE=0`` turns it off)
keeps executables across processes.
The same function object as ``model`` reuses the compiled fit; a fresh ``lambda`` each
call recompiles.  Changing ``rtol``, ``atol``, starts, bounds or data values does not
recompile; changing ``max_steps``, ``multistart`` or which parameters vary does.

Batched fits and ragged data
----------------------------
``least_squares(..., batched=True)`` vmaps the fit of ONE dataset over the leading axis
of ``y``.  Under ``vmap`` the loop runs until the *slowest* fit of the batch has converged
(converged fits are frozen), so group fits of similar difficulty, give per-fit starts
(``Parameter(value=array_of_shape_(n_batch,))``) when the parameters vary much across the
batch, and re-fit the few failures with :class:`Retry` rather than raising ``max_steps``
for the whole batch.  A fit whose optimum lies beyond a bound ends *on* the bound only
near ``max_steps`` (the internal coordinate keeps moving towards infinity), which makes
the whole batch run that long: fit such curves in their own batch, or fix the parameter.

Curves of different lengths need no padding by hand: :func:`pack_ragged` stacks per-curve
arrays and returns the ``mask`` to pass to :func:`least_squares` (``saturation.fit`` and
``vortex.fit`` take the lists directly).  Masked points change nothing: not chi2, the
Jacobian, ``ndata``, ``redchi`` or the covariance.
"""

from .._checks import DomainError
from . import priors
from ._problem import pack_ragged
from ._status import Status
from .likelihoods import Gaussian, LogNormal, StudentT
from .lm import least_squares
from .minimize import minimize
from .parameters import Parameter
from .policy import Check, Retry
from .posterior import sample
from .result import FitError, FitResult
from .solvers import LevenbergMarquardt

__all__ = ["DomainError", "FitError", "FitResult", "Parameter", "least_squares", "sample"]
__all__ += ["Gaussian", "LogNormal", "StudentT", "minimize", "priors"]
__all__ += ["Check", "LevenbergMarquardt", "Retry", "Status", "pack_ragged"]
