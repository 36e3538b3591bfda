"""Relations, table-driven: a text and the (source, relation, target) triples it states.

Endpoints are canonical keys, or labels for documents without a number.
Texts are written for these tests.
"""

import pytest

from kg import extract


def triples(text):
    extraction = extract(text)
    name = {r.id: r.canonical or r.label for r in extraction.references}
    return {(name[r.source], r.relation, name[r.target]) for r in extraction.relations}


RELATIONS = [
    # a chain in one sentence
    (
        "Ngày 5/1/2023, Ban Thường vụ Tỉnh ủy Nghệ An ban hành Kế hoạch số 150-KH/TU về việc thực hiện "
        "Kết luận số 01-KL/TW ngày 18/5/2021 về tiếp tục thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị.",
        {("150-KH/TU@Nghệ An", "implements", "01-KL/TW"), ("01-KL/TW", "implements", "05-CT/TW")},
    ),
    # one source, a list of targets, after a sentence that refers back
    (
        "Huyện ủy Can Lộc vừa ban hành Kế hoạch số 31-KH/HU. Kế hoạch được ban hành nhằm cụ thể hóa "
        "Nghị quyết số 57-NQ/TW của Bộ Chính trị, Kế hoạch số 12-KH/TU và Hướng dẫn số 03-HD/BTGTU.",
        {
            ("31-KH/HU@Hà Tĩnh", "implements", "57-NQ/TW"),
            ("31-KH/HU@Hà Tĩnh", "implements", "12-KH/TU@Hà Tĩnh"),
            ("31-KH/HU@Hà Tĩnh", "implements", "03-HD/BTGTU@Hà Tĩnh"),
        },
    ),
    # a leading cue: the document the sentence issues is the source
    (
        "Thực hiện Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị, Ban Thường vụ Tỉnh ủy Lạng Sơn "
        "đã ban hành Kế hoạch số 210-KH/TU về đại hội đảng bộ các cấp.",
        {("210-KH/TU@Lạng Sơn", "implements", "35-CT/TW")},
    ),
    # a preamble of clauses, then the issuing sentence in the next paragraph
    (
        "Thực hiện Kết luận số 21-KL/TW ngày 25/10/2021 của Ban Chấp hành Trung ương;\n"
        "Thực hiện Kế hoạch số 06-KH/TU của Tỉnh ủy Bắc Giang;\n"
        "Ban Thường vụ Huyện ủy Yên Thế ban hành Kế hoạch số 44-KH/HU như sau:",
        {("44-KH/HU@Bắc Giang", "implements", "21-KL/TW"), ("44-KH/HU@Bắc Giang", "implements", "06-KH/TU@Bắc Giang")},
    ),
    # an official document: its own number in the header, its legal bases, what it replaces
    (
        "ỦY BAN NHÂN DÂN\nTỈNH VĨNH LONG\nSố: 21/2024/QĐ-UBND\nVĩnh Long, ngày 3 tháng 5 năm 2024\n\n"
        "QUYẾT ĐỊNH\nBan hành Quy chế phối hợp\n\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n"
        "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV.\n\nQUYẾT ĐỊNH:\n"
        "Điều 2. Quyết định này có hiệu lực từ ngày ký và thay thế Quyết định số 12/2019/QĐ-UBND; "
        "bãi bỏ Quyết định số 08/QĐ-UBND.",
        {
            ("21/2024/QĐ-UBND@Vĩnh Long", "based_on", "Luật Tổ chức chính quyền địa phương"),
            ("21/2024/QĐ-UBND@Vĩnh Long", "based_on", "30/2020/NĐ-CP"),
            ("21/2024/QĐ-UBND@Vĩnh Long", "cites", "45/TTr-SNV@Vĩnh Long"),
            ("21/2024/QĐ-UBND@Vĩnh Long", "replaces", "12/2019/QĐ-UBND@Vĩnh Long"),
            ("21/2024/QĐ-UBND@Vĩnh Long", "repeals", "08/QĐ-UBND@Vĩnh Long"),
        },
    ),
    # the passive turns the direction round; a plan is replaced by a plan
    (
        "Kế hoạch số 15-KH/TU của Tỉnh ủy Phú Thọ thực hiện Chỉ thị số 35-CT/TW được thay thế bởi "
        "Kế hoạch số 40-KH/TU.",
        {
            ("15-KH/TU@Phú Thọ", "implements", "35-CT/TW"),
            ("40-KH/TU@Phú Thọ", "replaces", "15-KH/TU@Phú Thọ"),
        },
    ),
    # guides, amends, summarizes, cites
    (
        "Thông tư số 01/2021/TT-BNV hướng dẫn thi hành một số điều của Nghị định số 30/2020/NĐ-CP.",
        {("01/2021/TT-BNV", "guides", "30/2020/NĐ-CP")},
    ),
    (
        "Nghị định số 38/2023/NĐ-CP sửa đổi, bổ sung một số điều của Nghị định số 27/2022/NĐ-CP.",
        {("38/2023/NĐ-CP", "amends", "27/2022/NĐ-CP")},
    ),
    (
        "Báo cáo số 412-BC/TU của Tỉnh ủy Điện Biên sơ kết 5 năm thực hiện Chỉ thị số 05-CT/TW.",
        {("412-BC/TU@Điện Biên", "summarizes", "05-CT/TW")},
    ),
    (
        "Kế hoạch số 77-KH/TU của Tỉnh ủy Hòa Bình gắn với thực hiện Quy định số 144-QĐ/TW.",
        {("77-KH/TU@Hòa Bình", "cites", "144-QĐ/TW")},
    ),
    # a document without a number that implements one
    (
        "Hội nghị thảo luận Chương trình hành động thực hiện Nghị quyết số 29-NQ/TW của Ban Chấp hành Trung ương.",
        {("Chương trình hành động thực hiện 29-NQ/TW", "implements", "29-NQ/TW")},
    ),
    # the document that issues a programme implements through it
    (
        "Nghị quyết số 139/NQ-CP của Chính phủ ban hành Chương trình hành động thực hiện Nghị quyết số 68-NQ/TW.",
        {("139/NQ-CP", "implements", "68-NQ/TW")},
    ),
    # a second cue joined by "đồng thời" goes on with the same source
    (
        "Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 224-KH/TU nhằm cụ thể hóa Kết luận số 01-KL/TW, "
        "đồng thời triển khai Kế hoạch số 58-KH/BTGTW.",
        {("224-KH/TU@Hà Tĩnh", "implements", "01-KL/TW"), ("224-KH/TU@Hà Tĩnh", "implements", "58-KH/BTGTW")},
    ),
    # what a report says is not what the report does
    (
        "Báo cáo số 210-BC/TU do Văn phòng Thành ủy trình bày nêu rõ, thực hiện Chương trình số 07-CTr/TU, "
        "các quận đã ban hành kế hoạch.",
        set(),
    ),
    # a second predicate of the speaker, not of the document named in the first
    (
        "Đồng chí Bí thư yêu cầu tiếp tục cụ thể hóa Nghị quyết số 15-NQ/TW, đồng thời gắn với thực hiện "
        "Kết luận số 80-KL/TW.",
        set(),
    ),
    # "và" joins two objects: the first is not the second's source
    ("Việc bầu cử thực hiện đúng Điều lệ Đảng và theo Quy định số 24-QĐ/TW.", set()),
    # no source document, no relation
    ("Các địa phương đã triển khai thực hiện Chỉ thị số 05-CT/TW một cách sâu rộng.", set()),
    ("Hội nghị quán triệt Kết luận số 01-KL/TW và Chỉ thị số 05-CT/TW.", set()),
    (
        "Chương trình số 50 của Tỉnh ủy trọng tâm là xây dựng 4 trụ cột theo hướng công nghiệp "
        "hiện đại, nông nghiệp sinh thái theo Nghị quyết số 04.",
        set(),
    ),
]


@pytest.mark.parametrize("text,expected", RELATIONS)
def test_relations(text, expected):
    assert triples(text) == expected


def test_evidence_is_the_sentence_that_states_the_relation():
    text = "Mở đầu. Kế hoạch số 12-KH/TU thực hiện Chỉ thị số 05-CT/TW. Kết thúc."
    relation = extract(text).relations[0]
    assert relation.evidence.text == "Kế hoạch số 12-KH/TU thực hiện Chỉ thị số 05-CT/TW."
    assert text[relation.evidence.start : relation.evidence.end] == relation.evidence.text
    assert relation.cue == "thực hiện"
