//! Text recognition: each detected line cut out upright, the lines recognised in
//! batches by PP-OCR's CTC model, and decoded with the model's own dictionary.

use image::{imageops, GrayImage, Luma};
use ort::session::Session;
use ort::value::Tensor;

use crate::det::TextBox;
use crate::geom::Point;
use crate::PaddleError;

/// The recognition input's height (PP-OCR's `rec_img_shape` [3, 48, 320]).
pub const HEIGHT: u32 = 48;
/// The narrowest input width. PP-OCR pads every batch to at least 320; lines are
/// sorted by width and batched with their like, so a batch of short lines padded
/// to 320 is mostly padding. On 40 SROIE training receipts a floor of one square
/// (48) reads the same labelled fields in 69 % of the recognition time.
const MIN_WIDTH: u32 = HEIGHT;
/// Lines recognised in one pass at most; a batch is also kept under
/// [`BATCH_PIXELS`], since every line in it is padded to the widest.
const BATCH: usize = 16;
/// Input pixels of one batch at most (8 lines of 48 x 640). ONNX Runtime's buffers
/// for one batch grow with it (about 190 MB for 8 x 640, 670 MB for 16 x 1280), and
/// larger batches are no faster per column on a CPU (97 against 136 us).
const BATCH_PIXELS: usize = 8 * 48 * 640;
/// The widest line input; a longer line is squeezed to it.
const MAX_WIDTH: u32 = 2400;

/// The recognition model's characters: index 0 is the CTC blank, then the
/// dictionary of the model's metadata, then a space.
#[derive(Debug, Clone)]
pub struct Dictionary {
    chars: Vec<String>,
}

impl Dictionary {
    /// From the model's `character` metadata (one character a line).
    pub fn from_metadata(lines: &str) -> Dictionary {
        let mut chars = vec![String::new()];
        chars.extend(
            lines
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()),
        );
        // a trailing newline is not a character
        if chars.last().is_some_and(|c| c.is_empty()) && chars.len() > 1 {
            chars.pop();
        }
        chars.push(" ".into());
        Dictionary { chars }
    }

    /// The entries `keep` names, in that order.
    pub fn subset(&self, keep: &[usize]) -> Dictionary {
        Dictionary {
            chars: keep.iter().map(|&k| self.chars[k].clone()).collect(),
        }
    }

    /// The entry of class `k` (the blank is empty).
    pub fn entry(&self, k: usize) -> &str {
        &self.chars[k]
    }

    /// Classes the model must output (blank and space included).
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Never: a dictionary has the blank and the space.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// One recognised line: its text and, for each character, the output column it was
/// read at and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The text as read (before NFKC).
    pub text: String,
    /// For each character of `text`: (column, probability).
    pub chars: Vec<(usize, f32)>,
    /// Output columns in all.
    pub columns: usize,
    /// The share of the columns the line's own pixels fill (the rest is padding).
    pub filled: f32,
}

impl Line {
    /// Mean character probability (0 for an empty line).
    pub fn confidence(&self) -> f32 {
        if self.chars.is_empty() {
            0.0
        } else {
            self.chars.iter().map(|c| c.1).sum::<f32>() / self.chars.len() as f32
        }
    }
}

/// Cuts the box `b` out of `image` upright (bilinear sampling along its edges); a
/// box at least 1.5 times taller than wide is turned a quarter anticlockwise, as
/// PP-OCR does, to read vertical text.
pub fn crop(image: &GrayImage, b: &TextBox) -> GrayImage {
    let [tl, tr, _, bl] = b.corners;
    let w = b
        .width()
        .max(b.corners[3].distance(b.corners[2]))
        .round()
        .max(1.0) as u32;
    let h = b
        .height()
        .max(b.corners[1].distance(b.corners[2]))
        .round()
        .max(1.0) as u32;
    let mut out = GrayImage::new(w, h);
    let (iw, ih) = (image.width() as f32, image.height() as f32);
    for y in 0..h {
        let v = (y as f32 + 0.5) / h as f32;
        for x in 0..w {
            let u = (x as f32 + 0.5) / w as f32;
            let p = Point::new(
                tl.x + u * (tr.x - tl.x) + v * (bl.x - tl.x),
                tl.y + u * (tr.y - tl.y) + v * (bl.y - tl.y),
            );
            out.put_pixel(x, y, Luma([bilinear(image, p.x.min(iw), p.y.min(ih))]));
        }
    }
    if h as f32 >= 1.5 * w as f32 {
        imageops::rotate270(&out)
    } else {
        out
    }
}

fn bilinear(image: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (fx, fy) = (x - 0.5, y - 0.5);
    let (x0, y0) = (fx.floor() as i64, fy.floor() as i64);
    let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
    let px = |x: i64, y: i64| {
        image
            .get_pixel(x.clamp(0, w - 1) as u32, y.clamp(0, h - 1) as u32)
            .0[0] as f32
    };
    let top = px(x0, y0) * (1.0 - ax) + px(x0 + 1, y0) * ax;
    let bottom = px(x0, y0 + 1) * (1.0 - ax) + px(x0 + 1, y0 + 1) * ax;
    (top * (1.0 - ay) + bottom * ay).round().clamp(0.0, 255.0) as u8
}

/// Writes `line` (at most `width` wide, [`HEIGHT`] high) as row `row` of a batch
/// input `width` wide: the grey value in all three channels, scaled to -1..1 as
/// PP-OCR's models expect; the rest of the row stays 0 (padding).
pub(crate) fn fill_row(input: &mut [f32], row: usize, width: usize, line: &GrayImage) {
    let plane = HEIGHT as usize * width;
    let base = row * 3 * plane;
    for (y, pixels) in line.rows().enumerate() {
        for (x, p) in pixels.enumerate() {
            let v = p.0[0] as f32 / 127.5 - 1.0;
            let at = y * width + x;
            input[base + at] = v;
            input[base + plane + at] = v;
            input[base + 2 * plane + at] = v;
        }
    }
}

/// Width of a line's input at [`HEIGHT`], keeping its aspect ratio.
fn input_width(line: &GrayImage) -> u32 {
    let ratio = line.width() as f32 / line.height().max(1) as f32;
    ((HEIGHT as f32 * ratio).ceil() as u32).clamp(1, MAX_WIDTH)
}

/// Recognises `lines` (upright crops), in batches of similar widths. Returns one
/// [`Line`] per crop, in order.
pub fn recognize(
    session: &mut Session,
    dict: &Dictionary,
    lines: &[GrayImage],
) -> Result<Vec<Line>, PaddleError> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    let widths: Vec<u32> = lines.iter().map(input_width).collect();
    order.sort_by_key(|&i| widths[i]);
    let mut out: Vec<Option<Line>> = vec![None; lines.len()];
    let mut at = 0;
    while at < order.len() {
        // grow the batch while the padded input stays under the budget
        let mut end = at + 1;
        while end < order.len()
            && end - at < BATCH
            && (end + 1 - at) * (HEIGHT * widths[order[end]].max(MIN_WIDTH)) as usize
                <= BATCH_PIXELS
        {
            end += 1;
        }
        let batch = &order[at..end];
        let width = widths[batch[batch.len() - 1]].max(MIN_WIDTH);
        let read = run_batch(session, dict, lines, &widths, batch, width)?;
        for (&i, line) in batch.iter().zip(read) {
            out[i] = Some(line);
        }
        at = end;
    }
    Ok(out
        .into_iter()
        .map(|l| l.expect("every line is in a batch"))
        .collect())
}

fn run_batch(
    session: &mut Session,
    dict: &Dictionary,
    lines: &[GrayImage],
    widths: &[u32],
    batch: &[usize],
    width: u32,
) -> Result<Vec<Line>, PaddleError> {
    let (h, w) = (HEIGHT as usize, width as usize);
    let plane = h * w;
    let mut input = vec![0.0f32; batch.len() * 3 * plane];
    for (row, &i) in batch.iter().enumerate() {
        let resized =
            imageops::resize(&lines[i], widths[i], HEIGHT, imageops::FilterType::Triangle);
        fill_row(&mut input, row, w, &resized);
    }
    let tensor = Tensor::from_array((vec![batch.len() as i64, 3, h as i64, w as i64], input))?;
    let outputs = session.run(ort::inputs![tensor])?;
    let (shape, data) = outputs[0].try_extract_tensor::<f32>()?;
    if shape.len() != 3 || shape[0] as usize != batch.len() || shape[2] as usize != dict.len() {
        return Err(PaddleError::Model(format!(
            "recognition output has shape {shape:?}; the dictionary has {} classes",
            dict.len()
        )));
    }
    let (t, c) = (shape[1] as usize, shape[2] as usize);
    Ok(batch
        .iter()
        .enumerate()
        .map(|(row, &i)| {
            let mut line = decode(&data[row * t * c..(row + 1) * t * c], t, c, dict);
            line.filled = (widths[i] as f32 / width as f32).min(1.0);
            line
        })
        .collect())
}

/// Greedy CTC decoding of `t` columns of `c` class probabilities: the best class of
/// each column, repeats merged, blanks dropped.
pub(crate) fn decode(probs: &[f32], t: usize, c: usize, dict: &Dictionary) -> Line {
    let mut text = String::new();
    let mut chars = Vec::new();
    let mut last = usize::MAX;
    for col in 0..t {
        let row = &probs[col * c..(col + 1) * c];
        let (best, p) = row
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |acc, (k, v)| if v > acc.1 { (k, v) } else { acc },
            );
        if best != 0 && best != last {
            let s = &dict.chars[best];
            for ch in s.chars() {
                text.push(ch);
                chars.push((col, p));
            }
        }
        last = best;
    }
    Line {
        text,
        chars,
        columns: t,
        filled: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Dictionary {
        Dictionary::from_metadata("a\nb\nc\n")
    }

    #[test]
    fn dictionary_has_blank_and_space_around_the_metadata() {
        let d = dict();
        assert_eq!(d.len(), 5);
        assert_eq!(d.chars[1], "a");
        assert_eq!(d.chars[4], " ");
    }

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let d = dict();
        // columns: a a blank a b space c
        let best = [1usize, 1, 0, 1, 2, 4, 3];
        let mut probs = vec![0.0f32; best.len() * d.len()];
        for (col, &k) in best.iter().enumerate() {
            probs[col * d.len() + k] = 0.8;
        }
        let line = decode(&probs, best.len(), d.len(), &d);
        assert_eq!(line.text, "aab c");
        assert_eq!(
            line.chars.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![0, 3, 4, 5, 6]
        );
        assert!((line.confidence() - 0.8).abs() < 1e-6);
    }

    #[test]
    fn crop_follows_the_box_and_turns_tall_boxes() {
        let mut img = GrayImage::from_pixel(100, 50, Luma([255]));
        for y in 10..20 {
            for x in 20..60 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        let b = TextBox {
            corners: [
                Point::new(20.0, 10.0),
                Point::new(60.0, 10.0),
                Point::new(60.0, 20.0),
                Point::new(20.0, 20.0),
            ],
            score: 1.0,
        };
        let c = crop(&img, &b);
        assert_eq!(c.dimensions(), (40, 10));
        assert!(c.pixels().all(|p| p.0[0] < 30), "the crop is the dark bar");
        let tall = TextBox {
            corners: [
                Point::new(0.0, 0.0),
                Point::new(10.0, 0.0),
                Point::new(10.0, 40.0),
                Point::new(0.0, 40.0),
            ],
            score: 1.0,
        };
        assert_eq!(crop(&img, &tall).dimensions(), (40, 10));
    }
}
