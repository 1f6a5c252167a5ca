"""The plan form's intervention list is grouped, from the catalogue's own fields (Intervention.funding and .stage):
statutory first, then traded (pay as you use); within each, by stage in the staged model's order, entries for any
stage last. One <optgroup> per group, each entry once."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from interventions.models import Intervention

pytestmark = pytest.mark.django_db

OPTGROUP = re.compile(r'<optgroup label="([^"]*)">(.*?)</optgroup>', re.S)
OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]*)</option>')


def _groups(page: str) -> list[tuple[str, list[str]]]:
    select = re.search(r'<select name="intervention".*?</select>', page, re.S).group(0)
    return [(html_lib.unescape(label), [html_lib.unescape(name) for _, name in OPTION.findall(body)])
            for label, body in OPTGROUP.findall(select)]


def test_plan_form_groups_interventions_statutory_then_traded_each_by_stage(cases_world, world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("interventions:plan_add", args=[cases_world.case_a.pk])).content.decode()
    groups = _groups(page)

    # The order, written out: every (funding, stage) the seeded catalogue has, statutory before traded, stages 1-4
    # and then "any stage".
    stages = [("1_prevention", "Prevention"), ("2_early_intervention", "Early intervention"),
              ("3_targeted_support", "Targeted support"), ("4_legal", "Legal intervention"), ("", "Any stage")]
    fundings = [("statutory", "statutory"), ("payu", "traded (pay as you use)")]
    active = Intervention.objects.active()
    expected = [f"{stage_words} — {funding_words}" for funding, funding_words in fundings
                for stage, stage_words in stages if active.filter(funding=funding, stage=stage).exists()]
    assert [label for label, _ in groups] == expected
    assert expected[0] == "Prevention — statutory" and expected[-1].endswith("traded (pay as you use)")

    by_label = dict(groups)
    assert "Prosecution" in by_label["Legal intervention — statutory"]
    assert "Register audit" in by_label["Prevention — traded (pay as you use)"]
    assert "Parenting contract" in by_label["Targeted support — statutory"]
    # Each active entry offered exactly once, in the group its own fields say.
    offered = [name for _, names in groups for name in names]
    assert sorted(offered) == sorted(active.values_list("name", flat=True))
    for label, names in groups:
        for item in active.filter(name__in=names):
            stage_words = dict(stages)[item.stage]
            assert label == f"{stage_words} — {dict(fundings)[item.funding]}", item.name
    # The empty choice comes first, outside any group.
    assert re.search(r'<select name="intervention"[^>]*>\s*<option value=""[^>]*>Choose an intervention</option>',
                     page)


def test_a_grouped_choice_still_starts_a_plan(cases_world, world, client):
    item = Intervention.objects.get(name="Register audit")
    client.force_login(world.users["la_officer"])
    url = reverse("interventions:plan_add", args=[cases_world.case_a.pk])
    page = client.get(url, {"intervention": item.pk}).content.decode()
    assert re.search(rf'<option value="{item.pk}" selected>Register audit</option>', page)
    response = client.post(url, {"intervention": item.pk, "start_date_0": "23", "start_date_1": "11",
                                 "start_date_2": "2026", "owner": world.users["la_officer"].pk})
    assert response.status_code == 302
    assert cases_world.case_a.plans.filter(intervention=item).exists()
