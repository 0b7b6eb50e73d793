"""Shared fixtures. Neo4j server fixtures live in tests/neo4j_fixtures.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["neo4j_fixtures"] if (Path(__file__).parent / "neo4j_fixtures.py").exists() else []

ROOT = Path(__file__).resolve().parent.parent
RIVERBEND = ROOT / "examples" / "riverbend"


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
