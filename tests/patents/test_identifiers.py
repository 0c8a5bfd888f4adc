"""Application numbers and terms of protection, with real numbers."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from patents.identifiers import (
    PatentType,
    check_character,
    expiry_date,
    normalize_application_no,
    parse_application_no,
    years_remaining,
)

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLE = SHARED / "data" / "samples" / "cn_patents_zhongke_sample.csv"
EVAL = SHARED / "eval" / "patents.csv"

# Real numbers from the commercial export sample (../shared/data/samples), as exported.
REAL = {
    "CN202223220665.2": ("202223220665.2", PatentType.UTILITY_MODEL),
    "CN202122975192.6": ("202122975192.6", PatentType.UTILITY_MODEL),
    "CN202121635235.X": ("202121635235.X", PatentType.UTILITY_MODEL),
    "CN202211740332.4": ("202211740332.4", PatentType.INVENTION),
    "CN202310605823.6": ("202310605823.6", PatentType.INVENTION),
}


@pytest.mark.parametrize("raw,expected", [(raw, value) for raw, value in REAL.items()])
def test_real_numbers_parse(raw, expected):
    number = parse_application_no(raw)
    assert (number.canonical, number.patent_type) == expected


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample not available")
def test_every_number_of_the_commercial_sample_is_valid():
    with open(SAMPLE, encoding="utf-8") as fh:
        numbers = [row["申请号"] for row in csv.DictReader(fh)]
    assert len(numbers) == 10
    for raw in numbers:
        assert normalize_application_no(raw) == raw.removeprefix("CN")


@pytest.mark.skipif(not EVAL.exists(), reason="shared eval set not available")
def test_every_number_of_the_eval_set_is_valid_and_an_invention():
    with open(EVAL, encoding="utf-8") as fh:
        numbers = [row["application_no"] for row in csv.DictReader(fh)]
    assert len(numbers) == 3720
    for raw in numbers:
        number = parse_application_no(raw)
        assert number.canonical == raw
        assert number.patent_type == PatentType.INVENTION


@pytest.mark.parametrize(
    "raw",
    [
        "CN202223220665.2",
        "ZL202223220665.2",
        "zl 2022 2322 0665.2",
        "2022232206652",
        "202223220665.2 ",
        "２０２２２３２２０６６５．２",  # full-width, as typed with a Chinese IME
        "CN 202223220665-2".replace("-", "."),
    ],
)
def test_prefixes_spaces_missing_dot_and_full_width_are_accepted(raw):
    assert normalize_application_no(raw) == "202223220665.2"


def test_lower_case_x_is_accepted():
    assert normalize_application_no("CN202121635235.x") == "202121635235.X"
    assert normalize_application_no("202121635235x") == "202121635235.X"


def test_check_character_uses_the_published_weights():
    # 2*2+0*3+2*4+2*5+2*6+3*7+2*8+2*9+0*2+6*3+6*4+5*5 = 156; 156 mod 11 = 2
    assert check_character("202223220665") == "2"
    assert check_character("202121635235") == "X"  # remainder 10 is written X
    assert check_character("89100002") == "X"  # old 8-digit numbers: weights 2..9


@pytest.mark.parametrize(
    "mistyped,expected_check",
    [
        ("202223220665.3", "2"),  # wrong check character
        ("202223202665.2", "X"),  # two digits transposed
        ("202223220656.2", "3"),  # last two digits transposed
        ("202121635235.0", "X"),
    ],
)
def test_mistyped_numbers_name_the_expected_check_character(mistyped, expected_check):
    with pytest.raises(ValidationError) as info:
        parse_application_no(mistyped)
    assert info.value.code == "check"
    message = info.value.messages[0]
    assert "校验位错误" in message and f"应为 {expected_check}" in message


def test_missing_check_character_suggests_the_full_number():
    with pytest.raises(ValidationError) as info:
        parse_application_no("202223220665")
    assert info.value.code == "missing_check"
    assert "202223220665.2" in info.value.messages[0]


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "empty"),
        ("2022232206.2", "length"),
        ("20222322066512.2", "length"),
        ("2022A3220665.2", "format"),
        ("202243220665.0", "type"),  # type digit 4 does not exist
        ("202223220665.23", "format"),
        ("199923220665.0", "year"),
    ],
)
def test_malformed_numbers(raw, code):
    with pytest.raises(ValidationError) as info:
        parse_application_no(raw)
    assert info.value.code == code
    assert info.value.messages[0]  # a Chinese explanation, not an empty message


def test_type_from_the_fifth_digit_including_pct():
    assert parse_application_no(f"202110000001.{check_character('202110000001')}").patent_type == "invention"
    assert parse_application_no(f"202180000001.{check_character('202180000001')}").patent_type == "invention"
    assert (
        parse_application_no(f"202120000001.{check_character('202120000001')}").patent_type == "utility_model"
    )
    assert (
        parse_application_no(f"202190000001.{check_character('202190000001')}").patent_type == "utility_model"
    )
    assert parse_application_no(f"202130000001.{check_character('202130000001')}").patent_type == "design"


def test_old_eight_digit_numbers():
    number = parse_application_no("ZL89100002.X")
    assert (number.canonical, number.patent_type, number.year) == ("89100002.X", "invention", 1989)
    number = parse_application_no(f"02200001.{check_character('02200001')}")
    assert (number.patent_type, number.year) == ("utility_model", 2002)


def test_expiry_dates():
    # CNIPA's example: a utility model filed 1999-09-06 is protected until 2009-09-05.
    assert expiry_date(PatentType.UTILITY_MODEL, dt.date(1999, 9, 6)) == dt.date(2009, 9, 5)
    assert expiry_date(PatentType.INVENTION, dt.date(2021, 3, 1)) == dt.date(2041, 2, 28)
    assert expiry_date(PatentType.DESIGN, dt.date(2021, 5, 31)) == dt.date(2031, 5, 30)
    assert expiry_date(PatentType.DESIGN, dt.date(2021, 6, 1)) == dt.date(2036, 5, 31)  # 15 years
    assert expiry_date(PatentType.INVENTION, dt.date(2004, 2, 29)) == dt.date(2024, 2, 28)
    assert expiry_date(PatentType.INVENTION, None) is None


def test_years_remaining():
    today = dt.date(2025, 1, 1)
    assert years_remaining(dt.date(2034, 12, 31), today) == 10.0
    assert years_remaining(dt.date(2020, 1, 1), today) == 0.0
    assert years_remaining(None, today) is None


@pytest.mark.parametrize(
    "code", ["H01M 10/052", "E21D 23/00", "A23C 9/12", "B64U 101/30", "G06F 16/3344", "C12N 15/113"]
)
def test_split_ipc_of_a_stored_code_is_parse_ipc(code):
    from patents.ipc import parse_ipc, split_ipc

    assert split_ipc(code) == parse_ipc(code)


@pytest.mark.parametrize(
    "raw",
    ["H01M10/052", "h01m 10/052", "H01M 010/052", "H01M0010052000", "Ｈ01Ｍ10/052", "H01M 10/052 (2006.01)"],
)
def test_split_ipc_parses_anything_else_in_full(raw):
    from patents.ipc import parse_ipc, split_ipc

    assert split_ipc(raw) == parse_ipc(raw) and split_ipc(raw).code == "H01M 10/052"
