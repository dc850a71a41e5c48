"""What kind of object a user passed: a Dask frame, a Pipeline's final estimator.

The lowest layer with :mod:`.errors` and :mod:`.steps`: imports nothing heavy (a Dask frame
is recognised by its type's module, so Dask is never imported to ask), so every folder of
the package may use it.
"""

from __future__ import annotations

from typing import Any


def is_dask_frame(obj: Any) -> bool:
    """True for a ``dask.dataframe.DataFrame`` (without importing Dask).

    Parameters
    ----------
    obj : object
        Anything a user passed as a frame.

    Returns
    -------
    bool
        Whether ``obj`` is a partitioned Dask DataFrame (legacy or dask-expr); a Dask Series
        or Array is not a frame.
    """
    module = type(obj).__module__ or ""
    return (module.startswith("dask") and hasattr(obj, "map_partitions")
            and hasattr(obj, "npartitions") and type(obj).__name__ == "DataFrame")


def final_step(model: Any) -> Any:
    """The last step of a scikit-learn ``Pipeline``, else ``model`` itself.

    Parameters
    ----------
    model : estimator
        An estimator or a ``Pipeline``.

    Returns
    -------
    estimator
        ``model[-1]`` for a Pipeline (one level: a nested Pipeline comes back as is).
    """
    return model[-1] if hasattr(model, "steps") else model
