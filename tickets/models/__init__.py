from .customers import Customer, CustomerCodeCounter

__all__ = ["Customer", "CustomerCodeCounter"]
from .cases import (  # noqa: E402
    Case,
    CaseCategory,
    CaseEvent,
    CaseGrade,
    CaseKind,
    CaseNumberCounter,
    CaseStatus,
)

__all__ += [
    "Case",
    "CaseCategory",
    "CaseEvent",
    "CaseGrade",
    "CaseKind",
    "CaseNumberCounter",
    "CaseStatus",
]
from .contacts import Contact, ContactChannel  # noqa: E402

__all__ += ["Contact", "ContactChannel"]
from .registrations import (  # noqa: E402
    ACTIVE_REGISTRATION_STATUSES,
    CustomerRegistration,
    RegistrationSettings,
    RegistrationStatus,
)

__all__ += [
    "ACTIVE_REGISTRATION_STATUSES",
    "CustomerRegistration",
    "RegistrationSettings",
    "RegistrationStatus",
]
