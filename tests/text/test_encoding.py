from yuqing.text.encoding import decode, detect

SAMPLE = "某县人民医院回应网友反映的问题，称已成立调查组，将及时公布调查结果。\n" * 3
TRAD = "某縣人民醫院回應網友反映的問題，稱已成立調查組，將及時公佈調查結果。\n" * 3


def test_utf8_and_bom() -> None:
    assert detect(SAMPLE.encode()) == "utf-8"
    assert decode(b"\xef\xbb\xbf" + SAMPLE.encode()).text.lstrip("\ufeff") == SAMPLE


def test_gbk_is_read_as_gb18030() -> None:
    d = decode(SAMPLE.encode("gbk"))
    assert d.encoding == "gb18030"
    assert d.text == SAMPLE and not d.lossy


def test_big5() -> None:
    d = decode(TRAD.encode("big5"))
    assert d.encoding.startswith("big5")
    assert d.text == TRAD


def test_ascii_prefix_does_not_fool_detection() -> None:
    data = b"id,text\n" * 5000 + SAMPLE.encode("gb18030")
    assert decode(data).text.endswith(SAMPLE)


def test_one_bad_line_in_utf8_is_lossy_not_fatal() -> None:
    data = SAMPLE.encode() + b"\xff\xfe broken\n" + SAMPLE.encode()
    d = decode(data)
    assert d.encoding == "utf-8" and d.lossy
    assert d.text.count("医院") == 6
