"""Codes of fixed-width ids listed in ascending order: read off the order, the same as the general way."""
import numpy as np
import pandas as pd
import pyarrow as pa

from orgraph.analyses.continuity import _fixed_bytes, _ordered_codes, fixed_width_codes


def _codes_by_factorize(ids):
    return pd.factorize(np.array(ids, dtype=object), sort=True)[0].tolist()


def test_sorted_ids_across_chunks_get_the_sorted_codes():
    rng = np.random.default_rng(3)
    for width in (8, 9, 12, 16, 17):
        ids = sorted("".join(rng.choice(list("AB01"), width)) for _ in range(200))
        cut = [0, 1, 1, 70, 150, 200]
        arr = pa.chunked_array([pa.array(ids[a:b], type=pa.string()) for a, b in zip(cut, cut[1:])])
        got = fixed_width_codes(arr)
        assert got is not None and got.tolist() == _codes_by_factorize(ids)
        blocks = [_fixed_bytes(c) for c in arr.chunks if len(c)]
        assert _ordered_codes(blocks, len(ids)).tolist() == _codes_by_factorize(ids)


def test_unsorted_or_narrow_ids_are_left_to_the_general_way():
    ids = ["B0000000", "A0000000", "C0000000"]
    assert _ordered_codes([_fixed_bytes(pa.array(ids))], 3) is None
    assert fixed_width_codes(pa.array(ids)).tolist() == _codes_by_factorize(ids)
    # a descent between two chunks only
    arr = pa.chunked_array([pa.array(["A0000001", "A0000002"]), pa.array(["A0000000"])])
    assert _ordered_codes([_fixed_bytes(c) for c in arr.chunks], 3) is None
    assert fixed_width_codes(arr).tolist() == [1, 2, 0]
    # a descent in the second word only (the first eight bytes equal)
    ids = ["AAAAAAAA2", "AAAAAAAA1"]
    assert _ordered_codes([_fixed_bytes(pa.array(ids))], 2) is None
    assert _ordered_codes([_fixed_bytes(pa.array(["C07", "C08"]))], 2) is None     # narrower than 8 bytes


def test_equal_rows_share_a_code():
    ids = ["AAAAAAAA1", "AAAAAAAA1", "AAAAAAAA2", "AAAAAAAA2", "AAAAAAAA2", "ABAAAAAA0"]
    arr = pa.chunked_array([pa.array(ids[:3]), pa.array(ids[3:])])
    assert fixed_width_codes(arr).tolist() == [0, 0, 1, 1, 1, 2]
