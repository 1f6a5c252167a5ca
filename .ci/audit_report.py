"""Reads pip-audit's JSON report and completes it where pip-audit could not look a package up.

pip-audit asks PyPI for each installed version's advisories (/pypi/<name>/<version>/json). Where that fails (it
reports the package as "not found" and still says "No known vulnerabilities found"), the project's own record
(/pypi/<name>/json) is asked instead: it lists the advisories of the latest release, so a package installed at its
latest release is audited from it; any other is named as not audited, with the latest release beside it.

Exit 0: every package audited, no known vulnerability; 1: a known vulnerability; 2: some packages not audited;
3: no report.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from pip._internal.models.index import PyPI

# PyPI's address as pip itself defines it (its JSON API lives under pypi_url).
PROJECT_JSON = PyPI.pypi_url + "/{name}/json"


def _installed_version(dep: dict) -> str:
    if dep.get("version"):
        return dep["version"]
    # pip-audit's skip reason ends "... could not be audited: NAME (VERSION)".
    return dep["skip_reason"].rsplit("(", 1)[-1].rstrip(")")


def _from_project_record(dep: dict) -> dict:
    name, version = dep["name"], _installed_version(dep)
    try:
        with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=30) as response:
            record = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        return {"name": name, "version": version, "skip_reason": f"{name} {version}: PyPI did not answer ({exc})"}
    latest = record["info"]["version"]
    if latest != version:
        return {"name": name, "version": version,
                "skip_reason": f"{name} {version}: not the latest release ({latest}), whose advisories are all "
                               "PyPI lists here"}
    vulns = [{"id": v["id"], "fix_versions": v.get("fixed_in") or []}
             for v in record.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return {"name": name, "version": version, "vulns": vulns}


def main(path: str, rc: int) -> int:
    try:
        with open(path) as handle:
            deps = json.load(handle)["dependencies"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"pip-audit produced no report (exit {rc}): {exc}")
        return 3
    # The project itself (installed editable, --skip-editable) is this repository, not a dependency.
    deps = [d for d in deps if "marked as editable" not in (d.get("skip_reason") or "")]
    skipped = [d for d in deps if d.get("skip_reason")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        completed = list(pool.map(_from_project_record, skipped))
    deps = [d for d in deps if not d.get("skip_reason")] + completed
    vulnerable = [d for d in deps if d.get("vulns")]
    not_audited = [d for d in deps if d.get("skip_reason")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
    print(f"Python packages: {len(deps)} installed, {len(deps) - len(not_audited)} audited "
          f"({len(deps) - len(not_audited) - (len(skipped) - len(not_audited))} by pip-audit, "
          f"{len(skipped) - len(not_audited)} from PyPI's project records), {len(not_audited)} not audited, "
          f"{sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities")
    if vulnerable:
        return 1
    if not_audited:
        print("NOT AUDITED:")
        for d in sorted(not_audited, key=lambda d: d["name"]):
            print(f"  {d['skip_reason']}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
