//! Criterion: the tagger (tokenizer + ONNX Runtime session on the CPU + CRF decoding)
//! on pages of 1, 4 and 16 windows, in tokens per second. A page's windows run as one
//! batch, so this is also the batch-size scaling. Uses the shipped model and the ONNX
//! Runtime library of `make setup` (`.ort/`, or `ORT_DYLIB_PATH`).
//!
//! ```text
//! cargo bench -p docex-tagger
//! ```
#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use docex_tagger::{Device, Model, Runtime};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Page text of about `words` words from the generated samples' vocabulary.
fn page(words: usize) -> String {
    let lines = [
        "INVOICE Hartmann Logistik GmbH Invoice No: RE-2024-0315 Date: 05.03.2024",
        "Bill to: Nordlicht Medien AG, Hafenstrasse 12, 20457 Hamburg",
        "Freight forwarding Hamburg - Munich 2 x 1.250,00 EUR 2.500,00",
        "Net amount 2.500,00 VAT 19 % 475,00 Total EUR 2.975,00 due 04.04.2024",
        "This Agreement is made on March 5, 2021 between Acme Robotics Corp. and Northwind",
    ];
    let mut out = String::new();
    let mut n = 0;
    for line in lines.iter().cycle() {
        out.push_str(line);
        out.push('\n');
        n += line.split_whitespace().count();
        if n >= words {
            break;
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let repo = Path::new(REPO);
    let lib = docex_tagger::locate_onnxruntime(&[repo.join(".ort")])
        .expect("no ONNX Runtime library: run `make setup` or set ORT_DYLIB_PATH");
    let runtime = Runtime::init(&lib, Device::Cpu).expect("ONNX Runtime");
    let model = Arc::new(Model::load(&repo.join("models/docex-tagger-v2")).expect("model"));
    let mut tagger = model.tagger(&runtime).expect("session");
    let mut g = c.benchmark_group("tagger");
    for windows in [1usize, 4, 16] {
        // about 1.3 tokens per word on these lines: fill `windows` windows of 256
        let text = page(windows * 256 * 10 / 13);
        let tokens = model
            .encoder()
            .encode(&text)
            .expect("encode")
            .word_ids
            .len();
        g.throughput(Throughput::Elements(tokens as u64));
        g.bench_with_input(
            BenchmarkId::new("tag", format!("{windows} windows")),
            &text,
            |b, t| b.iter(|| tagger.tag(t).expect("tag")),
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
