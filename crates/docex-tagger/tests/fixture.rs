//! The Rust tagger reproduces, on the tiny fixture model, every input and output the
//! PyTorch training code computed (`models/train`, `python -m docex_train fixture`):
//! token offsets, word ids, char ids, features, emissions and the decoded labels.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use docex_tagger::{Device, Model, Runtime};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    text: String,
    tokens: Vec<(usize, usize)>,
    word_ids: Vec<i64>,
    char_ids: Vec<Vec<i64>>,
    features: Vec<Vec<f32>>,
    emissions: Vec<Vec<f32>>,
    labels: Vec<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny")
}

fn expected() -> Expected {
    serde_json::from_slice(&std::fs::read(dir().join("expected.json")).unwrap()).unwrap()
}

/// One ONNX Runtime per process, as in the binary.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ort");
        let lib = docex_tagger::locate_onnxruntime(&[repo])
            .expect("ONNX Runtime library missing: run scripts/setup.sh (make test does)");
        Runtime::init(&lib, Device::Cpu).unwrap()
    })
}

#[test]
fn encoder_matches_python() {
    let exp = expected();
    let model = Model::load(&dir()).unwrap();
    let enc = model.encoder().encode(&exp.text).unwrap();
    assert_eq!(enc.offsets, exp.tokens);
    assert_eq!(enc.word_ids, exp.word_ids);
    assert_eq!(enc.char_ids, exp.char_ids);
    let feats: Vec<Vec<f32>> = enc.features.iter().map(|f| f.to_vec()).collect();
    assert_eq!(feats, exp.features);
}

#[test]
fn onnx_emissions_match_pytorch() {
    let exp = expected();
    let model = Arc::new(Model::load(&dir()).unwrap());
    let mut tagger = model.tagger(runtime()).unwrap();
    let enc = model.encoder().encode(&exp.text).unwrap();
    let em = tagger.emissions(&enc).unwrap();
    assert_eq!(em.len(), 1);
    let n = model.labels().len();
    for (t, row) in exp.emissions.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let got = em[0][t * n + j];
            assert!((got - v).abs() < 1e-4, "token {t} label {j}: {got} vs {v}");
        }
    }
}

#[test]
fn viterbi_matches_python() {
    let exp = expected();
    let model = Model::load(&dir()).unwrap();
    let n = model.labels().len();
    let em: Vec<f32> = exp.emissions.iter().flatten().copied().collect();
    assert_eq!(em.len(), exp.tokens.len() * n);
    let path = model.crf().viterbi(&em);
    let names: Vec<&str> = path.iter().map(|&i| model.labels().name(i)).collect();
    assert_eq!(names, exp.labels);
}

#[test]
fn windows_give_the_same_tags_as_one_pass_for_short_text() {
    // A page shorter than the window is one row; tagging twice is deterministic.
    let exp = expected();
    let model = Arc::new(Model::load(&dir()).unwrap());
    let mut tagger = model.tagger(runtime()).unwrap();
    let a = tagger.tag(&exp.text).unwrap();
    let b = tagger.tag(&exp.text).unwrap();
    assert_eq!(a, b);
    for s in &a {
        assert!(s.start < s.end && s.end <= exp.text.chars().count());
        assert!((0.0..=1.0).contains(&s.confidence));
    }
}
