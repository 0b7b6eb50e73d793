"""Words and money: every sentence about a finding, its certainty and its dollars.

Analyses return numbers (:class:`~orgraph.result.Result`); this package turns
them into findings, headlines, captions and the audit, and renderers only draw
what it gives them.
"""
