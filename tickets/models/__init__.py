from .cases import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseGrade,
    CaseKind,
    CaseNumberCounter,
    CaseStatus,
    SlaState,
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
from .sla import (
    LIVE_TIMER_STATES,
    CaseTimer,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    TimerKind,
    TimerState,
)

__all__ = [
    "LIVE_TIMER_STATES",
    "CaseTimer",
    "SlaEvent",
    "SlaEventKind",
    "SlaPolicy",
    "SlaState",
    "TimerKind",
    "TimerState",
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
