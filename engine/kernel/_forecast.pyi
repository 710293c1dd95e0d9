"""Typed stub of the Cython forecasting kernels (ext/forecast.pyx).

Semantics: the reference model in tests/unit/test_forecast_kernels.py. Arrays must be
C-contiguous with exactly the dtypes below; read-only arrays are accepted for inputs.
y holds units per bucket (>= 0); start[i] is series i's first observation (older buckets ignored).
"""
import numpy as np
import numpy.typing as npt

# method codes
SES: int  # 0: params (alpha,)
HOLT: int  # 1: (alpha, beta, phi), additive damped trend
HOLT_WINTERS: int  # 2: (alpha, beta, gamma, phi), additive seasons of length `season`, damped
CROSTON_SBA: int  # 3: (alpha,), Croston times (1 - alpha / 2)
CROSTON_CLASSIC: int  # 4: (alpha,)
TSB: int  # 5: (alpha_size, alpha_occurrence)
PARAM_COUNT: tuple[int, ...]  # parameter columns per method code

def run(
    method: int,
    y: npt.NDArray[np.float64],  # [n_series, n_buckets]
    start: npt.NDArray[np.int64],  # [n_series]
    params: npt.NDArray[np.float64],  # [n_series, >= PARAM_COUNT[method]]
    horizon: int,
    season: int = 0,
    fitted: npt.NDArray[np.float64] | None = None,  # [n_series, n_buckets], out
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Returns (forecast [n_series, horizon], sigma [n_series]): sigma is the RMS one-step
    in-sample residual, NaN with none. Raises ValueError (shapes, method, too few parameter
    columns) or IndexError (start outside the array)."""
    ...

def fit(
    method: int,
    y: npt.NDArray[np.float64],
    start: npt.NDArray[np.int64],
    grid: npt.NDArray[np.float64],  # [n_candidates, >= PARAM_COUNT[method]]
    horizon: int,
    season: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Grid search per series (least in-sample one-step SSE, first row on ties); returns
    (forecast, sigma, chosen grid row)."""
    ...
