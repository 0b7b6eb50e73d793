"""Documentation keeps up with the code: every command and every setting is documented."""
from __future__ import annotations

from pathlib import Path

from orgraph.cli import main
from orgraph.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_is_in_the_readme_and_has_help():
    readme = (ROOT / "README.md").read_text()
    for name, cmd in main.commands.items():
        assert f"orgraph {name}" in readme, f"README does not mention `orgraph {name}`"
        assert (cmd.help or "").strip(), f"`orgraph {name}` has no help text"


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for section, keys in DEFAULTS.items():
        assert f"## [{section}]" in doc, section
        for key in keys:
            assert f"| `{key}` |" in doc, f"[{section}] {key} is not in docs/configuration.md"


def test_readme_gives_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick.split("```bash")[1:]]
    assert blocks == ["pip install . && orgraph audit examples/riverbend --out riverbend-audit",
                      "bash .ci/setup && python3 -m pytest"]
    assert "python3 -m pytest" in (ROOT / ".ci" / "run").read_text()
