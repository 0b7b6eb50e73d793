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
