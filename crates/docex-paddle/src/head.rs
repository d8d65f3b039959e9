//! The recognition model's output narrowed to the scripts docex reads.
//!
//! PP-OCRv6's recogniser ends in one linear layer onto 18,710 classes, most of
//! them CJK characters. docex extracts fields from documents in Latin script (with
//! Greek and Cyrillic kept), so the session is started with that layer's weight
//! and bias cut down to the [`KEPT`] characters (698 with the blank and
//! the space): the full layer and its softmax cost about a fifth of recognition on a
//! CPU, and a Latin line can no longer be read as look-alike CJK (`口` for `O`,
//! full-width `：`). ONNX Runtime replaces the two initializers by name; the model
//! file stays as installed. The file is read here only for them and the
//! dictionary, with the ONNX protobuf's few messages declared below.

use std::path::Path;

use prost::Message;

use crate::rec::Dictionary;
use crate::PaddleError;

/// The characters kept: every code point of a dictionary entry must be in one of
/// these ranges.
pub const KEPT: [(char, char); 7] = [
    // Basic Latin, Latin-1, Latin Extended-A and -B (German, French, Polish, ...)
    (' ', '\u{24F}'),
    // Greek and Cyrillic
    ('\u{370}', '\u{4FF}'),
    // Latin Extended Additional (Vietnamese, Welsh)
    ('\u{1E00}', '\u{1EFF}'),
    // general punctuation: dashes, typographic quotes, per mille, primes
    ('\u{2010}', '\u{205E}'),
    // currency signs: euro, rupee, rouble, lira, ...
    ('\u{20A0}', '\u{20CF}'),
    // letterlike symbols: numero, trade mark, degree Celsius
    ('\u{2100}', '\u{214F}'),
    // superscripts and subscripts beyond Latin-1
    ('\u{2070}', '\u{209F}'),
];

#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "14")]
    metadata_props: Vec<StringStringEntryProto>,
}

#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(float, repeated, tag = "4")]
    float_data: Vec<f32>,
    #[prost(string, tag = "8")]
    name: String,
    #[prost(bytes = "vec", tag = "9")]
    raw_data: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct StringStringEntryProto {
    #[prost(string, tag = "1")]
    key: String,
    #[prost(string, tag = "2")]
    value: String,
}

/// ONNX's data type number of 32-bit floats.
const FLOAT: i32 = 1;

/// The recogniser's output layer cut down to the kept classes.
#[derive(Debug, Clone)]
pub struct Head {
    /// The weight initializer's name, and its values: `hidden` x kept classes.
    pub weight: (String, Vec<f32>),
    /// The bias initializer's name, and its values: one per kept class.
    pub bias: (String, Vec<f32>),
    /// The layer's input width.
    pub hidden: usize,
    /// The dictionary of the kept classes, in their new order.
    pub dict: Dictionary,
}

/// Reads the recognition model at `path`: its dictionary (the `character`
/// metadata) and its output layer, the one 2-D float initializer with a column per
/// class and the one 1-D with a value per class; keeps the classes [`kept`] keeps.
pub fn narrowed(path: &Path) -> Result<Head, PaddleError> {
    let bad = |what: String| PaddleError::Model(format!("{}: {what}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let model = ModelProto::decode(bytes.as_slice()).map_err(|e| bad(e.to_string()))?;
    let characters = model
        .metadata_props
        .iter()
        .find(|p| p.key == "character")
        .ok_or_else(|| bad("no character metadata".into()))?;
    let full = Dictionary::from_metadata(&characters.value);
    let classes = full.len() as i64;
    let graph = model.graph.ok_or_else(|| bad("no graph".into()))?;
    let only = |want: &dyn Fn(&TensorProto) -> bool, what: &str| {
        let mut found = graph
            .initializer
            .iter()
            .filter(|t| t.data_type == FLOAT && want(t));
        match (found.next(), found.next()) {
            (Some(t), None) => Ok(t),
            _ => Err(bad(format!("not one {what} with {classes} classes"))),
        }
    };
    let weight = only(
        &|t| t.dims.len() == 2 && t.dims[1] == classes,
        "output weight",
    )?;
    let bias = only(&|t| t.dims == [classes], "output bias")?;
    let hidden = weight.dims[0] as usize;
    let (w, b) = (floats(weight), floats(bias));
    if w.len() != hidden * classes as usize || b.len() != classes as usize {
        return Err(bad("output layer values do not match its shape".into()));
    }
    let keep = kept(&full);
    let mut cut = Vec::with_capacity(hidden * keep.len());
    for row in w.chunks(classes as usize) {
        cut.extend(keep.iter().map(|&k| row[k]));
    }
    Ok(Head {
        weight: (weight.name.clone(), cut),
        bias: (bias.name.clone(), keep.iter().map(|&k| b[k]).collect()),
        hidden,
        dict: full.subset(&keep),
    })
}

/// A tensor's float values, raw (little-endian) or packed.
fn floats(t: &TensorProto) -> Vec<f32> {
    if t.raw_data.is_empty() {
        t.float_data.clone()
    } else {
        t.raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

/// The classes kept, in order: the CTC blank, every entry all of whose characters
/// are in [`KEPT`], the space.
pub fn kept(dict: &Dictionary) -> Vec<usize> {
    let keep = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| KEPT.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)))
    };
    let last = dict.len() - 1;
    (0..dict.len())
        .filter(|&k| k == 0 || k == last || keep(dict.entry(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_greek_cyrillic_and_signs_are_kept_cjk_and_full_width_are_not() {
        let dict = Dictionary::from_metadata("a\nß\nł\n口\n：\n€\nЖ\n№\nO\n中文\n");
        let keep = kept(&dict);
        let names: Vec<&str> = keep.iter().map(|&k| dict.entry(k)).collect();
        // blank first, space last
        assert_eq!(names, ["", "a", "ß", "ł", "€", "Ж", "№", "O", " "]);
    }

    #[test]
    fn the_output_layer_is_cut_to_the_kept_columns() {
        // a model of three classes besides blank and space: "a", "口", "b"
        let classes = 5;
        let weight: Vec<f32> = (0..2 * classes).map(|v| v as f32).collect();
        let tensor = |name: &str, dims: Vec<i64>, v: &[f32]| TensorProto {
            dims,
            data_type: FLOAT,
            float_data: Vec::new(),
            name: name.into(),
            raw_data: v.iter().flat_map(|f| f.to_le_bytes()).collect(),
        };
        let model = ModelProto {
            graph: Some(GraphProto {
                initializer: vec![
                    tensor("w", vec![2, classes], &weight),
                    tensor("other", vec![4], &[0.0; 4]),
                    tensor("b", vec![classes], &[10.0, 11.0, 12.0, 13.0, 14.0]),
                ],
            }),
            metadata_props: vec![StringStringEntryProto {
                key: "character".into(),
                value: "a\n口\nb\n".into(),
            }],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rec.onnx");
        std::fs::write(&path, model.encode_to_vec()).unwrap();
        let head = narrowed(&path).unwrap();
        assert_eq!(head.hidden, 2);
        assert_eq!(head.weight.0, "w");
        // columns 0, 1, 3, 4 of [[0 1 2 3 4] [5 6 7 8 9]]
        assert_eq!(head.weight.1, [0.0, 1.0, 3.0, 4.0, 5.0, 6.0, 8.0, 9.0]);
        assert_eq!(head.bias, ("b".into(), vec![10.0, 11.0, 13.0, 14.0]));
        assert_eq!(head.dict.len(), 4);
        assert_eq!(head.dict.entry(2), "b");
    }
}
