"""Forms of the finance pages, one module per concern like the views: the records (with the
deal actions), the market features and the conversion pages. They parse input (application
numbers, organizations, dates); the services validate and write, and their errors are put back on
the form's fields."""

from .conversion import ContractForm, FollowUpAnswerForm, OpenLicenseTakeForm, SignedOnForm
from .market import CandidatePledgeForm, CaseConsentForm, TypicalCaseForm
from .records import (
    DATE,
    DealForm,
    InsurancePolicyForm,
    OrganizationField,
    PatentNumbersField,
    PaymentForm,
    PledgeForm,
    ProductFilingForm,
    RegisterForm,
    ServiceForm,
    SubsidyForm,
    TerminateForm,
)

__all__ = [
    "DATE",
    "CandidatePledgeForm",
    "CaseConsentForm",
    "ContractForm",
    "DealForm",
    "FollowUpAnswerForm",
    "InsurancePolicyForm",
    "OpenLicenseTakeForm",
    "OrganizationField",
    "PatentNumbersField",
    "PaymentForm",
    "PledgeForm",
    "ProductFilingForm",
    "RegisterForm",
    "ServiceForm",
    "SignedOnForm",
    "SubsidyForm",
    "TerminateForm",
    "TypicalCaseForm",
]
