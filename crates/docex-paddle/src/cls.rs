//! PP-OCR's text-line orientation classifier: is a cut-out line upright or upside down?

use image::{imageops, GrayImage};
use ort::session::Session;
use ort::value::Tensor;

use crate::{rec, PaddleError};

/// The classifier's input (PP-OCR `cls_image_shape` [3, 48, 192]): as high as the
/// recogniser's, so that [`rec::fill_row`] writes it.
const HEIGHT: u32 = rec::HEIGHT;
const WIDTH: u32 = 192;
/// A line is taken as upside down when the classifier says so with at least this
/// probability (PP-OCR's `cls_thresh`).
pub const SURE: f32 = 0.9;

/// For each line, the probability that it is upside down.
pub fn upside_down(session: &mut Session, lines: &[&GrayImage]) -> Result<Vec<f32>, PaddleError> {
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let (h, w) = (HEIGHT as usize, WIDTH as usize);
    let plane = h * w;
    let mut input = vec![0.0f32; lines.len() * 3 * plane];
    for (row, line) in lines.iter().enumerate() {
        let ratio = line.width() as f32 / line.height().max(1) as f32;
        let rw = ((HEIGHT as f32 * ratio).ceil() as u32).clamp(1, WIDTH);
        let resized = imageops::resize(*line, rw, HEIGHT, imageops::FilterType::Triangle);
        rec::fill_row(&mut input, row, w, &resized);
    }
    let tensor = Tensor::from_array((vec![lines.len() as i64, 3, h as i64, w as i64], input))?;
    let outputs = session.run(ort::inputs![tensor])?;
    let (shape, data) = outputs[0].try_extract_tensor::<f32>()?;
    if shape.len() != 2 || shape[0] as usize != lines.len() || shape[1] != 2 {
        return Err(PaddleError::Model(format!(
            "orientation output has shape {shape:?} for {} lines",
            lines.len()
        )));
    }
    Ok(data.chunks(2).map(|p| p[1]).collect())
}
