"""`kg viz` without a browser: what is selected, collapsed, placed and written into the page."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.viz import synthetic_graph
from kg import build, open_store
from kg.cli import main
from kg.viz import (
    RELATION_STYLES,
    Selection,
    aggregate,
    layout,
    make_view,
    neighbourhood,
    render,
    searchable,
    select,
    view_graph,
)
from kg.vocab import vocabulary

FIXTURES = Path(__file__).parent / "fixtures" / "viz"
DIRECTIVE = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"
CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"
REGULATION = "https://kg.example.org/eli/vn/dang/tw/qdd/xiii/144"
PROVINCE_PLAN = "https://kg.example.org/eli/vn/dang/nghe-an/tu/kh/2020-2025/35"
DISTRICT_PLAN = "https://kg.example.org/eli/vn/dang/nghe-an/do-luong/hu/kh/2020-2025/12"


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory):
    location = tmp_path_factory.mktemp("viz") / "kg-store"
    build([FIXTURES], store=str(location))
    return str(location)


@pytest.fixture(scope="module")
def graph(fixture_store):
    with open_store(fixture_store, read_only=True) as store:
        return view_graph(store)


def test_the_graph_carries_level_province_issuer_and_evidence(graph):
    district = graph.nodes[DISTRICT_PLAN]
    assert (district["level"], district["locality"], district["province"]) == ("district", "Đô Lương", "Nghệ An")
    assert graph.nodes[DIRECTIVE]["level"] == "central"
    assert graph.nodes[DIRECTIVE]["title"].startswith("về đẩy mạnh học tập và làm theo tư tưởng")
    (evidence,) = graph.get_edge_data(PROVINCE_PLAN, CONCLUSION, "implements")["evidence"]
    assert "Kế hoạch số 35-KH/TU thực hiện Kết luận số 01-KL/TW" in evidence["sentence"]
    assert evidence["source"].endswith("nghe-an-ke-hoach-35.txt") and evidence["cue"] == "thực hiện"


@pytest.mark.parametrize(
    ("root", "direction", "relations", "depth", "left_out"),
    [
        (DIRECTIVE, "down", (), 10, {REGULATION}),
        (DIRECTIVE, "down", (), 2, {REGULATION, DISTRICT_PLAN}),
        (DISTRICT_PLAN, "up", (), 10, set()),
        (DISTRICT_PLAN, "up", (), 1, {CONCLUSION, DIRECTIVE, REGULATION}),
        (PROVINCE_PLAN, "both", (), 10, set()),
        (PROVINCE_PLAN, "both", (), 1, {DIRECTIVE}),
        (CONCLUSION, "both", ("implements",), 10, {REGULATION}),
    ],
)
def test_a_focused_page_reads_only_the_chain_and_shows_what_the_whole_graph_shows(
    fixture_store, graph, root, direction, relations, depth, left_out
):
    selection = Selection(root=root, depth=depth, direction=direction, relations=relations)
    with open_store(fixture_store, read_only=True) as store:
        around = neighbourhood(store, root, direction, relations, depth)
        focused = view_graph(store, around)
    assert set(focused) == around == set(graph) - left_out
    whole, part = select(graph, selection), select(focused, selection)
    assert dict(part.nodes(data=True)) == dict(whole.nodes(data=True))
    assert sorted(part.edges(keys=True, data=True)) == sorted(whole.edges(keys=True, data=True))


def test_relation_styles_cover_the_vocabulary():
    assert set(RELATION_STYLES) == set(vocabulary().relation_properties)


def test_chains_up_down_and_both(graph):
    down = select(graph, Selection(root=DIRECTIVE, direction="down"))
    assert set(down) == {DIRECTIVE, CONCLUSION, PROVINCE_PLAN, DISTRICT_PLAN}
    assert set(down.edges(keys=True)) == {
        (CONCLUSION, DIRECTIVE, "implements"),
        (PROVINCE_PLAN, CONCLUSION, "implements"),
        (DISTRICT_PLAN, PROVINCE_PLAN, "implements"),
    }
    up = select(graph, Selection(root=DISTRICT_PLAN, direction="up"))
    assert set(up) == {DISTRICT_PLAN, PROVINCE_PLAN, CONCLUSION, DIRECTIVE, REGULATION}
    assert set(select(graph, Selection(root=DISTRICT_PLAN, direction="up", depth=1))) == {DISTRICT_PLAN, PROVINCE_PLAN}
    only_implements = select(graph, Selection(root=DISTRICT_PLAN, direction="up", relations=("implements",)))
    assert REGULATION not in only_implements
    both = select(graph, Selection(root=CONCLUSION))
    assert set(both) == {DIRECTIVE, CONCLUSION, PROVINCE_PLAN, DISTRICT_PLAN}


def test_filters_keep_what_connects_the_chosen_documents_as_context(graph):
    recent = select(graph, Selection(root=DIRECTIVE, since="2024-01-01"))
    assert {n for n in recent if not recent.nodes[n]["context"]} == {DIRECTIVE, PROVINCE_PLAN, DISTRICT_PLAN}
    assert recent.nodes[CONCLUSION]["context"]  # 2021, but the plans reach the directive through it
    province = select(graph, Selection(provinces=("nghệ an",)))
    assert {n for n in province if not province.nodes[n]["context"]} == {PROVINCE_PLAN, DISTRICT_PLAN}
    assert set(province) == {PROVINCE_PLAN, DISTRICT_PLAN, CONCLUSION, REGULATION}
    plans = select(graph, Selection(types=("Kế hoạch",), until="2024-01-20"))
    assert {n for n in plans if not plans.nodes[n]["context"]} == {PROVINCE_PLAN}


def test_large_graphs_are_collapsed_by_province_with_a_notice():
    graph = synthetic_graph(600)
    view = make_view(graph, Selection(), "big", limit=500)
    assert view.notices and "collapsed" in view.notices[0]
    groups = [data for _, data in view.graph.nodes(data=True) if data["kind"] == "group"]
    local = [n for n, data in graph.nodes(data=True) if data["level"] != "central"]
    assert sum(len(group["members"]) for group in groups) == len(local)
    assert len(view.graph) < 200
    one = next(data for data in groups if data["province"] == "Tỉnh 00" and data["level"] == "province")
    assert one["label"] == f"Tỉnh 00 · Kế hoạch ({len(one['members'])})"
    assert aggregate(graph).number_of_edges() <= graph.number_of_edges()


def test_layout_puts_levels_top_down_and_implementers_below(graph):
    positions = layout(graph)
    y = {node: position[1] for node, position in positions.items()}
    assert y[DIRECTIVE] < y[CONCLUSION] < y[PROVINCE_PLAN] < y[DISTRICT_PLAN]
    assert len(set(positions.values())) == len(positions)


def test_search_text_drops_diacritics():
    assert searchable("Kế hoạch Đô Lương, Hà Tĩnh") == "ke hoach do luong, ha tinh"


PAYLOAD_TITLE = '<img src=x onerror="window.__pwned=1">'
PAYLOAD_SCRIPT = "</script><script>window.__pwned=2</script>"


def test_no_text_can_leave_the_data_block(graph):
    graph = graph.copy()
    graph.nodes[DISTRICT_PLAN]["title"] = PAYLOAD_TITLE + " & " + PAYLOAD_SCRIPT
    html = render(make_view(graph, Selection(), PAYLOAD_SCRIPT, limit=100))
    assert html.count("</script>") == 3  # data, vis-network, ours
    assert "<img src" not in html and "<script>window.__pwned" not in html
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)[1])
    (node,) = [n for n in data["nodes"] if n["id"] == DISTRICT_PLAN]
    assert PAYLOAD_TITLE in node["tooltip"] and PAYLOAD_SCRIPT in node["tooltip"]
    assert data["title"] == PAYLOAD_SCRIPT
    assert "<title>&lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;</title>" in html


def test_the_page_allows_only_its_own_scripts_and_no_request(graph):
    import base64
    import hashlib
    from html import unescape

    html = render(make_view(graph, Selection(), "kg", limit=100))
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1])
    assert "default-src 'none'" in policy and "http" not in policy
    for script in re.findall(r"<script>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in policy
    assert not re.search(r"(src|href)=\"?https?:", html)


def test_cli_writes_the_page_and_explains_its_errors(fixture_store, tmp_path):
    runner = CliRunner()
    output = tmp_path / "chain.html"
    result = runner.invoke(main, ["viz", "Chỉ thị 05", "--down", "-o", str(output), "--store", fixture_store])
    assert result.exit_code == 0, result.output
    assert "4 nodes, 3 edges" in result.output
    assert "Chỉ thị 05-CT/TW" in output.read_text(encoding="utf-8")
    missing = runner.invoke(main, ["viz", "99-CT/TW", "--store", fixture_store, "-o", str(output)])
    assert missing.exit_code == 1 and "no document" in missing.output
    wrong = runner.invoke(main, ["viz", "--relation", "follows", "--store", fixture_store, "-o", str(output)])
    assert wrong.exit_code == 2 and "'follows' is not one of 'implements', 'based_on'" in wrong.output
    bad_date = runner.invoke(main, ["viz", "--since", "2024-13", "--store", fixture_store, "-o", str(output)])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    month = runner.invoke(
        main, ["viz", "--until", "2024-01", "--type", "Kế hoạch", "-o", str(output), "--store", fixture_store]
    )
    assert month.exit_code == 0 and "4 nodes" in month.output  # both January plans, and what the first links to
