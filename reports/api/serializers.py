"""Query parameters of the report endpoints, and the shapes they answer (for the OpenAPI schema;
the views return the dicts built by ``reports.kpi`` as they are)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports import kpi


class KpiQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=kpi.YEAR_MIN,
        max_value=kpi.YEAR_MAX,
        required=False,
        help_text=_("统计年度；省略为最近有记录的年度"),
    )
    district = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("旗区区划代码，如 150622；省略为全市（旗区工作人员为本旗区）"),
    )

    def validate_district(self, value):
        try:
            return kpi.check_district(value)
        except kpi.ApplicationError as error:
            raise serializers.ValidationError(error.message) from error


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=kpi.YEAR_MIN,
        max_value=kpi.YEAR_MAX,
        required=False,
        help_text=_("统计年度；省略为最近有记录的年度"),
    )


class IndicatorSerializer(serializers.Serializer):
    values = serializers.DictField(help_text=_("本年数值：计数为整数，金额为两位小数的字符串（元）"))
    previous = serializers.DictField(help_text=_("上年数值，同上"))
    growth = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text=_("同比增长，保留4位小数；上年为0时为 null")
    )
    average_growth = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=_("相对规划基期的年均增幅，保留4位小数；基期为0或年度不在规划期内时为 null"),
    )
    target = serializers.CharField()
    met = serializers.BooleanField(allow_null=True, help_text=_("年度不在规划期内（未设目标）时为 null"))


class PlanSerializer(serializers.Serializer):
    name = serializers.CharField()
    base_year = serializers.IntegerField()
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()


class KpiReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    district = serializers.CharField(allow_null=True)
    plan = PlanSerializer(allow_null=True, help_text=_("该年度所属的规划期；不在任何规划期内时为 null"))
    indicators = serializers.DictField(
        child=IndicatorSerializer(),
        help_text=_(
            "sme_acquisitions, institution_transfers, smes_benefited, sme_pledge_financing, product_filings"
        ),
    )
    activities = serializers.DictField(
        help_text=_("roadshows, navigation_projects, subsidies, agricultural_patents")
    )


class DistrictKpiSerializer(KpiReportSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DistrictsReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    districts = DistrictKpiSerializer(many=True)


class TrendSeriesSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.ListField(), help_text=_("每年一个数值，与 years 对应"))
    growth = serializers.DictField(child=serializers.ListField(child=serializers.FloatField(allow_null=True)))
    average_growth = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True))
    )
    met = serializers.ListField(child=serializers.BooleanField(allow_null=True))


class TrendSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    indicators = serializers.DictField(child=TrendSeriesSerializer())
    activities = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class FunnelStageSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=kpi.FUNNEL_STAGES)
    label = serializers.CharField()
    count = serializers.IntegerField()


class FunnelSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    district = serializers.CharField(allow_null=True)
    stages = FunnelStageSerializer(many=True)


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=_("无任何活动的旗区不排名：null"))
    code = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    met_count = serializers.IntegerField()
    components = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text=_("中性（两年均无活动）的指标为 null")
    )
    neutral = serializers.ListField(child=serializers.CharField())


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    formula = serializers.CharField()
    weights = serializers.DictField(child=serializers.FloatField())
    districts = RankingRowSerializer(many=True)
