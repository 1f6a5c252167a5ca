"""Helpers every app may import: web (views), forms, filters, API, admin, jobs, PDF, charts and widgets.

Nothing here imports an app above ``schools`` or any topic package of ``schools``; they import it."""
