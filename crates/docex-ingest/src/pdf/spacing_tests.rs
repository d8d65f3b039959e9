//! The text layer's words from glyph geometry (issue 16), one small PDF per way a
//! producer spaces its glyphs: TJ kerning with no space glyphs, one glyph per `Td`
//! (browsers), `Tc`/`Tw` spacing, letter-spaced and condensed text, Type3 and CID
//! fonts, rotated text and pages, fake bold.

use super::*;
use crate::fixtures;
use docex_core::BBox;

/// A one-page PDF (612 x 792) drawing `content` with the fonts `fonts`
/// (`/Name N 0 R` entries), `more` the objects from 5 on.
fn page(content: &str, fonts: &str, page_extra: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << {fonts} >> >> {page_extra} >>"
        )
        .into_bytes(),
        fixtures::stream("", content.as_bytes()),
    ];
    objects.extend(more.iter().cloned());
    fixtures::pdf(&objects)
}

/// A simple TrueType-like font whose glyphs are all 500 units wide (half the font
/// size), so a test can place glyphs by hand: object 5.
fn fixed_font() -> Vec<u8> {
    format!(
        "<< /Type /Font /Subtype /TrueType /BaseFont /Fixed /FirstChar 32 /LastChar 126 \
         /Widths [{}] /Encoding /WinAnsiEncoding >>",
        vec!["500"; 95].join(" ")
    )
    .into_bytes()
}

/// The page's text and words (text, box) as read.
fn read(pdf: &[u8]) -> (String, Vec<(String, BBox)>) {
    match read_pdf(pdf, &Limits::default(), None).unwrap().pop() {
        Some(PageInput::Text { text, words, .. }) => {
            let chars: Vec<char> = text.chars().collect();
            let words = words
                .iter()
                .map(|w| {
                    (
                        chars[w.start..w.end].iter().collect(),
                        w.bbox.expect("a box"),
                    )
                })
                .collect();
            (text, words)
        }
        other => panic!("not a text page: {other:?}"),
    }
}

fn text(pdf: &[u8]) -> String {
    read(pdf).0
}

/// Each glyph of `s` placed by its own `Td`, `advance` points on, with the fixed
/// font at 10 points (a glyph is 5 points wide).
fn one_glyph_per_td(s: &str, advance: f32) -> String {
    let mut content = String::from("BT /F1 10 Tf 72 700 Td ");
    for (i, c) in s.chars().enumerate() {
        if i > 0 {
            content += &format!("{advance} 0 Td ");
        }
        if c != ' ' {
            content += &format!("({c}) Tj ");
        }
    }
    content + "ET"
}

#[test]
fn tj_kerning_without_space_glyphs() {
    // a word gap made by a TJ offset (-300 thousandths: 3.6 pt at 12 pt), and kerning
    // inside words (-30, +20) that must not split them
    let content = "BT /F1 12 Tf 72 700 Td [(New)-300(Y)30(ork)] TJ \
                   0 -16 Td [(Con)20(fi)-15(dential)-400(Agree)25(ment)] TJ ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "New York\nConfidential Agreement");
}

#[test]
fn one_glyph_per_td_as_browsers_print() {
    // advances exactly the glyph width inside words, a space's width between them
    let pdf = page(
        &one_glyph_per_td("Governing law Texas", 5.0),
        "/F1 5 0 R",
        "",
        &[fixed_font()],
    );
    assert_eq!(text(&pdf), "Governing law Texas");
}

#[test]
fn letter_spaced_and_condensed_text_keep_their_words() {
    // letter-spaced: 1.5 pt between glyphs (0.15 em), a gap of 6.5 pt at the space
    let spaced = page(
        &one_glyph_per_td("Effective Date February 10", 6.5),
        "/F1 5 0 R",
        "",
        &[fixed_font()],
    );
    assert_eq!(text(&spaced), "Effective Date February 10");
    // condensed: glyphs drawn at 80 % width (Tz 80) and so placed
    let content = "BT /F1 10 Tf 80 Tz 72 700 Td (Invoice total 1,234.00) Tj ET";
    let condensed = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&condensed), "Invoice total 1,234.00");
}

#[test]
fn tc_and_tw_spacing() {
    // Tc spreads every glyph (a space glyph still separates); Tw widens spaces
    let content = "BT /F1 10 Tf 2 Tc 72 700 Td (Net 30 days) Tj ET \
                   BT /F1 10 Tf 0 Tc 12 Tw 72 686 Td (Total due) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "Net 30 days\nTotal due");
    // Tc alone, no space glyph: words come from a TJ gap
    let content = "BT /F1 10 Tf 1 Tc 72 700 Td [(Payment)-800(terms)] TJ ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "Payment terms");
}

/// A CID font (Type0, Identity-H) whose widths are given in the `/W` range form
/// `c_first c_last w`, the form browsers write, and whose ToUnicode maps CIDs 1-26
/// to `a`-`z`: object 5 (and 6, 7).
fn cid_font() -> Vec<Vec<u8>> {
    let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
                /CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange \
                1 beginbfrange <0001> <001A> <0061> endbfrange \
                endcmap CMapName currentdict /CMap defineresource pop end end";
    vec![
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H \
          /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test \
          /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
          /FontDescriptor << /Type /FontDescriptor /FontName /Test /Flags 4 \
          /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 \
          /StemV 80 >> /DW 0 /W [1 26 500] >>"
            .to_vec(),
        fixtures::stream("", cmap.as_bytes()),
    ]
}

#[test]
fn cid_font_widths_in_the_range_form() {
    // "confidential" then "new york": one glyph per Td, each advancing its width
    let hex = |s: &str| -> String {
        s.chars()
            .map(|c| format!("<{:04X}> Tj ", c as u32 - 'a' as u32 + 1))
            .collect::<Vec<_>>()
            .join("5 0 Td ")
    };
    let content = format!(
        "BT /F1 10 Tf 72 700 Td {} ET BT /F1 10 Tf 72 686 Td {} 10 0 Td {} ET",
        hex("confidential"),
        hex("new"),
        hex("york")
    );
    let pdf = page(&content, "/F1 5 0 R", "", &cid_font());
    // pdf-extract 0.12.1 read no width from `1 26 500` (every glyph 0 wide)
    let (text, words) = read(&pdf);
    assert_eq!(text, "confidential\nnew york");
    let widths: Vec<f32> = words.iter().map(|(_, b)| b.width).collect();
    assert_eq!(widths, [60.0, 15.0, 20.0], "12, 3 and 4 glyphs of 5 points");
}

#[test]
fn type3_font_widths_through_its_font_matrix() {
    // glyph space of 1/100 em: widths of 50 are half an em
    let font = b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 100 100] \
                 /FontMatrix [0.01 0 0 0.01 0 0] /CharProcs << /A 6 0 R >> \
                 /Encoding << /Type /Encoding /Differences [65 /A /B /C /D] >> \
                 /FirstChar 65 /LastChar 68 /Widths [50 50 50 50] /Resources << >> >>"
        .to_vec();
    let proc = fixtures::stream("", b"50 0 d0");
    let pdf = page(
        &one_glyph_per_td("AB CD", 5.0),
        "/F1 5 0 R",
        "",
        &[font, proc],
    );
    assert_eq!(text(&pdf), "AB CD");
}

#[test]
fn rotated_text_reads_along_its_direction() {
    // a line drawn upwards (90 degrees counter-clockwise) and one upside down
    let content = "BT /F1 10 Tf 0 1 -1 0 100 100 Tm (Exhibit 10.1) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    let (text, words) = read(&pdf);
    assert_eq!(text, "Exhibit 10.1");
    // the box is tall, not wide: x about 92-100, y from the bottom up
    let (_, b) = &words[0];
    assert!(b.height > b.width, "{b:?}");
    let content = "BT /F1 10 Tf -1 0 0 -1 300 100 Tm (Page 2) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(self::text(&pdf), "Page 2");
    // a page shown turned (/Rotate 90) whose lines run down the sheet
    let content = "BT /F1 10 Tf 0 -1 1 0 100 700 Tm (First line) Tj ET \
                   BT /F1 10 Tf 0 -1 1 0 88 700 Tm (Second line) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "/Rotate 90", &[fixed_font()]);
    assert_eq!(self::text(&pdf), "First line\nSecond line");
}

#[test]
fn overprinted_fake_bold_is_read_once() {
    let content = "BT /F1 10 Tf 72 700 Td (TOTAL) Tj ET BT /F1 10 Tf 72.4 700 Td (TOTAL) Tj ET \
                   BT /F1 10 Tf 110 700 Td (12.00) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "TOTAL 12.00");
}

#[test]
fn words_have_their_boxes_in_points_from_the_top_left() {
    let content = "BT /F1 10 Tf 72 700 Td (Invoice INV-7) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    let (_, words) = read(&pdf);
    let boxes: Vec<(&str, [f32; 4])> = words
        .iter()
        .map(|(w, b)| (w.as_str(), [b.x, b.y, b.width, b.height]))
        .collect();
    // 7 glyphs of 5 pt from x 72; the baseline 92 pt from the top, 8 pt up, 2 down
    assert_eq!(
        boxes,
        [
            ("Invoice", [72.0, 84.0, 35.0, 10.0]),
            ("INV-7", [112.0, 84.0, 25.0, 10.0])
        ]
    );
}

#[test]
fn lines_come_in_reading_order_whatever_the_drawing_order() {
    // a table drawn column by column: labels first, then amounts
    let content = "BT /F1 10 Tf 72 700 Td (Net) Tj 0 -14 Td (Tax) Tj 0 -14 Td (Total) Tj ET \
                   BT /F1 10 Tf 300 700 Td (100.00) Tj 0 -14 Td (19.00) Tj 0 -14 Td (119.00) Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "Net 100.00\nTax 19.00\nTotal 119.00");
}

/// A page drawing a 30 x 20 gray image over `rect` (`x y w h` in points) and the
/// text `content`.
fn image_and_text(rect: &str, content: &str) -> Vec<u8> {
    let pixels = vec![200u8; 600];
    let image = fixtures::stream(
        "/Type /XObject /Subtype /Image /Width 30 /Height 20 /ColorSpace /DeviceGray \
         /BitsPerComponent 8",
        &pixels,
    );
    let [x, y, w, h]: [&str; 4] = rect.split(' ').collect::<Vec<_>>().try_into().unwrap();
    let content = format!("q {w} 0 0 {h} {x} {y} cm /Im1 Do Q {content}");
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>"
            .to_vec(),
        fixtures::stream("", content.as_bytes()),
    ];
    objects.push(fixed_font());
    objects.push(image);
    fixtures::pdf(&objects)
}

#[test]
fn a_scan_with_a_stamped_header_is_read_by_ocr_besides_its_text_layer() {
    let header = "BT /F1 10 Tf 72 760 Td (Exhibit 10.1 Page 1 of 3) Tj ET";
    // the scan covers the page below the header: OCR besides the text layer
    let pdf = image_and_text("36 36 540 700", header);
    match read_pdf(&pdf, &Limits::default(), None).unwrap().pop() {
        Some(PageInput::Image {
            image, text_layer, ..
        }) => {
            assert_eq!(image.dimensions(), (30, 20));
            assert_eq!(text_layer.as_deref(), Some("Exhibit 10.1 Page 1 of 3"));
        }
        other => panic!("not an image page: {other:?}"),
    }
    // a small picture (a logo): the text layer alone
    let pdf = image_and_text("36 600 100 60", header);
    assert_eq!(text(&pdf), "Exhibit 10.1 Page 1 of 3");
    // an OCR layer (invisible text, render mode 3) over the scan: the layer alone
    let layer = "BT 3 Tr /F1 10 Tf 72 500 Td (Agreement dated March 5, 2021) Tj ET";
    let pdf = image_and_text("0 0 612 792", layer);
    assert_eq!(text(&pdf), "Agreement dated March 5, 2021");
}

#[test]
fn a_font_with_an_encoding_name_outside_the_standard_ones_is_read() {
    // pdf-extract 0.12.1 panicked on it, and the page lost its text
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
                 /Encoding /ZapfDingbatsEncoding >>"
        .to_vec();
    // and the core ZapfDingbats, whose glyph names have no Unicode (a panic too)
    let dingbats = b"<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats \
                     /Encoding /ZapfDingbatsEncoding >>"
        .to_vec();
    let content = "BT /F1 10 Tf 72 700 Td (Governing law) Tj ET \
                   BT /F2 10 Tf 72 686 Td (New York) Tj ET \
                   BT /F3 10 Tf 72 672 Td (a) Tj ET BT /F1 10 Tf 90 672 Td (Signed) Tj ET";
    let pdf = page(
        content,
        "/F1 5 0 R /F2 6 0 R /F3 7 0 R",
        "",
        &[fixed_font(), font, dingbats],
    );
    assert_eq!(text(&pdf), "Governing law\nNew York\na Signed");
}

#[test]
fn text_read_before_a_failure_in_the_page_is_kept() {
    // a Tj whose operand is no string makes pdf-extract panic after the first line
    let content = "BT /F1 10 Tf 72 700 Td (Effective Date March 1, 2024) Tj ET \
                   BT /F1 10 Tf 72 680 Td 42 Tj ET";
    let pdf = page(content, "/F1 5 0 R", "", &[fixed_font()]);
    assert_eq!(text(&pdf), "Effective Date March 1, 2024");
}

#[test]
fn a_page_whose_content_does_not_parse_is_an_empty_page() {
    // an array nested 100000 deep: lopdf refuses the content (pdf-extract 0.12.1
    // unwrapped the error; the panic failed the document)
    let nested = fixtures::nested_array(100_000);
    let content = format!("BT /F1 10 Tf 72 700 Td (x) Tj {nested} ET");
    let pdf = page(&content, "/F1 5 0 R", "", &[fixed_font()]);
    // lopdf's parser recurses: a thread with room for it, as in lib.rs's table
    let pages = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || read_pdf(&pdf, &Limits::default(), None))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    match &pages[..] {
        [PageInput::Text { text, .. }] => assert_eq!(text, ""),
        other => panic!("{other:?}"),
    }
}
