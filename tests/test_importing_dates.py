"""Tests for `orgraph import`: date formats: explicit, per field, lists and "auto" with day/month ambiguity reported."""
from __future__ import annotations

import pytest

from orgraph.errors import ConfigError
from orgraph.importing import detect_format

from importing_helpers import by, read, roster


def test_auto_date_format_decided_by_a_disambiguating_value():
    p = detect_format(["03/04/2015", "07/25/2011", ""])
    assert (p.fmt, p.evidence) == ("%m/%d/%Y", "07/25/2011")
    p = detect_format(["03/04/2015", "25/07/2011"])
    assert (p.fmt, p.evidence) == ("%d/%m/%Y", "25/07/2011")
    assert detect_format(["2015-03-04"]).fmt == "%Y-%m-%d"


def test_auto_date_format_ambiguous_is_reported_not_guessed():
    with pytest.raises(ConfigError) as exc:
        detect_format(["3/4/2015", "5/6/2016", "12/1/2019"])
    msg = str(exc.value)
    assert "cannot decide the day/month order" in msg
    assert 'Set date_format = "%m/%d/%Y" or "%d/%m/%Y"' in msg


def test_auto_date_format_mixed_orders_is_an_error():
    with pytest.raises(ConfigError, match="mix day/month orders: '07/25/2011' is only M/D/YYYY but "
                                          "'25/07/2011' is only D/M/YYYY"):
        detect_format(["07/25/2011", "25/07/2011", "01/02/2020"])


def test_auto_dates_in_an_import_are_pooled_over_date_columns(tmp_path):
    # hire dates alone are ambiguous; a termination date decides the order
    s, out = roster(tmp_path, "1,A,03/04/2015,11/30/2016,Quit,OP,T,\n2,B,05/06/2016,,,OP,T,\n",
                    date_format="auto")
    assert s["date_format"] == {"format": "%m/%d/%Y", "detected": True, "evidence": "11/30/2016"}
    assert by(read(out, "staff"))["1"]["hire_date"] == "2015-03-04"
    with pytest.raises(ConfigError, match="cannot decide"):
        roster(tmp_path, "1,A,03/04/2015,,,OP,T,\n", date_format="auto")


def test_explicit_date_format_rejects_rows_that_do_not_fit(tmp_path):
    s, out = roster(tmp_path, "1,A,7/5/2011,,,OP,T,\n2,B,2011-07-05,,,OP,T,\n", date_format="%m/%d/%Y")
    assert by(read(out, "staff"))["1"]["hire_date"] == "2011-07-05"
    rej = read(out, "rejected")
    assert [(r["source_line"], r["rule"]) for r in rej] == [("3", "bad-date")]
    assert rej[0]["reason"] == "hire_date (hired): '2011-07-05' is not a date in the format M/D/YYYY (%m/%d/%Y)"


def test_per_field_date_formats(tmp_path):
    s, out = roster(tmp_path, "1,A,2011-07-05,30/11/2012,Quit,OP,T,\n",
                    date_formats={"termination_date": "%d/%m/%Y"})
    assert by(read(out, "staff"))["1"]["termination_date"] == "2012-11-30"


def test_date_format_list_and_auto_mixed_year_widths(tmp_path):
    s, out = roster(tmp_path, "1,A,7/5/2011,,,OP,T,\n2,B,07/10/15,,,OP,T,\n",
                    date_format=["%m/%d/%Y", "%m/%d/%y"])
    staff = by(read(out, "staff"))
    assert (staff["1"]["hire_date"], staff["2"]["hire_date"]) == ("2011-07-05", "2015-07-10")
    s, out = roster(tmp_path, "1,A,7/25/2011,,,OP,T,\n2,B,07/10/15,,,OP,T,\n", date_format="auto")
    assert s["date_format"]["format"] == "%m/%d/%Y or %m/%d/%y" and s["rows_imported"] == 2
    with pytest.raises(ConfigError, match='"auto" cannot be part of a list'):
        roster(tmp_path, "1,A,7/25/2011,,,OP,T,\n", date_format=["auto", "%m/%d/%Y"])


def test_rejected_rows_cannot_carry_a_formula_into_a_spreadsheet(tmp_path):
    s, out = roster(tmp_path, '1,"=HYPERLINK(""http://evil"",""x"")",not a date,,,OP,T,\n', date_format="%m/%d/%Y")
    rej = read(out, "rejected")
    assert rej[0]["rule"] == "bad-date"
    assert '\'=HYPERLINK("http://evil","x")' in rej[0].values()
