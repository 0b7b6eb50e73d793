"""people()'s role kinds read off the org's assignment frame equal those of the clipped assignments."""
import numpy as np
import pandas as pd

from orgraph.analyses._demo import demo_org, example_org
from orgraph.analyses.exposure import _latest_role, assignments


def test_latest_role_of_taken_rows_equals_the_clipped_frame():
    for org in (demo_org(), example_org()):
        frame = org.assignment_frame
        index = org.staff_frame.index
        rows = np.arange(len(index))
        days = pd.to_datetime(np.concatenate([frame["start"].to_numpy(), frame["end"].dropna().to_numpy()]))
        for cut in sorted(set(days))[::3] + [org.censor]:
            cut = pd.Timestamp(cut)
            taken = np.flatnonzero(((frame["start"] < cut) & (frame["end"].clip(upper=cut) > frame["start"]))
                                   .to_numpy())
            clipped = assignments(org, cut)
            assert len(taken) == len(clipped)
            want = _latest_role(org, clipped, rows, index) if len(clipped) else None
            if want is None:
                continue
            got = _latest_role(org, frame, rows, index, taken=taken)
            pd.testing.assert_series_equal(got, want)
