"""Forms of the market pages (issue 16): typical cases, consent, a pledge from the candidates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patents.models import Patent
from portal.forms import BootstrapFormMixin
from portal.models import Organization

from ..models import (
    CaseConsent,
    Deal,
    TypicalCase,
)
from .records import PledgeForm


class TypicalCaseForm(BootstrapFormMixin, forms.ModelForm):
    """The text of a typical case; on creation also the deal it tells of (a registered deal)."""

    deal = forms.ModelChoiceField(queryset=Deal.objects.none(), label=_("交易"), required=True)

    class Meta:
        model = TypicalCase
        fields = ["deal", "title", "summary", "story", "results"]
        widgets = {"story": forms.Textarea(attrs={"rows": 8}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, deals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["deal"]
        else:
            self.fields["deal"].queryset = deals if deals is not None else Deal.objects.none()
            self.fields["deal"].label_from_instance = lambda d: (
                f"{d.deal_no} · {d.seller.name} → {d.buyer.name}"
            )

    def _post_clean(self):
        pass  # the service validates and saves

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "deal"}


class CaseConsentForm(BootstrapFormMixin, forms.Form):
    party = forms.ChoiceField(label=_("当事方"), choices=CaseConsent.Party.choices)
    evidence = forms.CharField(
        label=_("同意方式"),
        max_length=300,
        required=False,
        help_text=_("代当事方记录时必填，如“书面同意书（2024-03-01）”。"),
    )


class CandidatePledgeForm(PledgeForm):
    """The pledge form of a bank, opened from a consenting SME's candidates: the borrower is fixed
    and only that SME's candidate patents may be chosen."""

    patents = forms.ModelMultipleChoiceField(
        queryset=Patent.objects.none(), label=_("质押专利"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, borrower, candidates, **kwargs):
        super().__init__(*args, lender_fixed=True, **kwargs)
        self.fields["borrower"].queryset = Organization.objects.filter(pk=borrower.pk)
        self.fields["borrower"].initial = borrower.pk
        self.fields["borrower"].disabled = True
        self.fields["patents"].queryset = candidates
        self.fields["patents"].empty_label = None  # ServiceForm gives choice fields a "please choose"
        self.fields["patents"].label_from_instance = lambda p: f"{p.application_no} {p.title}"
        self.fields["patents"].widget.attrs["class"] = "form-check-input"
