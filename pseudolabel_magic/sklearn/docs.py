"""The docstring text both meta-estimators share, so the two never drift apart.

:func:`shared_docs` puts :data:`SHARED_PARAMETERS` (every parameter after ``estimator`` and
``student``), :data:`SHARED_ATTRIBUTES` (the fitted attributes both have) and
:data:`REFERENCES` (the works the estimators cite) into a class docstring where it says
``%(shared_parameters)s``, ``%(shared_attributes)s`` and ``%(references)s``; :data:`SCORE_DOC` is the
template of each ``score`` method's docstring. Plain strings only: importing this module
imports nothing.
"""

from __future__ import annotations

SCORE_DOC = """{what} of the labeled rows only; rows whose ``y`` marks them unlabeled are skipped.

        ``cross_val_score`` and ``GridSearchCV`` with the default ``scoring=None`` call this,
        so they score the labeled rows of each test fold (a ``scoring=`` string or scorer
        calls ``predict`` and sees every row, unlabeled ones included).

        Parameters
        ----------
        X : {{array-like, DataFrame}} of shape (n_samples, n_features)
            Test rows.
        y : array-like of shape (n_samples,)
            True targets; {marks} mark a row unlabeled (not scored).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows; those of unlabeled rows are ignored.

        Returns
        -------
        score : float
            {what} on the labeled rows.

        Raises
        ------
        PseudoLabelError
            When every row is unlabeled. ``cross_val_score``/``GridSearchCV`` (default
            ``error_score=np.nan``) then score that fold nan, warning with this message.
        """

#: The parameters both meta-estimators share after ``estimator`` and ``student``, put into
#: each class docstring where it says ``%(shared_parameters)s`` (one text, no drift).
SHARED_PARAMETERS = """select : {"all", "threshold", "k-best", "auto"}, default="all"
        Which pseudo-labels the student gets: every one, those with a confidence of at
        least ``threshold``, the ``k_best`` most confident per round, or ``"auto"`` (the
        benchmark's best and safest strategy, with the guard on).
    threshold : float, default=None
        Minimum teacher confidence in [0, 1] for ``select="threshold"`` (a class
        probability, or for a regressor the agreement of its ensemble's members).
    k_best : int, default=None
        Most confident rows kept per round for ``select="k-best"``.
    rounds : int, default=1
        Teacher/student rounds (the student teaches the next round).
    balance : bool, default=False
        Keep the pseudo-label class mix at the labeled mix (classification).
    soft : bool, default=False
        Weight each pseudo-labelled row by its confidence (through ``sample_weight``).
    pseudo_weight : float, default=1.0
        Weight of every pseudo-labelled row, relative to a labeled row's weight of 1.
    calibrate : bool, default=False
        Rank rows by CalibratedClassifierCV probabilities fitted on train only
        (classification only).
    oof : bool or int, default=False
        Label each unlabeled row with the mean of ``oof`` (True: 5) fold teachers.
    guard : bool, default=None
        Keep the teacher when the student does not score higher on validation (None: on
        under ``select="auto"``).
    curriculum : list of float, default=None
        One threshold per round, relaxing (for example ``[0.99, 0.9, 0.8]``).
    val_size : float or int, default=0.2
        Fraction (or count) of labeled rows held out to score teacher and student.
    cv : int, splitter or None, default=None
        Cross-fit instead of one hold-out: every labeled row is scored once, out of fold
        (``result_.verdict`` says whether pseudo-labelling helped).
    refit : bool or None, default=None
        Fit teacher and student again on every labeled row after scoring (None: True with
        ``cv``); ``final_model_`` is then a refit model.
    allow_leakage : bool, default=False
        Run despite failed leakage checks (the result is marked leaky).
    random_state : int, RandomState or None, default=0
        Seed of the split, the default model and every model whose ``random_state`` is
        None."""

#: The fitted attributes both meta-estimators have, after their own (``classes_``).
SHARED_ATTRIBUTES = """result_ : PseudoLabelResult or None
        The engine's result; None when there was nothing to pseudo-label.
    final_model_ : estimator
        The fitted model that predicts: the student, or the teacher when the guard kept it.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in fit, when ``X`` was a DataFrame with string names."""

REFERENCES = """.. [1] D.-H. Lee, "Pseudo-Label: The Simple and Efficient Semi-Supervised Learning
       Method for Deep Neural Networks", ICML Workshop on Challenges in Representation
       Learning, 2013.
    .. [2] E. Arazo, D. Ortego, P. Albert, N. E. O'Connor and K. McGuinness,
       "Pseudo-Labeling and Confirmation Bias in Deep Semi-Supervised Learning", IJCNN, 2020.
    .. [3] A. Oliver, A. Odena, C. Raffel, E. D. Cubuk and I. J. Goodfellow, "Realistic
       Evaluation of Deep Semi-Supervised Learning Algorithms", NeurIPS, 2018."""


def shared_docs(cls):
    """Put the shared parameters, attributes and references into ``cls``'s docstring."""
    if cls.__doc__:  # None under python -OO
        cls.__doc__ = (cls.__doc__.replace("%(shared_parameters)s", SHARED_PARAMETERS)
                       .replace("%(shared_attributes)s", SHARED_ATTRIBUTES)
                       .replace("%(references)s", REFERENCES))
    return cls
