//! A PDF page's text from the geometry of its glyphs, as poppler's TextOutputDev
//! and pdfminer's layout analysis build it.
//!
//! pdf-extract interprets the content stream (fonts, encodings and ToUnicode maps,
//! the text and graphics state) and hands every glyph to an [`OutputDev`] with its
//! text rendering matrix; [`Glyphs`] keeps each glyph's text and its box on the
//! page. [`Glyphs::layout`] then builds the text from the boxes alone, never from
//! how the content stream cut the text into runs (a browser positions glyph runs
//! one by one, mid-word):
//!
//! * glyphs are grouped by writing direction (0, 90, 180, 270 degrees) and read in
//!   a frame where their text runs left to right;
//! * a glyph drawn twice at (nearly) the same place (fake bold) is kept once;
//! * lines are glyphs on one baseline, within a share of the font size (so a
//!   superscript stays on its line), ordered top to bottom;
//! * within a line, a word ends at a space glyph or where the gap to the next glyph
//!   passes a share of the font size above the line's own letter spacing (so
//!   letter-spaced text stays whole and kerned text with no space glyphs splits);
//! * a line further below the previous than 1.5 font sizes starts a paragraph (a
//!   blank line before it).
//!
//! Each word keeps its box (PDF points from the page's top left corner, y down), so
//! entities from text PDFs carry boxes as OCR'd ones do.

use docex_core::{BBox, Word};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// Most glyphs kept from one page; further ones are not read (a page's content is
/// capped at 8 MB by default, some 4 million glyphs at most).
const MAX_GLYPHS: usize = 1_000_000;

/// A word ends where the gap to the next glyph passes this share of the font size
/// above the line's letter spacing: poppler breaks at 0.1, pdfminer at 0.1 of a
/// glyph width; a space is 0.2-0.33 of the font size in text faces.
const WORD_GAP: f32 = 0.12;

/// A glyph belongs to a line when its baseline is within this share of the line's
/// font size (a superscript is raised by about a third).
const SAME_LINE: f32 = 0.45;

/// A glyph at the place of an earlier one with the same text, within this share of
/// the font size, is the same glyph drawn twice (fake bold, shadows).
const DUPLICATE: f32 = 0.15;

/// A line further than this many font sizes below the previous starts a paragraph.
const PARAGRAPH: f32 = 1.5;

/// A page is read by OCR besides its text layer when its largest image covers at
/// least this share of it ...
const MIXED_IMAGE_SHARE: f32 = 0.2;
/// ... its text layer has fewer words than this ...
const MIXED_WORDS: usize = 50;
/// ... and at most this share of them lie over the image (an OCR layer under a scan
/// lies all over it). Measured on the 197 contracts of cuad/pdf's seen half: 15
/// pages pass (a price list, financial tables, a signature page scanned, each
/// with a filer's stamped header or footer over none of it); the 64 pages of
/// scanned contracts with an OCR layer have every word over their image.
const MIXED_WORDS_ON_IMAGE: f32 = 0.25;

/// One glyph: its text and its place.
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    /// Writing direction in quarter turns clockwise on the page (0: left to right).
    rot: u8,
    /// Start and end along the writing direction, and the baseline across it, in
    /// the frame where the text runs left to right (y down).
    u0: f32,
    u1: f32,
    v: f32,
    /// Font size on the page (points).
    size: f32,
    /// Box on the page (points from the top left, y down).
    bbox: BBox,
    space: bool,
}

/// An [`OutputDev`] that keeps every glyph of a page with its box.
#[derive(Debug, Default)]
pub(crate) struct Glyphs {
    glyphs: Vec<Glyph>,
    /// Where images are drawn (page space, y down), clipped to the page.
    images: Vec<BBox>,
    media: Option<MediaBox>,
    dropped: usize,
}

/// A page's text built from its glyphs, with its words, and how much of the page
/// its largest image covers.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Laid {
    pub(crate) text: String,
    pub(crate) words: Vec<Word>,
    /// The share of the page the largest image covers (0 to 1).
    pub(crate) image_share: f32,
    /// How many of `words` are drawn over that image (an OCR layer under a scan is
    /// all of them; a stamped header or page number, a handful).
    pub(crate) words_on_image: usize,
}

impl Laid {
    /// A scanned image with a small text layer beside it (a stamped header, a page
    /// number, an exhibit label): the image holds what the page says, so it is
    /// read by OCR besides the text layer.
    pub(crate) fn is_mixed(&self) -> bool {
        self.image_share >= MIXED_IMAGE_SHARE
            && self.words.len() < MIXED_WORDS
            && self.words_on_image as f32 <= MIXED_WORDS_ON_IMAGE * self.words.len() as f32
    }
}

impl Glyphs {
    /// No glyph was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// Glyphs not kept because the page had more than [`MAX_GLYPHS`].
    pub(crate) fn dropped(&self) -> usize {
        self.dropped
    }

    /// The text and words of the page, from the glyphs' geometry (see the module
    /// documentation).
    pub(crate) fn layout(mut self) -> Laid {
        let mut out = Laid::default();
        let page = self
            .media
            .map_or(1.0, |m| ((m.urx - m.llx) * (m.ury - m.lly)).abs() as f32);
        let image = self
            .images
            .iter()
            .copied()
            .max_by(|a, b| (a.width * a.height).total_cmp(&(b.width * b.height)));
        let mut chars = 0usize;
        // the glyphs of each writing direction, the one with most glyphs first
        let mut groups: [Vec<Glyph>; 4] = Default::default();
        for g in std::mem::take(&mut self.glyphs) {
            groups[g.rot as usize].push(g);
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        for mut group in groups.into_iter().filter(|g| !g.is_empty()) {
            group.sort_by(|a, b| a.v.total_cmp(&b.v).then(a.u0.total_cmp(&b.u0)));
            let mut previous: Option<(f32, f32)> = None; // baseline and size of the last line
            for (base, line) in lines(group) {
                let words = words_of(&line);
                if words.is_empty() {
                    continue;
                }
                let size = line.iter().map(|g| g.size).fold(0.0, f32::max);
                if let Some((v, last_size)) = previous {
                    let gap = base - v;
                    out.text.push('\n');
                    chars += 1;
                    if gap > PARAGRAPH * size.max(last_size) {
                        out.text.push('\n');
                        chars += 1;
                    }
                } else if !out.text.is_empty() {
                    out.text.push_str("\n\n");
                    chars += 2;
                }
                previous = Some((base, size));
                for (i, (text, bbox)) in words.into_iter().enumerate() {
                    if i > 0 {
                        out.text.push(' ');
                        chars += 1;
                    }
                    let n = text.chars().count();
                    out.text.push_str(&text);
                    out.words.push(Word {
                        start: chars,
                        end: chars + n,
                        bbox: Some(bbox),
                        confidence: None,
                    });
                    chars += n;
                }
            }
        }
        if let Some(image) = image {
            out.image_share = (image.width * image.height / page.max(1.0)).min(1.0);
            out.words_on_image = out
                .words
                .iter()
                .filter_map(|w| w.bbox)
                .filter(|b| {
                    let (x, y) = (b.x + b.width / 2.0, b.y + b.height / 2.0);
                    (image.x..=image.x + image.width).contains(&x)
                        && (image.y..=image.y + image.height).contains(&y)
                })
                .count();
        }
        out
    }
}

/// The lines of glyphs of one writing direction sorted by baseline, each with its
/// baseline: runs of baselines each within [`SAME_LINE`] font sizes of the line's
/// largest glyph, each line sorted along the text, without duplicate glyphs.
fn lines(sorted: Vec<Glyph>) -> Vec<(f32, Vec<Glyph>)> {
    let mut lines: Vec<(f32, Vec<Glyph>)> = Vec::new();
    let mut current: Vec<Glyph> = Vec::new();
    let (mut base, mut size) = (0.0f32, 0.0f32);
    for g in sorted {
        if !current.is_empty() && g.v - base > SAME_LINE * size.max(g.size) {
            lines.push((base, std::mem::take(&mut current)));
        }
        if current.is_empty() {
            (base, size) = (g.v, g.size);
        } else if !g.space && g.size > size {
            // the largest glyph's baseline is the line's (a superscript came first)
            (base, size) = (g.v, g.size);
        }
        current.push(g);
    }
    if !current.is_empty() {
        lines.push((base, current));
    }
    for (_, line) in &mut lines {
        line.sort_by(|a, b| a.u0.total_cmp(&b.u0));
        dedup(line);
    }
    lines
}

/// Drops glyphs drawn again at the place of an earlier glyph of the same text.
fn dedup(line: &mut Vec<Glyph>) {
    let mut kept: Vec<Glyph> = Vec::with_capacity(line.len());
    for g in line.drain(..) {
        let near = DUPLICATE * g.size;
        let twice = kept
            .iter()
            .rev()
            .take_while(|k| g.u0 - k.u0 <= near)
            .any(|k| k.text == g.text && (k.v - g.v).abs() <= near);
        if !twice {
            kept.push(g);
        }
    }
    *line = kept;
}

/// The words of a line sorted along the text: (text, box).
fn words_of(line: &[Glyph]) -> Vec<(String, BBox)> {
    let spacing = letter_spacing(line);
    let mut words = Vec::new();
    let mut word: Option<(String, BBox)> = None;
    let mut end = f32::MIN;
    for g in line {
        if g.space {
            words.extend(word.take());
            end = end.max(g.u1);
            continue;
        }
        let gap = g.u0 - end;
        if gap > spacing + WORD_GAP * g.size {
            words.extend(word.take());
        }
        match &mut word {
            Some((text, bbox)) => {
                text.push_str(&g.text);
                *bbox = bbox.union(g.bbox);
            }
            None => word = Some((g.text.clone(), g.bbox)),
        }
        end = if gap < -g.size {
            // the glyph is drawn far back (overprinting, a table drawn out of
            // order): the line continues from the furthest point
            end.max(g.u1)
        } else {
            g.u1
        };
    }
    words.extend(word);
    words
}

/// The line's letter spacing: the typical gap between adjacent glyphs that are not
/// spaces, where most such gaps are inside words. Zero for ordinary text; the
/// tracking of letter-spaced text (CSS `letter-spacing`, `Tc`), which would
/// otherwise pass the word gap.
fn letter_spacing(line: &[Glyph]) -> f32 {
    let mut gaps: Vec<f32> = line
        .windows(2)
        .filter(|w| !w[0].space && !w[1].space)
        .map(|w| (w[1].u0 - w[0].u1) / w[1].size.max(0.1))
        .filter(|g| (-0.5..1.0).contains(g))
        .collect();
    if gaps.len() < 4 {
        return 0.0;
    }
    gaps.sort_by(f32::total_cmp);
    // the lower third: word gaps are fewer than letter gaps in any text
    let typical = gaps[gaps.len() / 3];
    let size = line.iter().map(|g| g.size).sum::<f32>() / line.len() as f32;
    typical.clamp(0.0, 0.5) * size
}

impl OutputDev for Glyphs {
    fn begin_page(
        &mut self,
        _page: u32,
        media: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.media = Some(*media);
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        if self.glyphs.len() >= MAX_GLYPHS {
            self.dropped += 1;
            return Ok(());
        }
        let text = clean(text);
        if text.is_empty() {
            return Ok(());
        }
        let media = self.media.unwrap_or(MediaBox {
            llx: 0.0,
            lly: 0.0,
            urx: 612.0,
            ury: 792.0,
        });
        // page space, y down from the media box's top left
        let point = |x: f64, y: f64| -> (f64, f64) {
            let px = x * trm.m11 + y * trm.m21 + trm.m31;
            let py = x * trm.m12 + y * trm.m22 + trm.m32;
            (px - media.llx, media.ury - py)
        };
        let advance = width * font_size;
        let origin = point(0.0, 0.0);
        let end = point(advance, 0.0);
        let up = point(0.0, font_size);
        let (ux, uy) = (up.0 - origin.0, up.1 - origin.1);
        let size = (ux * ux + uy * uy).sqrt();
        if !size.is_finite() || !origin.0.is_finite() || !origin.1.is_finite() {
            return Ok(());
        }
        // writing direction: along the advance, else the text matrix's x axis
        let (mut dx, mut dy) = (end.0 - origin.0, end.1 - origin.1);
        if dx.hypot(dy) < 1e-6 {
            let x = point(1.0, 0.0);
            (dx, dy) = (x.0 - origin.0, x.1 - origin.1);
        }
        let rot = ((dy.atan2(dx).to_degrees() / 90.0).round() as i64).rem_euclid(4) as u8;
        // off the page (clipped away, or parked outside it)
        let (w, h) = (media.urx - media.llx, media.ury - media.lly);
        if origin.0 < -size || origin.1 < -size || origin.0 > w + size || origin.1 > h + size {
            return Ok(());
        }
        // the glyph's box: from the baseline a fifth of the size down, four fifths up
        let corners = [
            point(0.0, -0.2 * font_size),
            point(advance, -0.2 * font_size),
            point(0.0, 0.8 * font_size),
            point(advance, 0.8 * font_size),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let bbox = BBox {
            x: x0 as f32,
            y: y0 as f32,
            width: (x1 - x0) as f32,
            height: (y1 - y0) as f32,
        };
        // the frame where this direction's text runs left to right, y down
        let frame = |(x, y): (f64, f64)| -> (f64, f64) {
            match rot {
                0 => (x, y),
                1 => (y, -x),
                2 => (-x, -y),
                _ => (-y, x),
            }
        };
        let (u0, v) = frame(origin);
        let (u_end, _) = frame(end);
        let space = text.chars().all(char::is_whitespace);
        self.glyphs.push(Glyph {
            text,
            rot,
            u0: u0 as f32,
            u1: u_end.max(u0) as f32,
            v: v as f32,
            size: size as f32,
            bbox,
            space,
        });
        Ok(())
    }

    fn image(&mut self, ctm: &Transform) -> Result<(), OutputError> {
        let Some(media) = self.media else {
            return Ok(());
        };
        let (w, h) = (media.urx - media.llx, media.ury - media.lly);
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (u, v) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
            let x = u * ctm.m11 + v * ctm.m21 + ctm.m31 - media.llx;
            let y = media.ury - (u * ctm.m12 + v * ctm.m22 + ctm.m32);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let (x0, y0, x1, y1) = (x0.max(0.0), y0.max(0.0), x1.min(w), y1.min(h));
        if x1 > x0 && y1 > y0 && self.images.len() < 10_000 {
            self.images.push(BBox {
                x: x0 as f32,
                y: y0 as f32,
                width: (x1 - x0) as f32,
                height: (y1 - y0) as f32,
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A glyph's text as it goes into the page text: ligatures split (`ﬁ` is `fi`),
/// control characters dropped, any space a space.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            // zero-width and soft hyphen: nothing to see
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A glyph of `text` at `x` on the baseline `y` (page space, y down), `size`
    /// points, advancing `width` points.
    fn glyph(text: &str, x: f32, y: f32, width: f32, size: f32) -> Glyph {
        Glyph {
            text: text.into(),
            rot: 0,
            u0: x,
            u1: x + width,
            v: y,
            size,
            bbox: BBox {
                x,
                y: y - 0.8 * size,
                width,
                height: size,
            },
            space: text.trim().is_empty(),
        }
    }

    /// Glyphs of `text` at `x`, each `advance` wide and `gap` apart.
    fn run(text: &str, x: f32, y: f32, advance: f32, gap: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                let x = x + i as f32 * (advance + gap);
                glyph(&c.to_string(), x, y, advance, 10.0)
            })
            .collect()
    }

    fn text_of(glyphs: Vec<Glyph>) -> String {
        Glyphs {
            glyphs,
            ..Glyphs::default()
        }
        .layout()
        .text
    }

    #[test]
    fn words_come_from_gaps_not_from_runs() {
        // "New York" drawn as "New Y" + "ork" with no gap, then a 3 pt gap (no space glyph)
        let mut g = run("NewY", 0.0, 100.0, 5.0, 0.0);
        g[3].u0 += 3.0;
        g[3].u1 += 3.0;
        g.extend(run("ork", 23.0, 100.0, 5.0, 0.0));
        assert_eq!(text_of(g), "New York");
    }

    #[test]
    fn letter_spaced_text_stays_whole() {
        // 1.5 pt between letters (0.15 em), 6.5 pt between words
        let mut g = run("Confidential", 0.0, 50.0, 5.0, 1.5);
        let x = 12.0 * 6.5 + 5.0;
        g.extend(run("Agreement", x, 50.0, 5.0, 1.5));
        assert_eq!(text_of(g), "Confidential Agreement");
    }

    #[test]
    fn lines_by_baseline_drawn_in_any_order() {
        let mut g = run("second", 0.0, 114.0, 5.0, 0.0);
        g.extend(run("first", 0.0, 100.0, 5.0, 0.0));
        // a superscript raised by a third on the first line
        g.push(glyph("1", 25.0, 96.7, 3.0, 6.0));
        assert_eq!(text_of(g), "first1\nsecond");
    }

    #[test]
    fn fake_bold_is_read_once_and_paragraphs_get_a_blank_line() {
        let mut g = run("Bold", 0.0, 100.0, 5.0, 0.0);
        g.extend(run("Bold", 0.3, 100.0, 5.0, 0.0));
        g.extend(run("next", 0.0, 130.0, 5.0, 0.0));
        assert_eq!(text_of(g), "Bold\n\nnext");
    }

    #[test]
    fn word_offsets_and_boxes() {
        let mut g = run("ab", 10.0, 100.0, 5.0, 0.0);
        g.push(glyph(" ", 20.0, 100.0, 3.0, 10.0));
        g.extend(run("cd", 23.0, 100.0, 5.0, 0.0));
        let laid = Glyphs {
            glyphs: g,
            ..Glyphs::default()
        }
        .layout();
        assert_eq!(laid.text, "ab cd");
        let spans: Vec<(usize, usize, f32, f32)> = laid
            .words
            .iter()
            .map(|w| {
                let b = w.bbox.unwrap();
                (w.start, w.end, b.x, b.width)
            })
            .collect();
        assert_eq!(spans, [(0, 2, 10.0, 10.0), (3, 5, 23.0, 10.0)]);
    }

    #[test]
    fn ligatures_split_and_controls_dropped() {
        assert_eq!(clean("\u{fb01}\u{0}x\u{a0}"), "fix ");
    }
}
