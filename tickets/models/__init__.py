from .cases import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseGrade,
    CaseKind,
    CaseNumberCounter,
    CaseStatus,
)
from .contacts import Contact, ContactChannel
from .customers import Customer, CustomerCodeCounter
from .registrations import (
    ACTIVE_REGISTRATION_STATUSES,
    CustomerRegistration,
    RegistrationEvent,
    RegistrationSettings,
    RegistrationStatus,
)

__all__ = [
    "ACTIVE_REGISTRATION_STATUSES",
    "Case",
    "CaseCategory",
    "CaseEvent",
    "CaseGrade",
    "CaseKind",
    "CaseNumberCounter",
    "CaseStatus",
    "Contact",
    "ContactChannel",
    "Customer",
    "CustomerCodeCounter",
    "CustomerRegistration",
    "RegistrationEvent",
    "RegistrationSettings",
    "RegistrationStatus",
]
