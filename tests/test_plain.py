"""Plain data: the JSON text written faster is the json module's text, character for character."""
from __future__ import annotations

import json
import random
import string

import numpy as np
import pytest

from orgraph import plain
from orgraph.plain import json_text


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + '"\\\n\t}{[],: é漢\x01\u2028') for _ in range(rng.randint(0, 6)))


def _value(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 3 or r < 0.4:
        return rng.choice([None, True, False, rng.randint(-10**15, 10**15), rng.random() * 10 ** rng.randint(-20, 20),
                           _text(rng), float("nan"), float("inf"), -float("inf"), 1e16, -0.0, 0])
    if r < 0.6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if r < 0.75:   # lists of flat records, short and long (the long ones take the one-call path)
        return [{_text(rng): _value(rng, 9) for _ in range(rng.randint(0, 3))} for _ in range(rng.choice([2, 20]))]
    if r < 0.8:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    return {rng.choice([_text(rng), rng.randint(0, 9), 1.5, True, None]): _value(rng, depth + 1)
            for _ in range(rng.randint(0, 5))}


@pytest.mark.parametrize("indent", [1, 2])
def test_json_text_is_the_json_modules_text(indent):
    rng = random.Random(7)
    for _ in range(3000):
        v = _value(rng)
        assert json_text(v, indent=indent) == json.dumps(v, indent=indent, ensure_ascii=False), v


def test_json_text_of_records_and_of_what_json_cannot_write():
    rows = [{"kind": "staff", "id": f"S{i}", "fte": 1.0, "name": "a},\n {b"} for i in range(plain._RECORDS_AT_ONCE)]
    doc = {"nodes": rows, "graph": {"as_of": "2024-06-30"}, "n": np.float64(0.5)}   # a float subclass
    assert json_text(doc, indent=1) == json.dumps(doc, indent=1, ensure_ascii=False)
    assert json_text(rows, indent=2).count("\n  {\n") == len(rows)
    with pytest.raises(TypeError):
        json_text({"x": [np.int64(1)]})


def test_flat_records_agrees_with_checking_each_record():
    cases = [[{"a": 1, "b": "x", "c": None, "d": 1.5, "e": True}] * 3, [{"a": 1}, {}], [{"a": 1}, {"b": [1]}],
             [{"a": 1}, {"b": np.float64(0.5)}], [{"a": 1}, ["a"]], [{"a": {"b": 1}}], [], [{"a": np.int64(1)}]]
    for rows in cases:
        assert plain._flat_records(rows) == all(plain._flat_record(d) for d in rows)
    # a list with one non-flat record among many goes the slow way, and still writes what json writes
    rows = [{"id": i, "fte": 1.0} for i in range(plain._RECORDS_AT_ONCE)] + [{"id": "x", "tags": ["a", "b"]}]
    assert json_text(rows, indent=1) == json.dumps(rows, indent=1, ensure_ascii=False)


def _jsonable_plain(value):
    """jsonable as a plain chain of isinstance checks (what its fast paths must agree with)."""
    import datetime as dt
    import math

    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): _jsonable_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_jsonable_plain(v) for v in items]
    if isinstance(value, pd.DataFrame):
        return [_jsonable_plain(r) for r in value.to_dict("records")]
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


def test_jsonable_fast_paths_agree_with_the_plain_checks():
    import collections
    import datetime as dt

    import numpy as np
    import pandas as pd

    from orgraph.plain import jsonable

    doc = {"s": "x", "i": 3, "b": True, "n": None, "f": 2.5, "nan": float("nan"), "inf": float("-inf"),
           np.str_("npkey"): np.float64(1.5), 7: np.int64(4), "npnan": np.float64("nan"), "d": dt.date(2024, 1, 2),
           "ts": pd.Timestamp("2024-03-04"), "nat": pd.NaT, "dt64": np.datetime64("NaT"),
           "list": [1, "a", None, float("nan"), [np.int32(2), {"k": dt.date(2020, 1, 1)}], (1, 2)],
           "tuple": (np.bool_(True), "t"), "set": {"b", "a"}, "ordered": collections.OrderedDict(z=np.int8(1)),
           "frame": pd.DataFrame({"a": [1, 2], "b": [np.nan, 1.0]}), "nested": {"x": {"y": [{"z": np.float32(0.5)}]}}}
    got, want = jsonable(doc), _jsonable_plain(doc)
    assert repr(got) == repr(want)
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
