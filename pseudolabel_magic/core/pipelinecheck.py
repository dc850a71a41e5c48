"""A user's Pipeline is used exactly as given; first, one line when it cannot take a column.

Strings into a ``StandardScaler``, or gaps into a ``LogisticRegression`` with no imputer,
would fail inside the run's first fit with scikit-learn's own message. A clone of the
Pipeline's transform steps is tried on a few rows before the run fits anything, and the
column it cannot take is named, with the fix. Only failures that go away without that
column are blamed on it; anything else is left to the run's own fit, which reports it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError
from .preprocessing import FeatureProfile, allows_nan, describe_kind

#: The transform steps are fitted on at most this many train rows, and tried on at most
#: this many rows with a gap from each frame.
PROBE_ROWS = 50


def check_pipeline(pipeline, X: pd.DataFrame, y, role: str, profile: FeatureProfile) -> None:
    """Raise one line when ``pipeline`` cannot take a text/category/date column or a gap.

    Two probes on a clone, before the run fits anything; the user's Pipeline is then used
    exactly as given:

    - text, categories, dates: the transform steps (not the model) are fitted on
      ``PROBE_ROWS`` train rows. When that fails, and succeeds with those columns replaced
      by zeros, the first column that alone makes it fail again is named;
    - missing values, when the final estimator refuses NaN (its tags): rows with a gap
      (from train, validation or the unlabeled rows) go through the fitted transform
      steps; when NaN comes out, the column whose gaps survive is named.

    Any other failure is left to the run's own fit, which reports it.
    """
    steps = getattr(pipeline, "steps", ())
    if not steps:
        return
    from sklearn.base import clone

    sample, target = X.iloc[:PROBE_ROWS], np.asarray(y)[:PROBE_ROWS]

    def fitted(frame):
        """The transform steps fitted on ``frame`` (None when they fail, or there are none)."""
        if len(steps) < 2:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return clone(pipeline[:-1]).fit(frame, target)
        except Exception:
            return False

    odd = [c for c, kind in profile.kinds.items() if kind in ("text", "category", "datetime")]
    transform = fitted(sample) if odd or profile.missing else None
    if transform is False:
        _name_text_culprit(pipeline, sample, odd, role, profile, fitted)
        return
    if not profile.missing or allows_nan(steps[-1][1]):
        return
    gappy = pd.concat([f[profile.features][f[profile.features].isna().any(axis=1)].iloc[:PROBE_ROWS]
                       for f in profile.frames])

    def leaks_nan(frame) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = frame if transform is None else transform.transform(frame)
                if hasattr(out, "tocsr"):  # sparse
                    out = out.data
                return bool(np.isnan(np.asarray(out, dtype="float64")).any())
        except Exception:  # text left for the model, or a transformer that refuses the rows
            return False

    if not leaks_nan(gappy):
        return
    numeric = [c for c in profile.missing if profile.kinds.get(c) in ("numeric", "boolean")][:20]

    def gaps_only_in(col):
        trial = gappy.copy()
        for other in numeric:
            if other != col:
                trial[other] = trial[other].fillna(0)
        return trial

    culprit = next((c for c in numeric if leaks_nan(gaps_only_in(c))), profile.missing[0])
    from .textnames import model_name

    raise PseudoLabelError(
        f"the {role} Pipeline ({model_name(pipeline)}) passes the missing values of column "
        f"{culprit!r} to {type(steps[-1][1]).__name__}, which does not take them; put "
        f"SimpleImputer() before it in the Pipeline, or pass the bare model and the default "
        f"preprocessing is added in front.")


def _name_text_culprit(pipeline, sample, odd, role, profile, fitted) -> None:
    """Raise naming the text/category/date column the transform steps cannot take, if one."""
    if not odd:
        return
    numeric = sample.copy()
    for col in odd:
        numeric[col] = 0.0
    if fitted(numeric) is False:
        return  # it fails without them too: the run's own fit reports it
    culprit = odd[0]
    for col in odd:
        trial = numeric.copy()
        trial[col] = sample[col]
        if fitted(trial) is False:
            culprit = col
            break
    from .textnames import model_name

    raise PseudoLabelError(
        f"the {role} Pipeline ({model_name(pipeline)}) cannot take column {culprit!r}, which "
        f"holds {describe_kind(profile.kinds[culprit])}; encode it inside the Pipeline (e.g. "
        f"skrub.TableVectorizer() first), leave it out with features=[...], or pass the bare "
        f"model and the default preprocessing is added in front.")
