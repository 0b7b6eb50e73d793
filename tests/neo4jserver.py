"""Start and stop a real Neo4j 5.26 Community server for the test suite.

The server is the ``org.neo4j:neo4j`` artifact from Maven Central (version
pinned in ``.ci/neo4j/pom.xml``), its jars fetched once with Maven into a
cache folder (``~/.cache/orgraph/neo4j-<version>/lib``, or
``$ORGRAPH_NEO4J_CACHE``) and run as
``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --home-dir=...
--config-dir=... --console-mode`` on free loopback ports, with auth on.

The initial password is written the way ``neo4j-admin dbms
set-initial-password`` writes it: a ``data/dbms/auth.ini`` line
``neo4j:SHA-256,<hash>,<salt>,1024:`` where the hash is SHA-256 over
``salt + password`` iterated 1024 times. The system database reads that file
when it is created on first start.

Command line::

    python3 tests/neo4jserver.py fetch    # download the jars into the cache
    python3 tests/neo4jserver.py run      # start a server, print its URI, stop on Ctrl-C
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["NEO4J_VERSION", "ServerUnavailable", "Neo4jServer", "fetch_jars", "lib_dir", "TEST_PASSWORD"]

REPO = Path(__file__).resolve().parent.parent
POM = REPO / ".ci" / "neo4j" / "pom.xml"
TEST_PASSWORD = "orgraph-test-password"


def _pinned_version() -> str:
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", POM.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"{POM}: no <neo4j.version> property")
    return match.group(1).strip()


NEO4J_VERSION = _pinned_version()

#: JVM flags the Neo4j launcher passes by default (``server.jvm.additional`` in the
#: shipped neo4j.conf); the --add-opens flags are required on Java 17 for Netty and
#: Neo4j's off-heap memory code.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
]


class ServerUnavailable(RuntimeError):
    """Java, Maven or the jars are missing, or the server did not come up."""


def cache_dir() -> Path:
    base = os.environ.get("ORGRAPH_NEO4J_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "orgraph"
    return root / f"neo4j-{NEO4J_VERSION}"


def lib_dir() -> Path:
    return cache_dir() / "lib"


def _complete_marker() -> Path:
    return cache_dir() / "lib.complete"


def fetch_jars(*, quiet: bool = True) -> Path:
    """Download the server jars with Maven into the cache (once); return the lib folder."""
    lib = lib_dir()
    if _complete_marker().exists() and any(lib.glob("neo4j-*.jar")):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerUnavailable("Maven ('mvn') is not installed; it is needed once to fetch the Neo4j jars")
    tmp = cache_dir() / "lib.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    cmd = [mvn, "-B", "-f", str(POM), "dependency:copy-dependencies",
           f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
    if quiet:
        cmd.insert(1, "-q")
    proc = subprocess.run(cmd, capture_output=quiet, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout or "")[-2000:] + (proc.stderr or "")[-2000:] if quiet else ""
        raise ServerUnavailable(f"fetching Neo4j {NEO4J_VERSION} jars with Maven failed:\n{tail}")
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)
    _complete_marker().write_text(NEO4J_VERSION + "\n")
    return lib


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def auth_ini_line(user: str, password: str, *, salt: bytes | None = None, iterations: int = 1024) -> str:
    """One ``auth.ini`` line, as ``neo4j-admin dbms set-initial-password`` writes it.

    >>> auth_ini_line("neo4j", "orgraph-test-pw", salt=bytes.fromhex(
    ...     "cb8d2f363cdb33aca87e4fe9e0a9b30a3f95003edc01c1e087e2bdcfb209ac42")).split(",")[1]
    'a11bf26e16484fe7115d4cba957637b578d10d3440ff3f468186dae694b453d1'
    """
    salt = salt if salt is not None else secrets.token_bytes(32)
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    for _ in range(iterations - 1):
        digest = hashlib.sha256(digest).digest()
    return f"{user}:SHA-256,{digest.hex()},{salt.hex()},{iterations}:"


class Neo4jServer:
    """A throwaway Neo4j Community server in a temporary home folder.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, *, password: str = TEST_PASSWORD, heap: str = "1g", pagecache: str = "256m",
                 startup_timeout: float = 180.0):
        self.password = password
        self.user = "neo4j"
        self.heap = heap
        self.pagecache = pagecache
        self.startup_timeout = startup_timeout
        self.home: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.bolt_port = 0
        self.http_port = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def log_path(self) -> Path:
        assert self.home is not None
        return self.home / "logs" / "console.log"

    def _write_home(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="orgraph-neo4j-"))
        conf = self.home / "conf"
        for sub in ("conf", "data/dbms", "logs", "plugins", "import", "run"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self.bolt_port, self.http_port = _free_port(), _free_port()
        while self.http_port == self.bolt_port:
            self.http_port = _free_port()
        # The same settings as docker-compose.yml, plus loopback-only ports.
        (conf / "neo4j.conf").write_text("\n".join([
            "dbms.security.auth_enabled=true",
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{self.http_port}",
            "server.https.enabled=false",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=1 files",
            "",
        ]), encoding="utf-8")
        (self.home / "data" / "dbms" / "auth.ini").write_text(
            auth_ini_line(self.user, self.password) + "\n", encoding="utf-8")

    def start(self) -> "Neo4jServer":
        self._write_home()
        try:
            return self._launch()
        except BaseException:
            self.stop()
            raise

    def kill(self) -> None:
        """Kill the server at once (SIGKILL, as a crash or a pulled plug); its home and data stay for :meth:`restart`."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def restart(self) -> "Neo4jServer":
        """Start the server again on the same home folder, data and ports (after :meth:`kill`)."""
        if self.home is None:
            raise ServerUnavailable("restart() needs a server that was started and killed, not stopped")
        return self._launch()

    def _launch(self) -> "Neo4jServer":
        java = shutil.which("java")
        if java is None:
            raise ServerUnavailable("Java is not installed (Neo4j 5.26 needs Java 17 or 21)")
        lib = fetch_jars()
        assert self.home is not None
        cmd = [java, f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS, "-cp", str(lib / "*"),
               "org.neo4j.server.CommunityEntryPoint", f"--home-dir={self.home}",
               f"--config-dir={self.home / 'conf'}", "--console-mode"]
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=self.home, start_new_session=True)
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def _wait_ready(self) -> None:
        import neo4j

        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise ServerUnavailable(f"Neo4j exited with code {self.proc.returncode}:\n{self._log_tail()}")
            if "Started." in self._log_tail(100_000):
                try:
                    with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as drv:
                        drv.verify_connectivity()
                        drv.execute_query("RETURN 1", database_="neo4j")
                    return
                except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
                    last = exc
            time.sleep(0.5)
        raise ServerUnavailable(f"Neo4j did not become ready in {self.startup_timeout:.0f}s ({last}):\n"
                                f"{self._log_tail()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s) and delete its home folder."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> "Neo4jServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "run"
    if what == "fetch":
        print(fetch_jars())
        return 0
    if what == "run":
        with Neo4jServer() as server:
            print(f"Neo4j {NEO4J_VERSION} at {server.uri} (user neo4j, test password from tests/neo4jserver.py); Ctrl-C stops")
            try:
                while server.proc is not None and server.proc.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv))
