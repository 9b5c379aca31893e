"""Numerical thresholds of the fit pipeline's post-processing (one place, no import cycles)."""

#: relative eigenvalue of the normalised JᵀJ below which the covariance is called singular
SINGULAR_RCOND = 1e3

#: largest relative offset (Bates & Watts 1981; :func:`dissipax.fit.lm.stationarity`) of a
#: converged fit: one more Gauss-Newton step would move the parameters by at most this
#: fraction of their confidence region's radius.  Bates & Watts propose 1e-3.  Measured:
#: float64 fits stopped by the Cauchy test end at <= 2e-7 (500 bad starts of the joint
#: vortex fit) and ~1e-10 (default starts); the spurious stops of that study at 3.6-13;
#: float32 fits at 3e-5 (quadratic), 1.6e-4 (saturation.fit), 6.3e-4 (vortex.fit, 6
#: parameters), and ill-conditioned float32 fits (cond(J) >~ 1e4) at 4e-3-7e-2, flagged.
OFFSET_TOL = 1e-3

#: tolerances below this many eps of the working dtype are raised to it: the Cauchy test
#: would then pass only on a step that rounds to nothing
TOL_FLOOR_EPS = 10
