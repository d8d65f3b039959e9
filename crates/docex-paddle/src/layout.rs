//! Recognised line boxes to page text: boxes side by side on one row become one
//! text line (a label and its amount on a receipt, as Tesseract's single-block
//! mode reads them), rows top to bottom; words with boxes from the CTC columns.

use docex_core::{BBox, Word};
use unicode_normalization::UnicodeNormalization;

use crate::det::TextBox;
use crate::geom::Point;
use crate::rec::Line;

/// A recognised box on the page.
#[derive(Debug, Clone)]
pub struct Read {
    /// Where it is.
    pub area: TextBox,
    /// What it says.
    pub line: Line,
}

/// Two boxes share a row when their vertical extents overlap by at least this
/// share of the lower box's height.
const SAME_ROW: f32 = 0.5;

/// The page text (rows joined by `\n`, boxes of a row by a space, NFKC-normalised)
/// and its words with their boxes and confidences.
pub fn page_text(reads: Vec<Read>) -> (String, Vec<Word>) {
    let rows = rows(reads);
    let mut text = String::new();
    let mut words = Vec::new();
    let mut offset = 0usize;
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            text.push('\n');
            offset += 1;
        }
        for (i, read) in row.iter().enumerate() {
            if i > 0 {
                text.push(' ');
                offset += 1;
            }
            offset = push_line(read, &mut text, &mut words, offset);
        }
    }
    (text, words)
}

/// Groups boxes into rows, top to bottom, each left to right.
fn rows(mut reads: Vec<Read>) -> Vec<Vec<Read>> {
    let centre_y = |r: &Read| {
        let (_, y, _, h) = r.area.bounds();
        y + h / 2.0
    };
    reads.sort_by(|a, b| centre_y(a).total_cmp(&centre_y(b)));
    let mut rows: Vec<Vec<Read>> = Vec::new();
    for read in reads {
        let (_, y, _, h) = read.area.bounds();
        // joins the last row when any of its boxes overlaps this one enough
        let joins = rows.last().is_some_and(|row| {
            row.iter().any(|o| {
                let (_, oy, _, oh) = o.area.bounds();
                let overlap = (y + h).min(oy + oh) - y.max(oy);
                overlap >= SAME_ROW * h.min(oh)
            })
        });
        if joins {
            rows.last_mut().expect("a row to join").push(read);
        } else {
            rows.push(vec![read]);
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.area.bounds().0.total_cmp(&b.area.bounds().0));
    }
    rows
}

/// Appends one recognised box's text (NFKC, whitespace runs as one space, trimmed)
/// and its words; returns the new character offset.
fn push_line(read: &Read, text: &mut String, words: &mut Vec<Word>, mut offset: usize) -> usize {
    // normalised characters with their CTC column and probability
    let mut chars: Vec<(char, usize, f32)> = Vec::new();
    for (ch, &(col, p)) in read.line.text.chars().zip(&read.line.chars) {
        for n in std::iter::once(ch).nfkc() {
            let n = if n.is_whitespace() { ' ' } else { n };
            if n == ' ' && chars.last().is_none_or(|c| c.0 == ' ') {
                continue;
            }
            chars.push((n, col, p));
        }
    }
    while chars.last().is_some_and(|c| c.0 == ' ') {
        chars.pop();
    }
    let mut start = 0;
    while start < chars.len() {
        let end = chars[start..]
            .iter()
            .position(|c| c.0 == ' ')
            .map_or(chars.len(), |p| start + p);
        let word = &chars[start..end];
        text.extend(word.iter().map(|c| c.0));
        let conf = word.iter().map(|c| c.2).sum::<f32>() / word.len() as f32;
        words.push(Word {
            start: offset,
            end: offset + word.len(),
            bbox: Some(word_box(read, word[0].1, word[word.len() - 1].1)),
            confidence: Some(conf),
        });
        offset += word.len();
        if end < chars.len() {
            text.push(' ');
            offset += 1;
        }
        start = end + 1;
    }
    offset
}

/// The box of the part of a line between CTC columns `first` and `last`: the
/// columns' share of the line's own width along its top and bottom edges.
fn word_box(read: &Read, first: usize, last: usize) -> BBox {
    let line = &read.line;
    let cols = line.columns.max(1) as f32 * line.filled.max(1e-3);
    // a character spans about a column either side of where CTC emits it
    let u0 = ((first as f32 - 0.5) / cols).clamp(0.0, 1.0);
    let u1 = ((last as f32 + 1.5) / cols).clamp(0.0, 1.0);
    let [tl, tr, br, bl] = read.area.corners;
    let along =
        |a: Point, b: Point, u: f32| Point::new(a.x + u * (b.x - a.x), a.y + u * (b.y - a.y));
    let pts = [
        along(tl, tr, u0),
        along(tl, tr, u1),
        along(bl, br, u0),
        along(bl, br, u1),
    ];
    let x0 = pts.iter().map(|p| p.x).fold(f32::MAX, f32::min);
    let x1 = pts.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    let y0 = pts.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    let y1 = pts.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    BBox {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(x: f32, y: f32, w: f32, h: f32, text: &str) -> Read {
        let n = text.chars().count();
        Read {
            area: TextBox {
                corners: [
                    Point::new(x, y),
                    Point::new(x + w, y),
                    Point::new(x + w, y + h),
                    Point::new(x, y + h),
                ],
                score: 0.9,
            },
            line: Line {
                text: text.into(),
                // one character every two columns of 2n
                chars: (0..n).map(|i| (2 * i, 0.9)).collect(),
                columns: 2 * n,
                filled: 1.0,
            },
        }
    }

    #[test]
    fn boxes_on_one_row_join_and_rows_go_top_down() {
        let reads = vec![
            read(300.0, 102.0, 80.0, 20.0, "85.29"),
            read(10.0, 40.0, 200.0, 22.0, "KEDAI  SERBANEKA "),
            read(10.0, 100.0, 100.0, 20.0, "TOTAL RM"),
        ];
        let (text, words) = page_text(reads);
        assert_eq!(text, "KEDAI SERBANEKA\nTOTAL RM 85.29");
        let w: Vec<String> = words
            .iter()
            .map(|w| text.chars().skip(w.start).take(w.end - w.start).collect())
            .collect();
        assert_eq!(w, ["KEDAI", "SERBANEKA", "TOTAL", "RM", "85.29"]);
        // "RM" is the right part of its box, "85.29" its own box
        let rm = words[3].bbox.unwrap();
        assert!(rm.x > 60.0 && rm.x + rm.width <= 110.0 + 1e-3, "{rm:?}");
        assert_eq!(words[4].bbox.unwrap().y, 102.0);
    }

    #[test]
    fn fullwidth_characters_are_normalised() {
        let (text, words) = page_text(vec![read(0.0, 0.0, 100.0, 20.0, "TOTAL：１２．５０")]);
        assert_eq!(text, "TOTAL:12.50");
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].end, 11);
    }
}
