//! Criterion: the scanners and parsers that run over every page (dates, amounts) on a
//! generated invoice page, in bytes of page text per second.
//!
//! ```text
//! cargo bench -p docex-normalize
//! ```
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use docex_normalize::{find_amounts, find_dates, parse_amount_in, parse_date, DateOrder};

/// An invoice page in the formats the generator covers (ISO, dotted, month names;
/// `1.234,56`, `1,234.56`, currency codes and symbols).
fn page() -> String {
    let mut s = String::new();
    for i in 0..40 {
        s.push_str(&format!(
            "Line {i}: Service period 0{m}.0{m}.2024 to 1{m}/0{m}/2024, due March {d}, 2024\n\
             Net EUR 1.23{i},56  VAT 19 % 234,{i:02}  Total € 1.470,{i:02}  (USD 1,234.56)\n",
            m = i % 9 + 1,
            d = i % 28 + 1
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = page();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("find_dates", |b| b.iter(|| find_dates(black_box(&text))));
    g.bench_function("find_amounts", |b| {
        b.iter(|| find_amounts(black_box(&text)))
    });
    let dates: Vec<String> = find_dates(&text).into_iter().map(|f| f.text).collect();
    let amounts: Vec<String> = find_amounts(&text).into_iter().map(|f| f.text).collect();
    g.bench_function("parse every date and amount", |b| {
        b.iter(|| {
            let d = dates
                .iter()
                .filter_map(|t| parse_date(black_box(t), DateOrder::DayFirst))
                .count();
            let a = amounts
                .iter()
                .filter_map(|t| parse_amount_in(black_box(t), Some("EUR")))
                .count();
            d + a
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
