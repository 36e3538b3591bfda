"""Normalisation keeps a map back to the original characters."""

import unicodedata

import pytest

from kg.normalize import fold, normalize

CASES = [
    ("Tỉnh uỷ cụ thể hoá", "Tỉnh ủy cụ thể hóa"),
    ("\u00d0ảng ủy", "Đảng ủy"),
    ("05\u00a0–\u00a0CT/TƯ", "05 - CT/TƯ"),
    ("số\u200b 12", "số 12"),
    (unicodedata.normalize("NFD", "Kế hoạch"), "Kế hoạch"),
    ("quý, hoàn, khoẻ", "quý, hoàn, khỏe"),
    ("<p>Kế hoạch <b>số</b> 129</p>", "\nKế hoạch số 129\n"),
    ('<a href="/x?a=1&amp;b=2">Ch&#7881; th&#x1ecb;&nbsp;05&ndash;CT/TW</a>', "Chỉ thị 05-CT/TW"),
    ("a < b && c &unknown; <3", "a < b && c &unknown; <3"),
]


@pytest.mark.parametrize("original,expected", CASES)
def test_normal_form(original, expected):
    assert normalize(original).text == expected


@pytest.mark.parametrize("original,_", CASES)
def test_every_normal_span_maps_back_inside_the_original(original, _):
    normal = normalize(original)
    for start in range(len(normal.text)):
        for end in range(start + 1, len(normal.text) + 1):
            first, last = normal.span(start, end)
            assert 0 <= first <= last <= len(original)


@pytest.mark.parametrize("original,_", CASES)
def test_spans_between_words_fold_back_to_the_normal_text(original, _):
    normal = normalize(original)
    edges = [0] + [i for i, ch in enumerate(normal.text) if ch == " "] + [len(normal.text)]
    for start in edges:
        for end in edges:
            if start < end:
                assert fold(normal.original_text(start, end)) == normal.text[start:end]


def test_vietnamese_words_sort_as_in_a_dictionary():
    from kg.normalize import collation_key

    names = ["Điện Biên", "Hải Phòng", "Bình Định", "Đà Nẵng", "Bắc Giang", "Hà Tĩnh", "Bạc Liêu", "Cà Mau", "Dak"]
    assert sorted(names, key=collation_key) == [
        "Bạc Liêu",
        "Bắc Giang",
        "Bình Định",
        "Cà Mau",
        "Dak",
        "Đà Nẵng",
        "Điện Biên",
        "Hà Tĩnh",
        "Hải Phòng",
    ]
