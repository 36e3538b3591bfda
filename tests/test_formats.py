"""Inputs beyond .txt (issue 8): saved web pages, PDFs, Word files and JSON Lines records
give the same graph as the same texts saved as .txt, with their metadata as provenance."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.builder import build, read_and_extract
from kg.cli import main
from kg.export import document_graph
from kg.read import ReadError, read_source
from kg.store import open_store
from kg.vocab import sparql_prefixes

# Two articles, written for this test, stating the facts of the sample corpus.
PLAN_129 = [
    "Ngày 02/12/2022, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 129-KH/TU về việc thực hiện"
    " Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW.",
    "Kế hoạch yêu cầu các cấp ủy tổ chức học tập chuyên đề năm 2023 đến toàn thể cán bộ, đảng viên.",
]
PLAN_224 = [
    "Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 224-KH/TU thực hiện Kết luận số 01-KL/TW"
    " của Bộ Chính trị và Hướng dẫn số 121-HD/BTGTW của Ban Tuyên giáo Trung ương.",
    "Các huyện ủy, thành ủy, thị ủy xây dựng kế hoạch cụ thể để triển khai thực hiện.",
]
DECOY = "Chỉ thị số 99-CT/TW"
SITE = "https://hatinh.example.vn/tin"
# (name, paragraphs, metadata) of every text of the fixtures, and the format that carries it.
TEXTS = {
    "page": (PLAN_129, {"url": f"{SITE}/ke-hoach-129.html", "date": "2022-12-05", "province": "Hà Tĩnh"}),
    "print": (PLAN_224, {"url": f"{SITE}/ke-hoach-224.pdf", "date": "2023-03-10", "province": "Hà Tĩnh"}),
    "word": (PLAN_129, {"url": f"{SITE}/ke-hoach-129.docx", "date": "2022-12-06", "province": "Hà Tĩnh"}),
    "record-1": (PLAN_129, {"url": f"{SITE}/bai-1", "date": "2022-12-07", "province": "Hà Tĩnh"}),
    "record-2": (PLAN_224, {"url": f"{SITE}/bai-2", "date": "2023-03-11", "province": "Hà Tĩnh"}),
}


def page_html(paragraphs: list[str], metadata: dict) -> str:
    """A portal page: the article, with menus, a sidebar and a footer that name a decoy."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Tin tức - Cổng thông tin điện tử Tỉnh ủy Hà Tĩnh</title>
<meta property="og:url" content="{metadata["url"]}">
<meta property="article:published_time" content="{metadata["date"]}T08:30:00+07:00">
<link rel="canonical" href="{metadata["url"]}">
<style>body {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 11pt }}</style>
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/van-ban">Văn bản</a></li>
<li><a href="/99">{DECOY} về công tác dân vận</a></li></ul></nav></header>
<main><article>{body}</article></main>
<aside><h3>Văn bản mới</h3><ul><li><a href="/99">{DECOY}</a></li><li><a href="/tim">Tìm kiếm</a></li></ul></aside>
<footer><p>Cổng thông tin điện tử Tỉnh ủy Hà Tĩnh. Xem {DECOY}. Ghi rõ nguồn khi phát hành lại.</p></footer>
</body></html>"""


def front_matter(paragraphs: list[str], metadata: dict) -> str:
    header = "".join(f"{key}: {value}\n" for key, value in metadata.items())
    return f"---\n{header}---\n" + "\n".join(paragraphs) + "\n"


def print_pdf(html: Path, pdf: Path) -> None:
    """Chromium's print of a page: a PDF with a real text layer and embedded fonts."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium), so no PDF can be printed")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    command += [f"--user-data-dir={html.parent / 'chromium-profile'}", f"--print-to-pdf={pdf}", html.as_uri()]
    try:
        subprocess.run(command, capture_output=True, timeout=120, check=True)
    except (subprocess.SubprocessError, OSError) as error:
        pytest.skip(f"chromium could not print a PDF: {error}")
    if not pdf.is_file():
        pytest.skip("chromium printed no PDF")


def with_creation_date(pdf: Path, date: str) -> None:
    """Set the PDF's document information to the date the text was published."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.add_metadata({"/CreationDate": f"D:{date.replace('-', '')}090000+07'00'"})
    with pdf.open("wb") as handle:
        writer.write(handle)


def blank_pdf(path: Path) -> None:
    """A PDF of one page and no text, as a scanner without OCR makes."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as handle:
        writer.write(handle)


def word(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(path)


@pytest.fixture
def formats(tmp_path: Path) -> Path:
    """The texts of TEXTS as a web page, a PDF, a Word file and two JSON Lines records."""
    folder = tmp_path / "formats"
    folder.mkdir()
    paragraphs, metadata = TEXTS["page"]
    (folder / "page.html").write_text(page_html(paragraphs, metadata), encoding="utf-8")

    paragraphs, metadata = TEXTS["print"]
    printable = tmp_path / "print.html"  # outside the folder: only the PDF is built
    printable.write_text(page_html(paragraphs, metadata).replace(DECOY, "Trang chủ"), encoding="utf-8")
    print_pdf(printable, folder / "print.pdf")
    with_creation_date(folder / "print.pdf", metadata["date"])
    sidecar = {"url": metadata["url"], "province": metadata["province"]}  # the date is the PDF's own
    (folder / "print.json").write_text(json.dumps(sidecar), encoding="utf-8")

    paragraphs, metadata = TEXTS["word"]
    word(folder / "word.docx", paragraphs)
    (folder / "word.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")

    records = [{"text": "\n".join(TEXTS[name][0]), **TEXTS[name][1]} for name in ("record-1", "record-2")]
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    (folder / "scraped.jsonl").write_text(lines, encoding="utf-8")
    return folder


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    """The same texts saved as .txt files with their metadata as front matter."""
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, (paragraphs, metadata) in TEXTS.items():
        (folder / f"{name}.txt").write_text(front_matter(paragraphs, metadata), encoding="utf-8")
    return folder


def graph_of(store) -> tuple[dict, set]:
    graph = document_graph(store)
    return dict(graph.nodes(data=True)), {
        (s, t, data["relation"], data["sources"]) for s, t, data in graph.edges(data=True)
    }


def sources_of(store) -> dict[str, dict[str, str]]:
    """location -> url, file, date, locality and text of every source text in the store."""
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?location ?url ?file ?date ?place ?text WHERE { GRAPH ?g { ?g a kg:SourceText ;
            kg:location ?location ; kg:text ?text
            OPTIONAL { ?g kg:url ?url } OPTIONAL { ?g kg:file ?file } OPTIONAL { ?g dcterms:date ?date }
            OPTIONAL { ?g kg:locality/rdfs:label ?place } } }"""
    )
    keys = ("url", "file", "date", "place", "text")
    return {str(row["location"]): {key: str(row[key]) if key in row else None for key in keys} for row in rows}


def test_a_folder_of_pages_pdfs_word_files_and_records_builds_the_graph_of_the_same_texts(formats, texts, tmp_path):
    with open_store("memory") as from_formats, open_store("memory") as from_texts:
        summary = build([formats], store=from_formats)
        assert (summary.built, summary.failures) == (5, [])
        build([texts], store=from_texts)
        nodes, edges = graph_of(from_formats)
        assert (nodes, edges) == graph_of(from_texts)
        labels = {data["label"] for data in nodes.values()}
        assert {"129-KH/TU", "224-KH/TU", "01-KL/TW", "05-CT/TW", "121-HD/BTGTW"} <= labels
        assert not any("99" in label for label in labels), "the page's menu, sidebar or footer was read"
        named = {(nodes[s]["label"], relation, nodes[t]["label"], sources) for s, t, relation, sources in edges}
        assert named == {
            ("129-KH/TU", "implements", "01-KL/TW", 3),
            ("01-KL/TW", "implements", "05-CT/TW", 3),
            ("224-KH/TU", "implements", "01-KL/TW", 2),
            ("224-KH/TU", "implements", "121-HD/BTGTW", 2),
        }

        sources = sources_of(from_formats)
        page, pdf, docx = (str(formats / name) for name in ("page.html", "print.pdf", "word.docx"))
        jsonl = str(formats / "scraped.jsonl")
        expected = {
            page: (TEXTS["page"][1], None),
            pdf: (TEXTS["print"][1], None),
            docx: (TEXTS["word"][1], None),
            TEXTS["record-1"][1]["url"]: (TEXTS["record-1"][1], jsonl),
            TEXTS["record-2"][1]["url"]: (TEXTS["record-2"][1], jsonl),
        }
        assert set(sources) == set(expected)
        for location, (metadata, file) in expected.items():
            provenance = sources[location]
            assert (provenance["url"], provenance["date"], provenance["place"], provenance["file"]) == (
                metadata["url"],
                metadata["date"],
                metadata["province"],
                file,
            ), location

        # Every sentence behind an edge is where its offsets say, in the text the store keeps.
        evidence = from_formats.select(
            sparql_prefixes()
            + """SELECT ?location ?sentence ?start ?end WHERE { GRAPH ?g { ?e a kg:Evidence ;
                kg:sentence ?sentence ; kg:start ?start ; kg:end ?end . ?g kg:location ?location } }"""
        )
        assert len(evidence) >= 5
        for row in evidence:
            text = sources[str(row["location"])]["text"]
            assert text[int(row["start"].value) : int(row["end"].value)] == str(row["sentence"])


def test_mention_offsets_index_the_text_read_from_each_format(formats):
    for path in sorted(formats.iterdir()):
        if path.suffix == ".json":
            continue
        analyzed = read_and_extract(str(path))
        assert analyzed and all(not isinstance(outcome, str) for outcome in analyzed), analyzed
        for source, extraction in analyzed:
            mentions = [m for ref in extraction.references for m in ref.mentions]
            assert mentions, path
            assert all(source.text[m.start : m.end] == m.text for m in mentions), path
            assert DECOY not in source.text


def test_a_page_saved_as_txt_is_still_read_as_a_browser_shows_it(tmp_path):
    # The page reader drops the menus; a page saved as .txt keeps all it shows, as before.
    saved = tmp_path / "page.txt"
    saved.write_text(page_html(*TEXTS["page"]), encoding="utf-8")
    [(source, extraction)] = read_and_extract(str(saved))
    assert source.text == saved.read_text(encoding="utf-8")
    assert "99-CT/TW" in {ref.canonical for ref in extraction.references}


def test_a_pdf_without_text_layer_and_a_bad_record_are_one_line_each_and_the_rest_is_built(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    blank_pdf(folder / "scan.pdf")
    (folder / "good.txt").write_text("\n".join(PLAN_129), encoding="utf-8")
    records = [
        json.dumps({"text": PLAN_224[0]}, ensure_ascii=False),
        '{"text": "Kế hoạch số 5-KH/TU", ',
        json.dumps({"text": PLAN_129[0], "province": "Hà Tĩnh"}, ensure_ascii=False),
    ]
    (folder / "feed.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if not line.startswith("Building")]
    scan, feed = folder / "scan.pdf", folder / "feed.jsonl"
    assert f"{scan}: a PDF without a text layer (a scan?); run OCR first" in errors
    assert any(line.startswith(f"{feed}, line 2: not JSON") for line in errors), errors
    assert errors[-1] == f"kg: 2 file(s) could not be read: {feed}, {scan}"
    assert "texts: 3 (built 3, unchanged 0, removed 0, failed 2)" in result.output
    with open_store(tmp_path / "store", read_only=True) as store:
        assert set(sources_of(store)) == {str(folder / "good.txt"), f"{feed}#1", f"{feed}#3"}

    # The file with the bad line is read again, and the line reported again, until it is fixed.
    again = CliRunner().invoke(main, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert again.exit_code == 2
    assert "texts: 3 (built 2, unchanged 1, removed 0, failed 2)" in again.output

    with pytest.raises(ReadError, match=r"scan\.pdf: a PDF without a text layer \(a scan\?\); run OCR first$"):
        read_source(scan)


PLAN_58 = "Ban Thường vụ Tỉnh ủy ban hành Kế hoạch số 58-KH/TU thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị."


def test_a_sidecar_json_sets_the_context_and_options_win_over_it(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text(PLAN_58, encoding="utf-8")
    [(_, alone)] = read_and_extract(str(text))
    assert alone.context.province is None
    assert alone.reference("r1").canonical == "58-KH/TU"  # a local plan of no known province

    (tmp_path / "plan.json").write_text(
        json.dumps({"url": "https://example.vn/58", "date": "2023-04-01", "province": "Ha Tinh"}), encoding="utf-8"
    )
    [(source, extraction)] = read_and_extract(str(text))
    assert source.metadata.url == "https://example.vn/58"
    assert (extraction.context.province, extraction.context.date) == ("Hà Tĩnh", "2023-04-01")
    assert extraction.reference("r1").canonical == "58-KH/TU@Hà Tĩnh"

    result = CliRunner().invoke(main, ["extract", str(text), "--province", "Nghệ An"])
    assert result.exit_code == 0, result.output
    context = json.loads(result.output)["context"]
    assert (context["province"], context["date"]) == ("Nghệ An", "2023-04-01")


def test_editing_a_sidecar_rebuilds_its_text(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text(PLAN_58, encoding="utf-8")
    with open_store("memory") as store:
        assert build([tmp_path], store=store).built == 1
        assert build([tmp_path], store=store).skipped == 1
        (tmp_path / "plan.json").write_text('{"province": "Hà Tĩnh"}', encoding="utf-8")
        assert build([tmp_path], store=store).built == 1
        assert sources_of(store)[str(text)]["place"] == "Hà Tĩnh"
