"""The PDF of a snapshot is the same bytes whenever it is rendered: the embedded font subsets carried the
clock's second (fontTools' head.modified), so a re-download a second later differed."""

import time_machine

from reporting.rendering import render_pdf
from reporting.tests.test_compile import compile_now


def test_pdf_bytes_do_not_depend_on_the_clock(demo):
    report = compile_now(agreement=demo)
    with time_machine.travel("2027-01-05 10:00:00+00:00", tick=False):
        first = render_pdf(report.snapshot, report.language)
    with time_machine.travel("2027-03-09 17:31:07+00:00", tick=False):
        second = render_pdf(report.snapshot, report.language)
    assert first == second
