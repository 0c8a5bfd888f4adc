"""A contract as a file: DOCX (``finance.docx``) and PDF (WeasyPrint with the Noto CJK fonts, which it
embeds). Both render the same clauses (``contract_clauses``), following the structure of the
national model contracts (国家知识产权局《专利权转让合同》《专利实施许可合同》模板)."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal.errors import ApplicationError

from .docx import Paragraph, docx_bytes
from .models import Contract, Deal

CJK_FONT = "Noto Serif CJK SC"


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else "—"


def _fee_clause(contract: Contract) -> str:
    modes = Contract.FeeMode
    text = _("付费方式：%(mode)s。合同金额人民币 %(amount)s 元。") % {
        "mode": contract.get_fee_mode_display(),
        "amount": _money(contract.amount),
    }
    if contract.fee_mode == modes.ENTRY_FEE_ROYALTY:
        text += _("其中入门费 %(fee)s 元，") % {"fee": _money(contract.entry_fee)}
    if contract.fee_mode in (modes.ROYALTY, modes.ENTRY_FEE_ROYALTY):
        text += _("提成比例为实施专利所得销售额的 %(rate)s%%。") % {"rate": contract.royalty_rate}
    if contract.payment_terms:
        text += contract.payment_terms
    return text


def contract_clauses(contract: Contract) -> dict:
    """Title, parties and numbered clauses of the contract."""
    patent = contract.patent
    is_license = contract.kind == Deal.Kind.LICENSE
    seller_role, buyer_role = (
        (_("许可方（甲方）"), _("被许可方（乙方）"))
        if is_license
        else (_("转让方（甲方）"), _("受让方（乙方）"))
    )
    clauses = [
        (
            _("专利基本信息"),
            _(
                "专利名称：%(title)s；申请号/专利号：%(no)s；专利类型：%(type)s；申请日：%(filed)s；保护期届满日：%(expiry)s。"
            )
            % {
                "title": patent.title,
                "no": patent.application_no,
                "type": patent.get_patent_type_display(),
                "filed": patent.application_date or "—",
                "expiry": patent.expiry_date or "—",
            },
        ),
    ]
    if is_license:
        clauses += [
            (
                _("许可方式"),
                _("甲方以%(scope)s方式许可乙方实施上述专利。")
                % {"scope": contract.get_license_scope_display()},
            ),
            (_("实施范围"), contract.scope_of_use or "—"),
            (_("实施地域"), contract.territory or "—"),
            (
                _("许可期限"),
                _("自 %(start)s 起至 %(end)s 止，不超过专利权有效期。")
                % {"start": contract.term_starts_on, "end": contract.term_ends_on},
            ),
        ]
    else:
        clauses += [
            (
                _("转让内容"),
                _("甲方将上述专利的专利权转让给乙方；本合同经国家知识产权局登记后，专利权转让生效。"),
            ),
        ]
    clauses += [
        (_("使用费（转让费）及支付方式"), _fee_clause(contract)),
        (
            _("双方义务"),
            _("甲方保证是上述专利的合法权利人，并向乙方交付实施专利所需的技术资料；乙方按约定支付费用。"),
        ),
        (
            _("登记（备案）"),
            _("本合同签订后 3 个月内，由甲方向国家知识产权局办理合同登记（备案）手续。"),
        ),
        (_("其他约定"), contract.other_terms or "—"),
        (
            _("争议解决"),
            _("因本合同引起的争议，双方协商解决；协商不成的，提交合同签订地有管辖权的人民法院诉讼解决。"),
        ),
    ]
    return {
        "title": contract.model_title,
        "subtitle": contract.get_license_scope_display() if is_license else "",
        "contract_no": contract.contract_no,
        "parties": [
            (seller_role, contract.seller.name, contract.seller.credit_code),
            (buyer_role, contract.buyer.name, contract.buyer.credit_code),
        ],
        "clauses": [(i, heading, body) for i, (heading, body) in enumerate(clauses, start=1)],
        "signed_on": contract.signed_on,
        "is_draft": contract.status == Contract.Status.DRAFT,
    }


def contract_docx(contract: Contract) -> bytes:
    data = contract_clauses(contract)
    title = data["title"] + (f"（{data['subtitle']}）" if data["subtitle"] else "")
    paragraphs = [
        Paragraph(title, bold=True, size_pt=18, align="center"),
        Paragraph(_("合同编号：%(no)s") % {"no": data["contract_no"]}, align="right"),
    ]
    if data["is_draft"]:
        paragraphs.append(Paragraph(_("（草稿，未签订）"), align="center"))
    for role, name, code in data["parties"]:
        paragraphs.append(Paragraph(f"{role}：{name}（{_('统一社会信用代码')}：{code or '—'}）"))
    for index, title_, body in data["clauses"]:
        paragraphs.append(Paragraph(_("第%(n)d条 %(title)s") % {"n": index, "title": title_}, bold=True))
        paragraphs.append(Paragraph(body))
    paragraphs.append(Paragraph(""))
    for role, name, _code in data["parties"]:
        paragraphs.append(
            Paragraph(
                _("%(role)s（盖章）：%(name)s        日期：%(date)s")
                % {"role": role, "name": name, "date": data["signed_on"] or "____年__月__日"}
            )
        )
    return docx_bytes(paragraphs, font=CJK_FONT)


def contract_pdf(contract: Contract) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as exc:  # the library or its system libraries (pango) are missing
        raise ApplicationError(_("无法生成 PDF：WeasyPrint 不可用（%(error)s）。") % {"error": exc}) from exc
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_to_string("finance/print/contract.html", {"doc": contract_clauses(contract)})
    return HTML(string=html).write_pdf()
