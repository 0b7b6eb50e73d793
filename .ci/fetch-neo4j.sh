#!/usr/bin/env bash
# Pre-fetch the Neo4j Community server jars used by the test suite (tests/neo4jserver.py)
# into ~/.cache/orgraph/neo4j-<version>/lib (or $ORGRAPH_NEO4J_CACHE). The version is pinned
# in .ci/neo4j/pom.xml. Needs Java 17+ and Maven; installs them with apt-get when missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  else
    echo "fetch-neo4j: Java 17 and Maven are needed to run the Neo4j tests" >&2
    exit 1
  fi
fi
python3 "$here/../tests/neo4jserver.py" fetch
