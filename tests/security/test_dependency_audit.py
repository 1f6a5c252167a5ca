"""The CI dependency audit's reading of pip-audit's report (.ci/audit_report.py): vulnerabilities fail, and a clean
report passes only when every package was audited. No network: packages pip-audit looked up itself need none."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_report.py"
spec = importlib.util.spec_from_file_location("audit_report", SCRIPT)
audit_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_report)

EDITABLE = {"name": "la-attendance-casework", "skip_reason": "distribution marked as editable"}


@pytest.mark.parametrize("deps, expected", [
    ([{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]}], 1),
    ([{"name": "django", "version": "5.2.19", "vulns": []}, EDITABLE], 0),
])
def test_the_report_fails_on_vulnerabilities_only(tmp_path, capsys, deps, expected):
    report = tmp_path / "audit.json"
    report.write_text(json.dumps({"dependencies": deps}))
    assert audit_report.main(str(report), 1 if expected else 0) == expected
    out = capsys.readouterr().out
    if expected:
        assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in out
    else:
        assert "1 installed, 1 audited" in out


def test_a_package_left_unaudited_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(audit_report, "_from_project_record", lambda dep: {
        "name": dep["name"], "version": "1.0", "skip_reason": "pip 1.0: not the latest release (2.0)"})
    report = tmp_path / "audit.json"
    report.write_text(json.dumps({"dependencies": [
        {"name": "pip", "skip_reason": "Dependency not found on PyPI and could not be audited: pip (1.0)"}]}))
    assert audit_report.main(str(report), 0) == 2
    assert "NOT AUDITED:\n  pip 1.0: not the latest release (2.0)" in capsys.readouterr().out


def test_no_report_is_a_failure(tmp_path):
    assert audit_report.main(str(tmp_path / "missing.json"), 1) == 3
