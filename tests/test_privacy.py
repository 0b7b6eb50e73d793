"""Privacy: keyed pseudonyms, references to people in text, and small-cell suppression."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from orgraph.errors import ConfigError
from orgraph.privacy import Pseudonymizer, expand_staff_refs, staff_ref, suppress


def test_pseudonyms_are_keyed_hmac():
    p = Pseudonymizer("k1")
    # worked out directly: "P-" and the first 10 hex digits, upper case, of HMAC-SHA256("k1", "S1")
    expected = "P-" + hmac.new(b"k1", b"S1", hashlib.sha256).hexdigest()[:10].upper()
    assert p("S1") == expected
    assert p("S1") == Pseudonymizer("k1")("S1") == Pseudonymizer(b"k1")("S1") != Pseudonymizer("k2")("S1")
    assert p("S1") != p("S2")


@pytest.mark.parametrize("key", ["", None, b""])
def test_pseudonyms_need_a_key(key):
    with pytest.raises(ConfigError, match="anonymizing needs a key"):
        Pseudonymizer(key)


def test_staff_refs_become_names_or_pseudonyms():
    text = f"Left 45 days after their supervisor {staff_ref('S3')} left; {staff_ref('S9')} stayed"
    assert expand_staff_refs(text, {"S3": "Cy (S3)", "S9": "Ivy (S9)"}.get) == \
        "Left 45 days after their supervisor Cy (S3) left; Ivy (S9) stayed"
    p = Pseudonymizer("k")
    assert expand_staff_refs(text, p) == f"Left 45 days after their supervisor {p('S3')} left; {p('S9')} stayed"
    assert expand_staff_refs("no reference", p) == "no reference"


def test_suppress():
    assert [suppress(v, 5) for v in (0, 1, 4, 5, 2.0, "x", True)] == [0, "<5", "<5", 5, "<5", "x", True]
    assert suppress(10, 11) == "<11" and suppress(-1, 5) == -1
