from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"))
    file = forms.FileField(
        label=_("文件"), help_text=_("CSV（UTF-8 或 GB18030 编码）或 Excel .xlsx，第一行为表头。")
    )
    owner = forms.CharField(
        label=_("所属单位统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=_("代单位导入专利时填写；本单位导入可留空。也可在文件中提供 owner_credit_code 列。"),
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)
