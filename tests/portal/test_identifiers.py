"""Unified social credit code validation (GB 32100-2015)."""

import pytest
from django.core.exceptions import ValidationError

from portal.identifiers import (
    credit_code_check_char,
    make_credit_code,
    normalize_credit_code,
    validate_credit_code,
)
from tests.portal.factories import credit_code

GOOD_CODES = ["91350100M000100Y43", "911506225200000043", "12150602510000000T"]


@pytest.mark.parametrize("code", GOOD_CODES)
def test_real_codes_are_valid(code):
    assert normalize_credit_code(code) == code
    validate_credit_code(code)


def test_input_is_normalized_to_upper_case_without_spaces():
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_credit_code("9135 0100 M000 100Y 43") == "91350100M000100Y43"


@pytest.mark.parametrize("code", GOOD_CODES)
def test_every_mistyped_check_character_is_refused(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for wrong in alphabet.replace(code[-1], ""):
        with pytest.raises(ValidationError) as excinfo:
            normalize_credit_code(code[:17] + wrong)
        assert excinfo.value.code == "check"
        message = excinfo.value.messages[0]
        assert "校验位" in message and code[-1] in message and wrong in message


def test_mistyped_body_character_is_caught_by_the_check_character():
    # One wrong digit in the middle (2 instead of 5) keeps the old check character, which no longer fits.
    with pytest.raises(ValidationError) as excinfo:
        normalize_credit_code("911506222200000043")
    assert excinfo.value.code == "check"


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length_is_refused_with_the_actual_length(code):
    with pytest.raises(ValidationError) as excinfo:
        normalize_credit_code(code)
    assert excinfo.value.code == "length"
    assert f"{len(code)}位" in excinfo.value.messages[0]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters_are_refused_by_name(letter):
    code = "91350100M000100Y4" + letter
    with pytest.raises(ValidationError) as excinfo:
        normalize_credit_code(code)
    assert excinfo.value.code == "charset"
    assert letter in excinfo.value.messages[0]


def test_punctuation_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        normalize_credit_code("91350100-000100Y43")
    assert excinfo.value.code == "charset"


def test_make_credit_code_completes_a_valid_code():
    code = make_credit_code("91150602MA0000001")
    assert len(code) == 18
    assert code[-1] == credit_code_check_char(code[:17])
    assert normalize_credit_code(code) == code


def test_factory_codes_are_valid_and_distinct():
    codes = {credit_code(n) for n in range(200)}
    assert len(codes) == 200
    for code in codes:
        validate_credit_code(code)
