"""Shared fixtures. Neo4j server fixtures live in tests/neo4j_fixtures.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["neo4j_fixtures"] if (Path(__file__).parent / "neo4j_fixtures.py").exists() else []

ROOT = Path(__file__).resolve().parent.parent
RIVERBEND = ROOT / "examples" / "riverbend"

#: Anonymization keys that meet orgraph.privacy.KEY_RULE (a short key like "k1" is refused).
ANON_KEY = "Test-pseudonym-key-2025"
OTHER_KEY = "Another-test-key-2025"


@pytest.fixture
def bundle(tmp_path):
    """A function writing the small valid base bundle with some files replaced."""
    from bundles import write_bundle

    def make(**files):
        return write_bundle(tmp_path / "bundle", **files)

    return make


@pytest.fixture(scope="session")
def riverbend():
    if not (RIVERBEND / "staff.csv").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("examples/riverbend is missing")
        pytest.skip("examples/riverbend not generated yet")
    import orgraph

    return orgraph.load(RIVERBEND)


@pytest.fixture(scope="session")
def synth_org(tmp_path_factory):
    """A function returning ``(folder, OrgGraph, truth)`` for a synthetic org, generated once per session.

    ``synth_org(staff=400, years=5, seed=1)``: every test that asks for the same
    size and seed shares one generated bundle (extra keyword arguments go to
    :func:`orgraph.synth.generate`).
    """
    import orgraph
    from orgraph.synth import generate

    made: dict = {}

    def make(*, staff: int = 400, years: int = 5, seed: int = 1, **kwargs):
        key = (staff, years, seed, tuple(sorted(kwargs.items())))
        if key not in made:
            folder = tmp_path_factory.mktemp(f"synth-{staff}-{years}-{seed}")
            truth = generate(staff=staff, years=years, seed=seed, out=folder, force=True, **kwargs)
            made[key] = (folder, orgraph.load(folder), truth)
        return made[key]

    return make
