"""The payment queue's FilterSet, shared by the page and its CSV/XLSX download."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from legal.payments.models import PaymentLine
from legal.payments.rules import Problem
from schools.common.filters import GdsFilterSet, RecordNumberFilter

#: What the queue shows when no state is asked for: the payments waiting for a decision.
DEFAULT_STATE = "open"


class PaymentLineFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Reference or payer", method="filter_text")
    problem = django_filters.ChoiceFilter(label="Why it is held", choices=Problem.choices, empty_label="Any reason")
    state = django_filters.ChoiceFilter(
        label="Decided?", method="filter_state", empty_label=None,
        choices=[("open", "Waiting for a decision"), ("decided", "Decided"), ("all", "Every line of every file")])
    file = RecordNumberFilter(label="File number", field_name="file_id",
                              help_text="The number in the file's reference, PF-00012 is 12.")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("paid_on", "paid"), ("amount", "amount"), ("payer", "payer"), ("reference", "reference"),
                ("problem", "problem")),
        field_labels={"paid": "Paid on", "amount": "Amount", "payer": "Payer", "reference": "Reference",
                      "problem": "Why it is held"},
    )

    class Meta:
        model = PaymentLine
        fields = ["q", "problem", "state", "file"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("state"):
            data = data.copy()
            data["state"] = DEFAULT_STATE
        super().__init__(data, *args, **kwargs)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(reference__icontains=value) | Q(payer__icontains=value)) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status=PaymentLine.Status.QUEUED)
        if value == "decided":
            return queryset.filter(status__in=list(PaymentLine.DECIDED))
        return queryset
