"""scanner policy import: the seed policy, CSV output, URL sources, errors and the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import SHARED  # noqa: E402

from scanner.cli import main
from scanner.errors import BadInput
from scanner.policy import PolicyImport, import_policy, import_policy_text, vendors_csv

SEED = SHARED / "seed-policy.md"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"seed policy not found at {SEED}")

GOOGLE = "https://www.google.com/intl/en/policies/privacy/"
# The 16 rows of the seed's cookie table, with the privacy link each should get. Shareasale's cell
# holds two links (an agreement page and a policy page): the policy page is taken.
SEED_VENDORS = [
    ("Google analytics", GOOGLE),
    ("Adwords Conversion", GOOGLE),
    ("Capterra", "https://www.capterra.com/legal_privacy_policy"),
    ("Facebook", "https://www.facebook.com/about/privacy/"),
    ("Google Interest Based Ads", GOOGLE),
    ("Criteo", "https://www.criteo.com/privacy/"),
    ("Doubleclick", GOOGLE),
    ("Getapp", "https://www.getapp.com/privacy_policy"),
    ("Acquisio", "https://www.acquisio.com/privacy-policy"),
    ("Chango", "https://www.chango.com/privacy/policy/"),
    ("Quantcast", "https://www.quantcast.com/how-we-do-it/consumer-choice/privacy-policy/"),
    ("Bing", "https://www.microsoft.com/en-us/privacystatement/default.aspx"),
    ("Magnetic", "https://www.magnetic.com/privacy/corporate-privacy-policy/"),
    ("Shareasale", "https://www.shareasale.com/w3c/policy.html"),
    ("Bizible", "https://www.bizible.com/privacy-policy"),
    ("Bizo (Linkedin)", "https://www.linkedin.com/legal/cookie_policy"),
]


@needs_seed
def test_seed_policy_gives_exactly_the_sixteen_table_vendors() -> None:
    result = import_policy(str(SEED))
    assert [(row.name, row.privacy_policy) for row in result.rows] == SEED_VENDORS
    assert result.counts == {"table": 16, "list": 0, "prose": 0}
    assert all(row.source == f"table 'Marketing Cookies' row {i}" for i, row in enumerate(result.rows, 1))
    purposes = {row.name: row.purpose for row in result.rows}
    assert purposes["Capterra"] == "Conversion tracking cookie for ads delivered by Capterra"
    assert purposes["Shareasale"] == "A third party affiliate marketing network."
    assert all(purposes.values())


@needs_seed
def test_seed_csv_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "vendors.csv"
    assert main(["policy", "import", str(SEED), "-o", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["name", "purpose", "privacy_policy", "source"]
    assert [(r["name"], r["privacy_policy"]) for r in rows] == SEED_VENDORS
    assert rows[5]["purpose"].startswith("Track information about which pages you viewed, and")


@needs_seed
def test_cli_writes_stdout_and_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "import", str(SEED), "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("name,purpose,privacy_policy,source\n")
    assert len(captured.out.strip().splitlines()) == 17
    assert "16 from tables, 0 from lists, 0 from prose" in captured.err


def test_csv_quotes_commas_quotes_and_unicode() -> None:
    from scanner.model import Declared

    rows = [
        Declared(name='Acme, Inc. "Ads"', purpose="Ads, and more\nlines", privacy_policy="https://a.test/p"),
        Declared(name="Zürich Analytics", purpose="Statistik", cookies=("_za", "_zb")),
    ]
    text = vendors_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["name"] == 'Acme, Inc. "Ads"'
    assert parsed[0]["purpose"] == "Ads, and more lines"
    assert parsed[1]["name"] == "Zürich Analytics"
    assert parsed[1]["cookies"] == "_za;_zb"


def test_nothing_recognisable_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.md"
    policy.write_text("# Privacy\n\nWe respect your privacy and set no cookies.\n", encoding="utf-8")
    assert main(["policy", "import", str(policy), "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert "no recognisable vendor declaration" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_unreadable_sources_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not found"):
        import_policy(str(tmp_path / "missing.md"))
    with pytest.raises(BadInput, match="not a file"):
        import_policy(str(tmp_path))
    binary = tmp_path / "policy.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    with pytest.raises(BadInput, match="binary"):
        import_policy(str(binary))


def test_url_source_goes_through_the_injected_fetcher() -> None:
    asked: list[str] = []
    page = """<html><head><link rel="canonical" href="https://shop.example/privacy"></head><body>
    <h2>Third parties</h2>
    <table><tr><th>Provider</th><th>Purpose</th><th>Privacy policy</th></tr>
    <tr><td>Acme Analytics</td><td>Statistics</td><td><a href="https://acme.test/privacy">policy</a></td></tr>
    <tr><td>Shop Example</td><td>Our own</td><td><a href="https://shop.example/privacy">ours</a></td></tr>
    </table></body></html>"""

    def fetch(url: str) -> str:
        asked.append(url)
        return page

    result = import_policy("https://shop.example/privacy", fetch_html=fetch)
    assert asked == ["https://shop.example/privacy"]
    assert [(r.name, r.privacy_policy) for r in result.rows] == [
        ("Acme Analytics", "https://acme.test/privacy")
    ]
    assert result.rows[0].source == "table 'Third parties' row 1"
    assert any("first party" in why for _, why in result.skipped)


def test_empty_fetched_page_is_bad_input() -> None:
    with pytest.raises(BadInput, match="empty"):
        import_policy("https://example.test/privacy", fetch_html=lambda url: "  ")


def test_plain_text_policy_with_dash_list(tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text(
        "Third-party services we use\n\n"
        "- Plausible Analytics — privacy-friendly statistics, https://plausible.io/privacy\n"
        "- Bunny CDN — content delivery\n",
        encoding="utf-8",
    )
    result = import_policy(str(policy))
    assert [(r.name, r.privacy_policy) for r in result.rows] == [
        ("Plausible Analytics", "https://plausible.io/privacy"),
        ("Bunny CDN", ""),
    ]
    assert result.counts["list"] == 2
    assert result.rows[1].source.startswith("list")


def test_summary_lines_report_counts_and_skips() -> None:
    result = PolicyImport(origin="x.md", counts={"table": 2, "list": 1, "prose": 0})
    result.skipped.append(("table 'Essential'", "cookie rows naming no vendor"))
    lines = result.summary_lines()
    assert "2 from tables, 1 from lists, 0 from prose" in lines[0]
    assert lines[-1] == "skipped table 'Essential': cookie rows naming no vendor"


def test_prose_is_marked_low_confidence() -> None:
    text = (
        "## Analytics\n\nOur site uses Matomo Cloud to count visits. You can read "
        "[the privacy policy for Matomo Cloud](https://matomo.org/privacy-policy/).\n"
    )
    result = import_policy_text(text)
    assert [(r.name, r.privacy_policy) for r in result.rows] == [
        ("Matomo Cloud", "https://matomo.org/privacy-policy/")
    ]
    assert result.rows[0].source == "prose (low confidence) in 'Analytics'"
    assert result.counts == {"table": 0, "list": 0, "prose": 1}


def test_long_policies_are_read_whole() -> None:
    # their scaling is measured by bench/bench_linear.py (policy-lists), not timed here
    paragraphs = "\n\n".join(
        f"We use [Vendor{i}](https://vendor{i}.com/privacy) for task {i}." for i in range(800)
    )
    items = "\n".join(f"* [Partner{i}](https://partner{i}.com/privacy). Hosting {i}." for i in range(800))
    result = import_policy_text(f"# Policy\n\n{paragraphs}\n\n## Our subprocessors\n\n{items}\n")
    assert result.counts == {"table": 0, "list": 800, "prose": 800}


CORPUS_FILES = sorted(
    p for p in (SHARED / "policies").glob("*.*") if p.suffix in (".md", ".html") and p.name != "README.md"
)


@pytest.mark.parametrize("path", [SEED, *CORPUS_FILES], ids=lambda p: p.name)
def test_output_loads_with_the_vendors_csv_parser(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} not found (set SCANNER_SHARED_DIR)")
    from scanner.declared import parse_declared_csv

    result = import_policy(str(path))
    loaded = parse_declared_csv(vendors_csv(result.rows), path.name)
    assert [(d.name, d.purpose, d.privacy_policy) for d in loaded] == [
        (r.name, " ".join(r.purpose.split()), r.privacy_policy) for r in result.rows
    ]
    assert [d.cookies for d in loaded] == [r.cookies for r in result.rows]
    assert [d.source for d in loaded] == [" ".join(r.source.split()) for r in result.rows]
    assert [d.lifetime for d in loaded] == [r.lifetime or None for r in result.rows]


@needs_seed
def test_imported_csv_file_is_read_by_load_declared_csv(tmp_path: Path) -> None:
    from scanner.declared import load_declared_csv

    out = tmp_path / "vendors.csv"
    assert main(["policy", "import", str(SEED), "-o", str(out)]) == 0
    loaded = load_declared_csv(out)
    assert [(d.name, d.privacy_policy) for d in loaded] == SEED_VENDORS
    assert [d.source for d in loaded] == [f"table 'Marketing Cookies' row {i}" for i in range(1, 17)]
    assert [d.line for d in loaded] == list(range(2, 18))


def test_markdown_served_as_plain_text_is_read_as_markdown() -> None:
    markdown = (
        "## Subprocessors\n\n* [Postmark](https://postmarkapp.com/privacy-policy). E-mail &amp; more.\n"
    )
    page = f'<html><head></head><body><pre style="white-space: pre-wrap;">{markdown}</pre></body></html>'
    result = import_policy("https://example.test/privacy.md", fetch_html=lambda url: page)
    assert [(r.name, r.purpose, r.privacy_policy) for r in result.rows] == [
        ("Postmark", "E-mail & more.", "https://postmarkapp.com/privacy-policy")
    ]


def test_cli_passes_browser_options_to_the_fetcher(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import scanner.browser

    calls: list[tuple[str, dict]] = []

    def fake_fetch(url: str, **options: object) -> str:
        calls.append((url, options))
        return "<h2>Partners</h2><ul><li><a href='https://adco.test/privacy'>AdCo</a> — ads</li></ul>"

    monkeypatch.setattr(scanner.browser, "fetch_rendered_html", fake_fetch)
    argv = ["policy", "import", "https://site.test/privacy", "--ignore-https-errors"]
    argv += ["--browser-arg=--host-resolver-rules=MAP * 127.0.0.1", "--timeout", "5", "-o", "-"]
    assert main(argv) == 0
    assert calls == [
        (
            "https://site.test/privacy",
            {
                "ignore_https_errors": True,
                "browser_args": ("--host-resolver-rules=MAP * 127.0.0.1",),
                "timeout_s": 5.0,
                "executable": None,
            },
        )
    ]
    assert "AdCo,ads,https://adco.test/privacy" in capsys.readouterr().out


def test_cli_unwritable_output_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not SEED.is_file():
        pytest.skip(f"seed policy not found at {SEED}")
    assert main(["policy", "import", str(SEED), "-o", str(tmp_path / "missing-dir" / "v.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err
