//! Text detection: PP-OCR's DB (differentiable binarisation) model and its
//! post-processing, from a probability map to rotated text-line boxes.
//!
//! As PaddleOCR's `DBPostProcess` (threshold 0.3, box threshold 0.5, unclip ratio
//! 1.6, a 2x2 dilation, "fast" box scores), with connected components in place of
//! OpenCV's contours: each component's outline gives its minimum-area rectangle,
//! which is grown by `area * ratio / perimeter` on every side (the round-joined
//! offset of a rectangle has the same minimum-area rectangle).

use image::{imageops, GrayImage};
use ort::session::Session;
use ort::value::Tensor;

use crate::geom::{in_quad, min_area_rect, Point};
use crate::PaddleError;

/// Pixels of the probability map above this are text.
const THRESH: f32 = 0.3;
/// A box whose mean probability is below this is dropped.
const BOX_THRESH: f32 = 0.5;
/// How far a box is grown around its core, relative to area / perimeter.
const UNCLIP_RATIO: f32 = 1.6;
/// Most boxes taken from one map.
const MAX_CANDIDATES: usize = 1000;
/// Boxes with a shorter side (map pixels) are noise.
const MIN_SIZE: f32 = 3.0;

/// The detection input's shorter side, in pixels: an image with a shorter side
/// below it is enlarged to it, one above it shrunk to it. PP-OCR's own default is
/// 736; on 40 SROIE training receipts 576 finds the same labelled company, date
/// and total in the text (37, 40, 40 of 40 against 36, 40, 40) in 58 % of the
/// detection time, 480 loses some (35, 39, 40). On receipts, whose shorter side is
/// their width, a line of text stays about 15-25 pixels high.
pub const SHORT_SIDE: u32 = 576;
/// The longest side of one detection pass, in input pixels: a longer image (a till
/// roll) is detected in overlapping tiles of at most this length, at full
/// resolution, instead of being shrunk until its text is noise. It also bounds a
/// worker's memory: ONNX Runtime's buffers for one pass grow with its input, about
/// 190 MB for 576 x 1024 against 350 MB for 576 x 1536.
pub const TILE: u32 = 1024;
/// How much consecutive tiles overlap (input pixels): more than two text lines,
/// so a line cut by one tile's edge is whole in the other.
const OVERLAP: u32 = 128;

/// One detected text line: its corners (top left, top right, bottom right, bottom
/// left) in pixels of the image given, and its mean text probability.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    /// Corners, clockwise from the top left.
    pub corners: [Point; 4],
    /// Mean probability of text inside the core box.
    pub score: f32,
}

impl TextBox {
    /// Length of the top edge (the reading direction).
    pub fn width(&self) -> f32 {
        self.corners[0].distance(self.corners[1])
    }

    /// Length of the left edge.
    pub fn height(&self) -> f32 {
        self.corners[0].distance(self.corners[3])
    }

    /// The axis-aligned box around the corners: x, y, width, height.
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        let xs = self.corners.map(|p| p.x);
        let ys = self.corners.map(|p| p.y);
        let (x0, x1) = (min(&xs), max(&xs));
        let (y0, y1) = (min(&ys), max(&ys));
        (x0, y0, x1 - x0, y1 - y0)
    }
}

fn min(v: &[f32]) -> f32 {
    v.iter().copied().fold(f32::MAX, f32::min)
}

fn max(v: &[f32]) -> f32 {
    v.iter().copied().fold(f32::MIN, f32::max)
}

/// The scale from the image to the detection input ([`SHORT_SIDE`]).
pub fn scale_for(width: u32, height: u32) -> f32 {
    SHORT_SIDE as f32 / width.min(height).max(1) as f32
}

/// Detects the text lines of `image`.
pub fn detect(session: &mut Session, image: &GrayImage) -> Result<Vec<TextBox>, PaddleError> {
    let (w, h) = image.dimensions();
    let scale = scale_for(w, h);
    let sw = ((w as f32 * scale).round() as u32).max(32);
    let sh = ((h as f32 * scale).round() as u32).max(32);
    let scaled = imageops::resize(image, sw, sh, imageops::FilterType::Triangle);
    // tiles along the longer side
    let tall = sh >= sw;
    let long = if tall { sh } else { sw };
    let mut boxes = Vec::new();
    for (start, end, own) in tiles(long) {
        let tile = if tall {
            imageops::crop_imm(&scaled, 0, start, sw, end - start).to_image()
        } else {
            imageops::crop_imm(&scaled, start, 0, end - start, sh).to_image()
        };
        let (map, mw, mh) = probability_map(session, &tile)?;
        for b in boxes_from_map(&map, mw, mh, tile.width(), tile.height()) {
            let c = centre(&b);
            let along = if tall { c.y } else { c.x } + start as f32;
            if along < own.0 as f32 || along >= own.1 as f32 {
                continue;
            }
            let corners = b.corners.map(|p| {
                let (x, y) = if tall {
                    (p.x, p.y + start as f32)
                } else {
                    (p.x + start as f32, p.y)
                };
                Point::new(
                    (x / scale).clamp(0.0, w as f32),
                    (y / scale).clamp(0.0, h as f32),
                )
            });
            boxes.push(TextBox {
                corners,
                score: b.score,
            });
        }
    }
    Ok(boxes)
}

fn centre(b: &TextBox) -> Point {
    let x = b.corners.iter().map(|p| p.x).sum::<f32>() / 4.0;
    let y = b.corners.iter().map(|p| p.y).sum::<f32>() / 4.0;
    Point::new(x, y)
}

/// Tiles of a side `long` pixels long: (start, end, the part the tile owns). A box
/// belongs to the tile whose own part holds its centre.
fn tiles(long: u32) -> Vec<(u32, u32, (u32, u32))> {
    if long <= TILE {
        return vec![(0, long, (0, u32::MAX))];
    }
    let step = TILE - OVERLAP;
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + TILE).min(long);
        let own_start = if start == 0 { 0 } else { start + OVERLAP / 2 };
        let own_end = if end == long {
            u32::MAX
        } else {
            end - OVERLAP / 2
        };
        out.push((start, end, (own_start, own_end)));
        if end == long {
            return out;
        }
        start += step;
    }
}

/// Runs the model on one tile (padded to multiples of 32): the probability map,
/// its width and height (the tile's, padding cut off).
fn probability_map(
    session: &mut Session,
    tile: &GrayImage,
) -> Result<(Vec<f32>, usize, usize), PaddleError> {
    let (w, h) = (tile.width() as usize, tile.height() as usize);
    let pw = w.div_ceil(32) * 32;
    let ph = h.div_ceil(32) * 32;
    let plane = pw * ph;
    // padding is black (-1), as PaddleOCR pads
    let mut input = vec![-1.0f32; 3 * plane];
    for (y, row) in tile.rows().enumerate() {
        for (x, p) in row.enumerate() {
            let v = p.0[0] as f32 / 127.5 - 1.0;
            let at = y * pw + x;
            input[at] = v;
            input[plane + at] = v;
            input[2 * plane + at] = v;
        }
    }
    let tensor = Tensor::from_array((vec![1i64, 3, ph as i64, pw as i64], input))?;
    let outputs = session.run(ort::inputs![tensor])?;
    let (shape, data) = outputs[0].try_extract_tensor::<f32>()?;
    if shape.len() != 4 || shape[2] as usize != ph || shape[3] as usize != pw {
        return Err(PaddleError::Model(format!(
            "detection output has shape {shape:?} for an input of {pw}x{ph}"
        )));
    }
    let mut map = Vec::with_capacity(w * h);
    for y in 0..h {
        map.extend_from_slice(&data[y * pw..y * pw + w]);
    }
    Ok((map, w, h))
}

/// DB post-processing on a `mw` x `mh` probability map; boxes in pixels of a
/// `dest_w` x `dest_h` image.
pub(crate) fn boxes_from_map(
    map: &[f32],
    mw: usize,
    mh: usize,
    dest_w: u32,
    dest_h: u32,
) -> Vec<TextBox> {
    // threshold, then a 2x2 dilation (each pixel takes its left, upper and upper-left
    // neighbours', as OpenCV's anchor-centred 2x2 kernel does)
    let on = |x: usize, y: usize| map[y * mw + x] > THRESH;
    let mut bitmap = vec![false; mw * mh];
    for y in 0..mh {
        for x in 0..mw {
            bitmap[y * mw + x] = on(x, y)
                || (x > 0 && on(x - 1, y))
                || (y > 0 && on(x, y - 1))
                || (x > 0 && y > 0 && on(x - 1, y - 1));
        }
    }
    let mut out = Vec::new();
    for points in components(&mut bitmap, mw, mh)
        .into_iter()
        .take(MAX_CANDIDATES)
    {
        let Some(rect) = min_area_rect(points) else {
            continue;
        };
        if rect.short_side() < MIN_SIZE {
            continue;
        }
        let score = box_score(map, mw, mh, &rect.corners());
        if score < BOX_THRESH {
            continue;
        }
        let perimeter = 2.0 * (rect.width + rect.height);
        let d = rect.width * rect.height * UNCLIP_RATIO / perimeter;
        let grown = rect.grown(d);
        if grown.short_side() < MIN_SIZE + 2.0 {
            continue;
        }
        let (sx, sy) = (dest_w as f32 / mw as f32, dest_h as f32 / mh as f32);
        let corners = grown.corners().map(|p| {
            Point::new(
                (p.x * sx).round().clamp(0.0, dest_w as f32),
                (p.y * sy).round().clamp(0.0, dest_h as f32),
            )
        });
        let b = TextBox { corners, score };
        if b.width() <= 3.0 || b.height() <= 3.0 {
            continue;
        }
        out.push(b);
    }
    out
}

/// The 8-connected components of `bitmap` (cleared as they are taken), each as the
/// outline points of its rows: the first and last pixel of each row it covers.
fn components(bitmap: &mut [bool], w: usize, h: usize) -> Vec<Vec<Point>> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !bitmap[start] {
            continue;
        }
        bitmap[start] = false;
        stack.push(start);
        // per row: (min x, max x)
        let mut rows: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let e = rows.entry(y).or_insert((x, x));
            e.0 = e.0.min(x);
            e.1 = e.1.max(x);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if bitmap[j] {
                        bitmap[j] = false;
                        stack.push(j);
                    }
                }
            }
        }
        let mut points = Vec::with_capacity(rows.len() * 2);
        for (y, (x0, x1)) in rows {
            points.push(Point::new(x0 as f32, y as f32));
            if x1 != x0 {
                points.push(Point::new(x1 as f32, y as f32));
            }
        }
        out.push(points);
    }
    out
}

/// Mean probability inside the quadrilateral `q` (pixel centres inside it).
fn box_score(map: &[f32], w: usize, h: usize, q: &[Point; 4]) -> f32 {
    let xs = q.map(|p| p.x);
    let ys = q.map(|p| p.y);
    let clampi = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi - 1);
    let (x0, x1) = (clampi(min(&xs).floor(), w), clampi(max(&xs).ceil(), w));
    let (y0, y1) = (clampi(min(&ys).floor(), h), clampi(max(&ys).ceil(), h));
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if in_quad(q, Point::new(x as f32, y as f32)) {
                sum += map[y * w + x] as f64;
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f64) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A map with two bright bars gives two boxes grown around them.
    #[test]
    fn two_bars_give_two_grown_boxes() {
        let (w, h) = (100usize, 40usize);
        let mut map = vec![0.0f32; w * h];
        for (y0, y1, x0, x1) in [(5, 12, 10, 60), (25, 32, 20, 90)] {
            for y in y0..y1 {
                for x in x0..x1 {
                    map[y * w + x] = 0.9;
                }
            }
        }
        let mut boxes = boxes_from_map(&map, w, h, 200, 80);
        boxes.sort_by(|a, b| a.corners[0].y.total_cmp(&b.corners[0].y));
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        let (x, y, bw, bh) = boxes[0].bounds();
        // the core (10..60 x 5..12, dilated to 51 x 8: a rectangle of 50 x 7 between
        // pixel centres) grown on every side by its area x 1.6 / perimeter (about
        // 4.9 map pixels): 60 x 17, then doubled into the 200 x 80 image
        assert!(
            (10.0..20.0).contains(&x) && (0.0..10.0).contains(&y),
            "{x} {y}"
        );
        assert!(
            (110.0..130.0).contains(&bw) && (30.0..40.0).contains(&bh),
            "{bw} {bh}"
        );
        // 0.9 on the bar's 50 x 7 pixels of the dilated 51 x 8 box
        assert!((0.7..0.8).contains(&boxes[0].score), "{}", boxes[0].score);
    }

    #[test]
    fn faint_and_tiny_blobs_are_dropped() {
        let (w, h) = (50usize, 50usize);
        let mut map = vec![0.0f32; w * h];
        // a faint bar: over the threshold, under the box threshold
        for y in 10..20 {
            for x in 5..45 {
                map[y * w + x] = 0.4;
            }
        }
        // a speck
        map[30 * w + 30] = 1.0;
        assert!(boxes_from_map(&map, w, h, 50, 50).is_empty());
    }

    #[test]
    fn a_long_side_is_cut_into_overlapping_tiles_that_own_every_position_once() {
        assert_eq!(tiles(1000), vec![(0, 1000, (0, u32::MAX))]);
        let t = tiles(4000);
        assert!(t.len() >= 3);
        assert_eq!(t[0].0, 0);
        assert_eq!(t.last().unwrap().1, 4000);
        for pair in t.windows(2) {
            // overlap, and the owned parts meet
            assert!(pair[1].0 < pair[0].1);
            assert_eq!(pair[0].2 .1, pair[1].2 .0);
        }
        assert!(t.iter().all(|(s, e, _)| e - s <= TILE));
    }
}
