"""Plain data: turn numpy, pandas and date values into what JSON can hold.

Used by analyses (which return plain data) and by every renderer.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

__all__ = ["jsonable"]


def jsonable(value):
    """Make a value JSON-serializable: dates to ISO strings, numpy scalars to Python, NaN to None.

    Examples
    --------
    >>> jsonable({"d": dt.date(2024, 1, 2), "x": np.int64(3), "y": float("nan"), "z": pd.NaT})
    {'d': '2024-01-02', 'x': 3, 'y': None, 'z': None}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict("records")]
    if value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
