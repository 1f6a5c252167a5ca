"""Demo early-warning alerts: the nightly evaluation, run once as of the demo's day, after the registers, casework,
exclusions and link officers are in, so the alerts land with the people they would go to."""

from __future__ import annotations

from cases.alerts.services import evaluate_alerts
from schools.attendance.demo import REFERENCE_DATE


def load(*, seed: int, stdout=None) -> None:
    counts = evaluate_alerts(today=REFERENCE_DATE)
    if stdout is not None:
        stdout.write(f"Early-warning alerts: {counts['opened']} open as of {REFERENCE_DATE:%-d %B %Y}\n")
