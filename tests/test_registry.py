"""The registry is the one list of analyses: a toy analysis added in one entry reaches the CLI, the audit and the maps."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from orgraph import registry
from orgraph.analyses._demo import demo_org
from orgraph.cli import main
from orgraph.cli.analyses import command_for
from orgraph.config import DEFAULTS
from orgraph.errors import AnalysisError, ConfigError
from orgraph.report.findings import candidate
from orgraph.result import Result
from orgraph.settings import analysis_cut, as_of_text


def toy_exits(org, *, window_days=None, as_of=None) -> Result:
    """Exits per person, counted by hand (the toy analysis of these tests)."""
    cut = analysis_cut(org, as_of)
    window = window_days or DEFAULTS["cascades"]["window_days"]
    sf = org.staff_frame
    rows = [{"staff_id": sid, "left": bool(ex)} for sid, ex in zip(sf.index, sf["exited"])]
    return Result("toy", as_of_text(cut), {"window_days": window}, rows, f"{sum(r['left'] for r in rows)} left.",
                  {"people": len(rows)})


def toy_findings(res, ctx):
    return [candidate("toy", f"Toy: {res.summary}", f"Toy: {res.summary}", [], test=None, ratio=None, ci_low=None,
                      ci_high=None, p_value=None, mechanism="descriptive")]


def toy_flags(res, day):
    return {"overloaded": {"S2"}, "reasons": {"S2": ["Toy reason"]}}


TOY = registry.Analysis("toy", toy_exits, "toy exits", "How many people left? A toy.",
                        settings={"window_days": ("cascades", "window_days")},
                        filters=(registry.Filter("left_only", "Only leavers.", lambda r: r["left"]),),
                        findings=toy_findings, flags=toy_flags)


def test_a_toy_analysis_becomes_a_command(monkeypatch):
    import orgraph.cli.analyses as cli_analyses

    monkeypatch.setattr(cli_analyses, "open_source", lambda source: demo_org())
    res = CliRunner().invoke(command_for(TOY), ["DEMO", "--format", "json", "--left-only", "--window-days", "90"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["name"] == "toy" and doc["settings"] == {"window_days": 90}
    assert doc["table"] and all(r["left"] for r in doc["table"])
    assert doc["extras"]["people"] == len(demo_org().data.staff)


def test_the_audit_and_the_maps_pick_up_a_toy_entry(monkeypatch):
    from orgraph.report.audit import run_audit

    monkeypatch.setattr(registry, "ANALYSES", [*registry.ANALYSES, TOY])
    audit = run_audit(demo_org())
    toy = [f for f in audit["findings"] if f["kind"] == "toy"]
    assert len(toy) == 1 and toy[0]["headline"].startswith("Toy: ")
    assert not toy[0]["claim"] and toy[0]["estimated_cost"] == 0     # no test of an effect: said plainly, no dollars
    assert audit["results"]["toy"].name == "toy"
    flags = registry.flags_as_of(demo_org())
    assert "S2" in flags.overloaded and "Toy reason" in flags.reasons["S2"]


def test_every_analysis_command_comes_from_the_registry():
    for a in registry.ANALYSES:
        cmd = main.commands[a.name]
        assert cmd.help == a.help
        names = {p.name for p in cmd.params}
        assert set(a.settings) <= names and {"as_of", "fmt", "source"} <= names


def test_every_setting_option_shows_its_documented_default():
    """Each `[default: N]` in any command's help is the value in config.DEFAULTS for the setting it sets."""
    by_command = {a.name: a.settings for a in registry.ANALYSES}
    checked = 0
    for name, cmd in main.commands.items():
        for p in cmd.params:
            text = getattr(p, "help", None) or ""
            if "[default: " not in text:
                continue
            shown = text.split("[default: ", 1)[1].split("]", 1)[0]
            if not shown[:1].isdigit():
                continue      # a sentence ("the last day in the data"), not a number
            section, key = by_command.get(name, {}).get(p.name) or ("privacy", p.name)
            assert shown == str(DEFAULTS[section][key]), f"orgraph {name} --{p.name}: {shown}"
            assert p.default is None, f"orgraph {name} --{p.name} hard-codes its default"
            checked += 1
    assert checked >= 25


def test_one_analysis_failing_is_a_note_not_a_stop():
    def broken(org, *, as_of=None):
        raise AnalysisError("cannot answer this")

    bad = registry.Analysis("broken", broken, "a broken analysis", "Never answers.")
    results, notes = registry.run_analyses(demo_org(), analyses=[bad, registry.get("cascades")])
    assert results["broken"] is None and results["cascades"].name == "cascades"
    assert notes == ["a broken analysis: not run — cannot answer this"]


def test_an_analysis_that_crashes_is_a_note_and_the_rest_still_runs():
    def crashing(org, *, as_of=None):
        raise ValueError("an edge case nobody foresaw")

    bad = registry.Analysis("crashing", crashing, "a crashing analysis", "Crashes.")
    results, notes = registry.run_analyses(demo_org(), analyses=[bad, registry.get("cascades")])
    assert results["crashing"] is None and results["cascades"].name == "cascades"
    assert notes == ["a crashing analysis: failed (ValueError: an edge case nobody foresaw); everything else was "
                     "run. This is a bug in orgraph: please report it with this message."]


def test_unknown_names_are_clear_errors():
    with pytest.raises(ConfigError, match="no analysis called 'nope'"):
        registry.get("nope")
