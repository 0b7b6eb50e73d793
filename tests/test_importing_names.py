"""Tests for `orgraph import`: name normalisation and the name index used to resolve managers."""
from __future__ import annotations

from orgraph.importing.names import NameIndex, name_tokens


def test_name_normalisation_variants():
    assert name_tokens("LeBlanc, Brandon  R") == name_tokens("Brandon R. LeBlanc") == ("brandon", "r", "leblanc")
    assert name_tokens("  SMITH ,  john ") == ("john", "smith")
    assert name_tokens("José Núñez") == ("jose", "nunez")
    assert name_tokens("Smith John", order="last_first") == ("john", "smith")
    ix = NameIndex()
    ix.add("1", "Reyes, Marco A.")
    ix.add("2", "Chen, Lily")
    assert ix.lookup("Marco Reyes").ids == ("1",) and ix.lookup("Marco Reyes").rule == "no-initials"
    assert ix.lookup("marco a reyes").rule == "full"
    assert ix.lookup("Chen Lily").rule == "any-order"
