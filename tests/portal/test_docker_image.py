"""The Docker image can render a PDF report: the system packages the Dockerfile installs are the
ones WeasyPrint needs, CI installs the same list (.ci/run), and with exactly those packages a
Chinese PDF renders with an embedded CJK font (not boxes). There is no Docker engine in CI, so the
image's package list is checked against the machine CI runs on, a Debian like the image's base."""

import re
import shutil
import subprocess

from tests.conftest import unavailable
from tests.helpers.processes import PROJECT_DIR

# WeasyPrint's system libraries (text layout, font subsetting) and the Chinese fonts.
PDF_PACKAGES = {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"}


def dockerfile_packages() -> set[str]:
    text = (PROJECT_DIR / "Dockerfile").read_text(encoding="utf-8")
    packages: set[str] = set()
    for command in re.findall(r"apt-get install ((?:[^\n]*\\\n)*[^\n]*)", text):
        words = command.replace("\\\n", " ").split("&&")[0].split()
        packages |= {word for word in words if not word.startswith("-")}
    return packages


def ci_packages() -> set[str]:
    text = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^packages=\(([^)]*)\)", text, re.MULTILINE)
    assert match, ".ci/run lists its system packages in packages=(...)"
    return set(match.group(1).split())


def test_the_image_installs_what_weasyprint_needs():
    assert dockerfile_packages() >= PDF_PACKAGES


def test_ci_installs_every_package_of_the_image():
    assert dockerfile_packages() <= ci_packages()


def installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return "install ok installed" in result.stdout


def test_a_chinese_pdf_renders_with_the_image_packages():
    if shutil.which("dpkg-query") is None:
        unavailable("dpkg-query is missing: not a Debian machine like the image's base")
    missing = sorted(package for package in dockerfile_packages() if not installed(package))
    if missing:
        unavailable(f"the image's packages {missing} are not installed here (.ci/run installs them)")
    from weasyprint import HTML

    html = '<html lang="zh"><body style="font-family: sans-serif"><p>专利转化运营服务平台</p></body></html>'
    pdf = HTML(string=html).write_pdf(uncompressed_pdf=True)
    assert pdf.startswith(b"%PDF-")
    fonts = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([\w-]+)", pdf))
    assert fonts and all(b"CJK" in font for font in fonts), fonts
