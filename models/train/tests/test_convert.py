from docex_train.convert import (
    _align_company,
    _align_date,
    _align_total,
    _clean_tag,
    _cuad_type,
    is_party_name,
    store_key,
)
from docex_train.patterns import find_dates, find_durations, find_jurisdictions, parse_amount


def _words(text):
    out, pos, li = [], 0, 0
    for line in text.split("\n"):
        for w in line.split(" "):
            out.append((pos, pos + len(w), li))
            pos += len(w) + 1
        li += 1
    return out


def test_sroie_alignment():
    text = "BOOK TAK (TAMAN DAYA) SDN BHD\nNO.5 JALAN\nTotal Sales 9.00\nTOTAL: RM9.00\nCASH 9.00"
    s, e = _align_company(text, _words(text), "BOOK TA .K (TAMAN DAYA) SDN BHD")
    assert text[s:e] == "BOOK TAK (TAMAN DAYA) SDN BHD"
    s, e = _align_total(text, "9.00")
    assert text[s:e] == "9.00" and text[:s].endswith("RM")  # the last one on a total line
    text2 = "Date: 25/12/2018 10:00"
    s, e = _align_date(text2, "25/12/2018")
    assert text2[s:e] == "25/12/2018"
    s, e = _align_date("Date 25-12-18", "25/12/2018")
    assert (s, e) == (5, 13)


def test_midd_tag_cleaning():
    assert _clean_tag("B-SUPP_N") == ("B", "SUPP_N")
    assert _clean_tag(" I-INV_NO ") == ("I", "INV_NO")
    assert _clean_tag("728") == ("O", None)
    assert _clean_tag("") == ("O", None)


def test_cuad_party_filter():
    text = 'Birch Inc. ("Company") and Mount Holdings LLC (the "Distributor")'
    assert is_party_name("Birch Inc.", text, [(0, 10)], set())
    assert not is_party_name("Company", text, [(13, 20)], set())
    assert not is_party_name("Distributor", text, [(52, 63)], set())
    assert not is_party_name("Rogers", "Rogers", [(0, 6)], {"rogers"})
    assert is_party_name("John Smith", "John Smith", [(0, 10)], set())
    assert not is_party_name('"Omega" or "Operator"', "x", [(0, 1)], set())


def test_cuad_type():
    assert _cuad_type("X_20140520_10-Q_EX-10.27_8605784_EX-10.27_Affiliate Agreement.txt") == "affiliate agreement"
    assert _cuad_type("A_B_Franchise Agreement3.txt") == "franchise agreement"
    assert _cuad_type("FOO_04_24_2003-EX-10.13-JOINT VENTURE AGREEMENT.txt") == "joint venture agreement"


def test_patterns():
    assert [t for *_, t in find_dates("the 8th day of May 2014", "mdy")][0][0].isoformat() == "2014-05-08"
    assert find_dates("July 11 , 2006")[0][:2] == (0, 14)
    text = "shall continue for five (5) years and renew for 36 months"
    assert [text[a:b] for a, b in find_durations(text)] == ["five (5) years", "36 months"]
    assert [j for *_, j in find_jurisdictions("laws of the State of New York")] == ["New York"]
    assert parse_amount("RM1,234.50") == 1234.5 and parse_amount("1.234,56") == 1234.56
    assert store_key("MR D.I.Y. (JOHOR) SDN BHD") == store_key("MR D.I.Y. (M) SDN BHD")


def test_sroie_receipts_are_read_again_as_docex_reads_them(tmp_path):
    """ocr_sroie runs tesseract --psm 6 over sroie/img and convert_sroie("pipeline") aligns the
    keys to that text, as extra training text with its own id."""
    import json
    import shutil

    import pytest
    from PIL import Image, ImageDraw, ImageFont

    from docex_train.convert import PIPELINE_PSM, convert_sroie, ocr_sroie

    if shutil.which("tesseract") is None:
        pytest.fail("the tesseract command is part of the set-up (scripts/setup.sh)")
    root = tmp_path / "data"
    (root / "sroie" / "img").mkdir(parents=True)
    (root / "sroie" / "key").mkdir()
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 28)
    img = Image.new("L", (700, 300), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(["KEDAI JAYA SDN BHD", "Date: 23/11/2019", "TOTAL RM 85.29"]):
        draw.text((30, 30 + 70 * i), line, font=font, fill=0)
    img.save(root / "sroie" / "img" / "X1.jpg", dpi=(300, 300))
    key = {"company": "KEDAI JAYA SDN BHD", "date": "23/11/2019", "total": "85.29"}
    (root / "sroie" / "key" / "X1.json").write_text(json.dumps(key))

    cache = ocr_sroie(str(root), ["X1"], str(tmp_path / "tsv"))
    assert (tmp_path / "tsv" / "X1.tsv").exists()
    docs = convert_sroie(str(root), "pipeline", cache)
    assert [d["id"] for d in docs] == [f"sroie/X1#psm{PIPELINE_PSM}"]
    got = {label: docs[0]["text"][s:e] for s, e, label in docs[0]["spans"]}
    assert got == {"VENDOR": "KEDAI JAYA SDN BHD", "INVOICE_DATE": "23/11/2019", "TOTAL": "85.29"}
