"""The one FilterSet for patents, shared by the browse page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.models import Industry, Organization, Region

from .identifiers import PatentType
from .ipc import parse_prefix
from .models import Patent, PatentIpc
from .search import keyword_filter, keyword_relevance, query_terms

OWNER_KINDS = [(kind.value, kind.label) for kind in Organization.SUPPLIER_KINDS]

IPC_COLUMNS = {
    "section": "section",
    "class": "klass",
    "subclass": "subclass",
    "main_group": "main_group",
    "code": "code",
}

SORTS = {
    "newest": (F("published_at").desc(nulls_last=True), "-id"),
    "price": (F("asking_price").asc(nulls_last=True), "-id"),
    "-price": (F("asking_price").desc(nulls_last=True), "-id"),
    "filed": (F("application_date").desc(nulls_last=True), "-id"),
    "remaining": (F("expiry_date").desc(nulls_last=True), "-id"),
    "trl": (F("trl").desc(nulls_last=True), "-id"),
    "updated": ("-updated_at", "-id"),
}
RELEVANCE = "relevance"  # the default with a keyword (patents/search.py: keyword_relevance)
SORT_CHOICES = [
    (RELEVANCE, _("相关度")),
    ("newest", _("最新发布")),
    ("price", _("价格从低到高")),
    ("-price", _("价格从高到低")),
    ("filed", _("申请日最近")),
    ("remaining", _("剩余保护期最长")),
    ("trl", _("技术成熟度最高")),
    ("updated", _("最近更新")),
]


def ipc_exists(column: str, value) -> Exists:
    lookup = {"patent_id": OuterRef("pk"), f"{column}__in" if isinstance(value, list) else column: value}
    return Exists(PatentIpc.objects.filter(**lookup))


class PatentFilterSet(django_filters.FilterSet):
    """Keyword, classification, owner, deal and price filters with a ``sort`` parameter."""

    q = django_filters.CharFilter(method="filter_q", label=_("关键词"), max_length=100)
    industry = extend_schema_field(OpenApiTypes.STR)(
        django_filters.ModelMultipleChoiceFilter(
            queryset=Industry.objects.all(),
            to_field_name="code",
            method="filter_industry",
            label=_("产业（代码）"),
        )
    )
    ipc = django_filters.CharFilter(
        method="filter_ipc", label=_("IPC分类"), help_text=_("部、大类、小类、大组或完整分类号，如 H01M")
    )
    ipc_section = django_filters.CharFilter(method="filter_ipc_level", label=_("IPC部"), max_length=1)
    ipc_class = django_filters.CharFilter(method="filter_ipc_level", label=_("IPC大类"), max_length=3)
    ipc_subclass = django_filters.CharFilter(method="filter_ipc_level", label=_("IPC小类"), max_length=4)
    # distinct=False: these are columns of the patent or of its owner (one row per patent), so
    # SELECT DISTINCT over every column (and a COUNT over that) would only cost time.
    patent_type = django_filters.MultipleChoiceFilter(
        choices=PatentType.choices, label=_("专利类型"), distinct=False
    )
    legal_status = django_filters.MultipleChoiceFilter(
        choices=Patent.LegalStatus.choices, label=_("法律状态"), distinct=False
    )
    listing_status = django_filters.MultipleChoiceFilter(
        choices=Patent.ListingStatus.choices, label=_("挂牌状态"), distinct=False
    )
    owner_kind = django_filters.MultipleChoiceFilter(
        field_name="owner__kind", choices=OWNER_KINDS, label=_("权利人类型"), distinct=False
    )
    owner = django_filters.NumberFilter(
        field_name="owner_id",
        label=_("权利人（单位ID）"),
        min_value=1,
        max_value=2**63 - 1,  # SQLite: no overflow
    )
    owner_credit_code = django_filters.CharFilter(
        field_name="owner__credit_code", label=_("权利人统一社会信用代码"), max_length=18
    )
    region = django_filters.ModelChoiceFilter(
        field_name="owner__region", queryset=Region.objects.all(), to_field_name="code", label=_("旗区")
    )
    deal_kind = django_filters.MultipleChoiceFilter(
        choices=Patent.DealKind.choices, method="filter_deal_kind", label=_("交易方式")
    )
    open_license = django_filters.BooleanFilter(label=_("开放许可"))
    use_first_pay_later = django_filters.BooleanFilter(label=_("先使用后付费"))
    sme_fee_waiver = django_filters.BooleanFilter(label=_("中小微企业费用减免"))
    price_min = django_filters.NumberFilter(
        field_name="asking_price", lookup_expr="gte", label=_("最低价格（元）")
    )
    price_max = django_filters.NumberFilter(
        field_name="asking_price", lookup_expr="lte", label=_("最高价格（元）")
    )
    negotiable = django_filters.BooleanFilter(
        field_name="asking_price", lookup_expr="isnull", label=_("面议")
    )
    trl_min = django_filters.NumberFilter(field_name="trl", lookup_expr="gte", label=_("最低技术成熟度"))
    trl_max = django_filters.NumberFilter(field_name="trl", lookup_expr="lte", label=_("最高技术成熟度"))
    dormant = django_filters.BooleanFilter(label=_("沉睡专利"))
    agricultural = django_filters.BooleanFilter(method="filter_agricultural", label=_("涉农专利"))
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label=_("排序"), empty_label=None
    )

    class Meta:
        model = Patent
        fields: list[str] = []

    @property
    def sort_key(self) -> str:
        """The order applied: the one chosen, else relevance when there is a keyword (relevance
        without one is the newest first), else the newest first."""
        data = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        chosen = data.get("sort") or ""
        if chosen in SORTS:
            return chosen
        return RELEVANCE if query_terms(data.get("q") or "") else "newest"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        key = self.sort_key
        if key == RELEVANCE:
            relevance = keyword_relevance(self.form.cleaned_data["q"], table=queryset.model._meta.db_table)
            return queryset.alias(relevance=relevance).order_by(F("relevance").desc(), *SORTS["newest"])
        return queryset.order_by(*SORTS[key])

    def filter_q(self, queryset, name, value):
        return keyword_filter(queryset, value) if value and value.strip() else queryset

    def filter_industry(self, queryset, name, value):
        if not value:
            return queryset
        through = Patent.industries.through
        return queryset.filter(
            Exists(through.objects.filter(patent_id=OuterRef("pk"), industry_id__in=[i.pk for i in value]))
        )

    def filter_agricultural(self, queryset, name, value):
        if value is None:
            return queryset
        through = Patent.industries.through
        agricultural = Exists(
            through.objects.filter(patent_id=OuterRef("pk"), industry__is_agricultural=True)
        )
        return queryset.filter(agricultural if value else ~agricultural)

    def filter_ipc(self, queryset, name, value):
        parsed = parse_prefix(value)
        if parsed is None:
            return queryset.none()
        level, code = parsed
        return queryset.filter(ipc_exists(IPC_COLUMNS[level], code))

    def filter_ipc_level(self, queryset, name, value):
        value = (value or "").strip().upper()
        if not value:
            return queryset
        column = {"ipc_section": "section", "ipc_class": "klass", "ipc_subclass": "subclass"}[name]
        return queryset.filter(ipc_exists(column, value))

    def filter_deal_kind(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for kind in value:
            condition |= Q(**{f"offers_{kind}": True})
        return queryset.filter(condition)

    def filter_sort(self, queryset, name, value):
        return queryset  # ordered last, by filter_queryset (relevance needs the keyword)
