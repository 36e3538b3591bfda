"""Recognition, table-driven: a text and the documents it must (or must not) yield.

Each row gives a text and the references expected in it, as
(canonical, first mention text). Texts are written for these tests.
"""

import unicodedata

import pytest

from kg import extract


def refs(text, context=None):
    return [(r.canonical, r.mentions[0].text) for r in extract(text, context).references]


RECOGNITION = [
    # plain forms, with and without "số"
    (
        "Tỉnh ủy Nghệ An ban hành Kế hoạch số 87-KH/TU về công tác dân vận.",
        [("87-KH/TU@Nghệ An", "Kế hoạch số 87-KH/TU")],
    ),
    ("Theo Chỉ thị 05-CT/TW của Bộ Chính trị, các cấp ủy học tập.", [("05-CT/TW", "Chỉ thị 05-CT/TW")]),
    (
        "UBND tỉnh có Quyết định số: 1234/QĐ-UBND về việc thành lập tổ công tác.",
        [("1234/QĐ-UBND", "Quyết định số: 1234/QĐ-UBND")],
    ),
    # type word in any case, or left out in a list
    ("Ban hành KẾ HOẠCH SỐ 14-KH/HU để phổ biến.", [("14-KH/HU", "KẾ HOẠCH SỐ 14-KH/HU")]),
    (
        "Quán triệt các nghị quyết: số 19-NQ/TƯ, số 20-NQ/TW và số 21-NQ/TW của Trung ương.",
        [("19-NQ/TW", "số 19-NQ/TƯ"), ("20-NQ/TW", "số 20-NQ/TW"), ("21-NQ/TW", "số 21-NQ/TW")],
    ),
    # separators written every way
    ("Thực hiện Chỉ thị số 05 - CT/TW trong toàn Đảng bộ.", [("05-CT/TW", "Chỉ thị số 05 - CT/TW")]),
    ("Hướng dẫn số 115- HD/BTGTU của Ban Tuyên giáo.", [("115-HD/BTGTU", "Hướng dẫn số 115- HD/BTGTU")]),
    ("Kế hoạch số 89 –KH/ĐU của Đảng ủy xã.", [("89-KH/ĐU", "Kế hoạch số 89 –KH/ĐU")]),
    ("Quyết định Số:15 /2014/QĐ-UBND quy định về văn thư.", [("15/2014/QĐ-UBND", "Quyết định Số:15 /2014/QĐ-UBND")]),
    ("Quyết định 318 QĐ-TTg về bộ tiêu chí nông thôn mới.", [("318/QĐ-TTg", "Quyết định 318 QĐ-TTg")]),
    ("Chỉ thị số 22/CT-TW về xây dựng quan hệ lao động.", [("22-CT/TW", "Chỉ thị số 22/CT-TW")]),
    # look-alike and decomposed characters, all-caps headings, odd spaces and breaks
    ("Kế hoạch số 12-KH/\u00d0U của \u00d0ảng ủy phường.", [("12-KH/ĐU", "Kế hoạch số 12-KH/\u00d0U")]),
    ("THỰC HIỆN QUYẾT ĐỊNH SỐ 1719/QĐ-TTG CỦA THỦ TƯỚNG", [("1719/QĐ-TTg", "QUYẾT ĐỊNH SỐ 1719/QĐ-TTG")]),
    ("Kế hoạch số\u00a0203-KH/TU ngày\u00a010/3/2023.", [("203-KH/TU", "Kế hoạch số\u00a0203-KH/TU")]),
    ("Nghị quyết số 33-\nNQ/TW về văn hóa.", [("33-NQ/TW", "Nghị quyết số 33-\nNQ/TW")]),
    ("Thông báo số 70-TB/TWngày 5/6/2022 của Bộ Chính trị.", [("70-TB/TW", "Thông báo số 70-TB/TW")]),
    (
        unicodedata.normalize("NFD", "Kế hoạch số 46-KH/HU của Huyện ủy."),
        [("46-KH/HU", unicodedata.normalize("NFD", "Kế hoạch số 46-KH/HU"))],
    ),
    ("Nghị quyết số 4\u200b5-NQ/TW của Ban Chấp hành Trung ương.", [("45-NQ/TW", "Nghị quyết số 4\u200b5-NQ/TW")]),
    # State legal documents, laws, công văn; symbols with mixed case
    ("Nghị định 30/2020/NĐ-CP về công tác văn thư.", [("30/2020/NĐ-CP", "Nghị định 30/2020/NĐ-CP")]),
    ("Luật Đất đai số 31/2024/QH15 có hiệu lực.", [("31/2024/QH15", "Luật Đất đai số 31/2024/QH15")]),
    ("Công văn số 628/BNN-TT của Bộ về gieo cấy.", [("628/BNN-TT", "Công văn số 628/BNN-TT")]),
    ("Công văn số 1868/SGDĐT-GDTrH hướng dẫn kiểm tra.", [("1868/SGDĐT-GDTrH", "Công văn số 1868/SGDĐT-GDTrH")]),
    ("Quy định số 08-QĐi/TW về nêu gương.", [("08-QĐi/TW", "Quy định số 08-QĐi/TW")]),
    ("Chương trình số 15-CTr/TU của Tỉnh ủy.", [("15-CTr/TU", "Chương trình số 15-CTr/TU")]),
    # numbers without a symbol
    ("Tiếp tục thực hiện Nghị quyết số 04 của Tỉnh ủy.", [("Nghị quyết 04", "Nghị quyết số 04")]),
    # what is not a reference
    ("Đường dây nóng 0239.3855.123; đạt 16/28 chỉ tiêu, tăng 7,5%¹ so với 2021-2025.", []),
    ("Ảnh: IMG_0512-KH.jpg. Khẩu hiệu 5 nhất quán, 3 không; trụ sở số 12/3 đường Trần Phú.", []),
    ("Nghị quyết Đại hội XIII của Đảng và Nghị quyết Trung ương 6 khóa XIII đã đi vào cuộc sống.", []),
    ("Thời gian từ ngày 18/5/2021 đến 30/6/2021, biển số 38A-123.45 vi phạm.", []),
    ("Kế hoạch 2023 của huyện đạt kết quả tốt.", []),
]


@pytest.mark.parametrize("text,expected", RECOGNITION)
def test_recognition(text, expected):
    assert refs(text) == expected


def test_every_mention_slices_back_to_its_text():
    text = "Thực hiện Kết luận số 01-KL/TW,\u00a0ngày 18/5/2021 và Kế hoạch số 58 -KH/BTGTW; Chỉ thị số 05."
    for reference in extract(text).references:
        for mention in reference.mentions:
            assert text[mention.start : mention.end] == mention.text


def test_one_reference_per_document_with_all_its_mentions():
    text = (
        "Kế hoạch số 224-KH/TU thực hiện Kết luận số 01-KL/TW. Kết luận số 01-KL/TW của Bộ Chính trị "
        "tiếp tục thực hiện Chỉ thị 05-CT/TW. Chỉ thị 05 được quán triệt."
    )
    found = {r.canonical: [m.text for m in r.mentions] for r in extract(text).references}
    assert found["01-KL/TW"] == ["Kết luận số 01-KL/TW", "Kết luận số 01-KL/TW"]
    assert found["05-CT/TW"] == ["Chỉ thị 05-CT/TW", "Chỉ thị 05"]


ATTRIBUTES = [
    # (text, canonical, attribute, expected)
    ("Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị.", "01-KL/TW", "date", "2021-05-18"),
    ("Kết luận số 01-KL/TW, ngày 18-5-2021.", "01-KL/TW", "date", "2021-05-18"),
    ("Kết luận số 01-KL/TW ngày 18 tháng 5 năm 2021.", "01-KL/TW", "date", "2021-05-18"),
    (
        "Ngày 2/12/2022, Ban Thường vụ Tỉnh ủy Hà Tĩnh đã ban hành Kế hoạch số 129-KH/TU.",
        "129-KH/TU@Hà Tĩnh",
        "date",
        "2022-12-02",
    ),
    (
        "Ngày 2/12/2022, Ban Thường vụ Tỉnh ủy Hà Tĩnh đã ban hành Kế hoạch số 129-KH/TU.",
        "129-KH/TU@Hà Tĩnh",
        "issuer",
        "Ban Thường vụ Tỉnh ủy",
    ),
    ("các nghị quyết số 18-NQ/TW, số 19-NQ/TW ngày 16/6/2022 của Trung ương", "18-NQ/TW", "date", "2022-06-16"),
    (
        "Chỉ thị số 05-CT/TW của Bộ Chính trị “Về đẩy mạnh học tập và làm theo tư tưởng Hồ Chí Minh”.",
        "05-CT/TW",
        "title",
        "Về đẩy mạnh học tập và làm theo tư tưởng Hồ Chí Minh",
    ),
    ("Chỉ thị số 05-CT/TW của Bộ Chính trị.", "05-CT/TW", "issuer", "Bộ Chính trị"),
    ("Nghị định 30/2020/NĐ-CP về văn thư.", "30/2020/NĐ-CP", "year", "2020"),
    ("Nghị định 30/2020/NĐ-CP về văn thư.", "30/2020/NĐ-CP", "family", "state"),
    ("Chỉ thị số 05-CT/TW của Bộ Chính trị.", "05-CT/TW", "level", "central"),
    ("Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị.", "05-CT/TW", "term", "XII"),
    ("Chỉ thị số 35-CT/TW ngày 14/6/2024 về đại hội đảng bộ các cấp.", "35-CT/TW", "term", "XIII"),
    ("Chỉ thị số 35-CT/TW ngày 30/5/2019 về đại hội đảng bộ các cấp.", "35-CT/TW", "term", "XII"),
    ("Kế hoạch số 05-KH/TU ngày 31/2/2023 của Tỉnh ủy.", "05-KH/TU", "date", None),
    # a term written after the issuer settles a number two terms share
    ("tổng kết Nghị quyết số 18-NQ/TW của Ban Chấp hành Trung ương Đảng khóa XII.", "18-NQ/TW", "term", "XII"),
    ("quán triệt Chỉ thị số 35-CT/TW của Bộ Chính trị khóa XIII về đại hội.", "35-CT/TW", "term", "XIII"),
    # local congresses number their own terms: only years name a local term
    ("Kế hoạch số 12-KH/TU của Tỉnh ủy Hà Tĩnh khóa XIX.", "12-KH/TU@Hà Tĩnh", "term", None),
]


@pytest.mark.parametrize("text,canonical,attribute,expected", ATTRIBUTES)
def test_attributes(text, canonical, attribute, expected):
    found = {r.canonical: r for r in extract(text).references}
    assert getattr(found[canonical], attribute) == expected


def test_impossible_date_is_dropped_with_a_warning():
    extraction = extract("Kế hoạch số 05-KH/TU ngày 31/2/2023 của Tỉnh ủy Hà Tĩnh.")
    assert extraction.references[0].date is None
    assert any("31/2/2023" in warning for warning in extraction.warnings)


def test_a_number_in_several_terms_is_left_open_without_a_date():
    extraction = extract("Các cấp ủy quán triệt Chỉ thị số 35-CT/TW về đại hội.")
    assert extraction.references[0].term is None
    assert any("several terms" in warning for warning in extraction.warnings)


def test_header_number_is_the_texts_own_document():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ\nSố: 1542/QĐ-UBND\n"
        "Quảng Trị, ngày 25 tháng 8 năm 2025\n\nQUYẾT ĐỊNH\nVề việc kiện toàn Ban Chỉ đạo\n"
    )
    own = extract(text).references[0]
    assert (own.self, own.canonical, own.date, own.type) == (True, "1542/QĐ-UBND@Quảng Trị", "2025-08-25", "Quyết định")


def test_a_date_that_opens_the_next_issuing_clause_is_not_the_previous_documents():
    text = (
        "Thực hiện Nghị quyết số 21-NQ/TW, ngày 3/10/2022 Ban Thường vụ Huyện ủy Đức Thọ đã ban hành "
        "Kế hoạch số 87-KH/HU để triển khai."
    )
    dates = {r.canonical: r.date for r in extract(text).references}
    assert dates == {"21-NQ/TW": None, "87-KH/HU@Hà Tĩnh": "2022-10-03"}


def test_a_law_passed_on_a_date():
    text = "Luật Thủ đô số 39/2024/QH15 vừa được Quốc hội thông qua ngày 28/6/2024."
    assert extract(text).references[0].date == "2024-06-28"


def test_a_header_names_the_level_and_district_of_the_documents_issuer():
    text = "ỦY BAN NHÂN DÂN\nHUYỆN NGHI XUÂN\nSố: 1205/QĐ-UBND\nNghi Xuân, ngày 14 tháng 8 năm 2023\n\nQUYẾT ĐỊNH\n"
    own = extract(text).references[0]
    assert (own.level, own.province, own.district, own.date) == ("district", "Hà Tĩnh", "Nghi Xuân", "2023-08-14")


def test_a_people_s_committee_of_unknown_level_is_left_open():
    text = "Thực hiện Kế hoạch số 54/KH-UBND về chuyển đổi số, Sở Nội vụ tỉnh Hà Tĩnh hướng dẫn các đơn vị."
    plan = extract(text).references[0]
    assert (plan.level, plan.province) == (None, "Hà Tĩnh")
