"""The language menu names each language in itself, whatever the page's language."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_menu_names_each_language_in_itself(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/").content.decode()
    buttons = dict(re.findall(r'name="language" value="([\w-]+)" lang="[\w-]+">([^<]+)</button>', html))
    assert buttons == {"zh-hans": "中文", "en": "English"}
    assert "英语" not in html and "Simplified Chinese" not in html
