"""Early-warning alerts (issue 15): open, editable, explained rules that flag pupils before absence becomes entrenched.

- ``cases.models.AlertRule``: the rules as data (figures, who it goes to, the guidance it follows), edited in the admin
  site; ``cases.models.Alert``: one episode of a rule holding for a pupil.
- ``rules``: one function per kind of rule, each a set-wise query returning who meets it now, with the evidence.
- ``evidence``: the one-line summary of an alert's evidence, for the list, the page and the export.
- ``services``: ``evaluate_alerts`` (opens, clears and assigns episodes in bulk; nightly, and after each import for
  the schools it touched) and ``alert_mark_done``.
- ``selectors``, ``filters``, ``views``: the alert list (``/cases/alerts/``) and the alert page.
"""
