"""Models of the interventions app: the intervention catalogue and plans on cases (catalogue.py), and traded
services sold to schools on top of that catalogue (traded.py)."""

from interventions.models.catalogue import (
    Intervention,
    InterventionPlan,
    InterventionPlanQuerySet,
    InterventionQuerySet,
)
from interventions.models.traded import (
    Booking,
    BookingDate,
    BookingPupil,
    DiscountTier,
    Invoice,
    InvoiceLine,
    OfficerCommitment,
    Package,
    Rate,
    TradedOfficer,
    TradedPolicy,
    TradedService,
)

__all__ = [
    "Booking",
    "BookingDate",
    "BookingPupil",
    "DiscountTier",
    "Intervention",
    "InterventionPlan",
    "InterventionPlanQuerySet",
    "InterventionQuerySet",
    "Invoice",
    "InvoiceLine",
    "OfficerCommitment",
    "Package",
    "Rate",
    "TradedOfficer",
    "TradedPolicy",
    "TradedService",
]
