"""The training text read by docex's PP-OCR (convert.ocr_sroie_paddle): docex text's output
split per file, pages as lines and words, and the real binary on the sample receipt."""
import os
import shutil

from docex_train.convert import REPO, docex_bin, ocr_sroie_paddle, split_text_output, sroie_text_page


def test_docex_text_output_is_split_at_its_headers():
    out = "==> /d/a.jpg <==\nSHOP SDN BHD\nTOTAL 9.00\n\n==> /d/b.jpg <==\nCAFE\n"
    assert split_text_output(out) == {"/d/a.jpg": "SHOP SDN BHD\nTOTAL 9.00", "/d/b.jpg": "CAFE"}
    assert split_text_output("no header\n") == {}

def test_a_text_page_gives_lines_and_word_offsets(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("  SHOP   SDN BHD \n\nTOTAL 9.00\n", encoding="utf-8")
    text, words = sroie_text_page(str(p))
    assert text == "SHOP SDN BHD\nTOTAL 9.00"
    assert [text[s:e] for s, e, _ in words] == ["SHOP", "SDN", "BHD", "TOTAL", "9.00"]
    assert [li for _, _, li in words] == [0, 0, 0, 1, 1]

def test_the_binary_reads_receipts_into_the_cache_once(tmp_path):
    binary = docex_bin()
    assert binary, "the release build (scripts/setup.sh)"
    root = tmp_path / "data"
    (root / "sroie" / "img").mkdir(parents=True)
    for name in ("r1", "r2"):
        shutil.copy(os.path.join(REPO, "samples", "documents", "receipt.png"), root / "sroie" / "img" / f"{name}.jpg")
    cache = tmp_path / "cache"
    logs = []
    ocr_sroie_paddle(str(root), ["r1", "r2", "missing"], str(cache), binary, log=logs.append, chunk=1)
    for name in ("r1", "r2"):
        text = (cache / f"{name}.txt").read_text(encoding="utf-8")
        assert "85.29" in text and "TOTAL" in text.upper()
    assert sorted(os.listdir(cache)) == ["r1.txt", "r2.txt"]
    (cache / "r1.txt").write_text("kept\n", encoding="utf-8")
    ocr_sroie_paddle(str(root), ["r1", "r2"], str(cache), binary, log=logs.append)
    assert (cache / "r1.txt").read_text(encoding="utf-8") == "kept\n"
