//! `docex eval`: scores a `docex extract` run against labelled documents.
//!
//! ```text
//!  labels.jsonl ──┐   per labelled field of each document:
//!                 ├─►   dates ISO-equal, amounts equal in cents,     ─► table per (source, field)
//!  documents.csv ─┘     text equal folded, parties set F1               --errors: every mismatch
//! ```
//!
//! Scoring is at the document level, on the cells of `documents.csv`: the number
//! that matters to someone reading the table is how often the cell holds what a
//! person would have typed, whatever the tagger's spans were. The labels format is
//! documented in `models/README.md` ("Evaluation labels"); `scripts/eval-dev.sh`
//! builds labels for the model card's dev splits and runs this.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use docex_normalize::{decimal_cents, fold};
use serde::{Deserialize, Serialize};

/// Arguments of `docex eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// Labelled documents, one JSON object a line (format: models/README.md).
    #[arg(long)]
    labels: PathBuf,
    /// Output folder of `docex extract`, or its documents.csv.
    run: PathBuf,
    /// Write every mismatch to this CSV (document, source, field, expected, got).
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Print the report as JSON on stdout instead of a markdown table.
    #[arg(long)]
    json: bool,
}

/// How the values of a field are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// ISO `yyyy-mm-dd` strings, equal.
    Date,
    /// Plain decimals, equal in cents (`9` = `9.0` = `9.00`).
    Amount,
    /// Equal after [`text_key`] (case, accents, spaces and punctuation ignored).
    Text,
    /// Sets of names, compared by [`set_f1`] on their [`text_key`]s.
    Parties,
}

/// The fields that can be labelled: the field columns of `documents.csv`, in order.
pub const FIELDS: [(&str, Comparison); 15] = [
    ("vendor", Comparison::Text),
    ("customer", Comparison::Text),
    ("invoice_number", Comparison::Text),
    ("invoice_date", Comparison::Date),
    ("due_date", Comparison::Date),
    ("currency", Comparison::Text),
    ("net_amount", Comparison::Amount),
    ("tax_amount", Comparison::Amount),
    ("total_amount", Comparison::Amount),
    ("parties", Comparison::Parties),
    ("agreement_date", Comparison::Date),
    ("effective_date", Comparison::Date),
    ("expiration_date", Comparison::Date),
    ("term", Comparison::Text),
    ("jurisdiction", Comparison::Text),
];

/// What `documents.csv` writes between two parties.
const PARTY_SEPARATOR: &str = "; ";

/// A text value reduced to what a comparison should look at: [`fold`]ed
/// (lowercase, common accents removed, `&` read as `and`), then only its letters
/// and digits. `"T.K. Enterprises"` and `"TK ENTERPRISES"` have the same key.
pub fn text_key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether the `got` cell holds the `expected` value, for the single-valued
/// comparisons (parties use [`set_f1`]). An empty cell never matches.
pub fn same_value(comparison: Comparison, expected: &str, got: &str) -> bool {
    let (expected, got) = (expected.trim(), got.trim());
    if got.is_empty() {
        return false;
    }
    match comparison {
        Comparison::Date => expected == got,
        Comparison::Amount => match (decimal_cents(expected), decimal_cents(got)) {
            (Some(e), Some(g)) => e == g,
            _ => false,
        },
        Comparison::Text | Comparison::Parties => text_key(expected) == text_key(got),
    }
}

/// F1 of the predicted names against the gold names, as sets of [`text_key`]s:
/// `2 |gold ∩ got| / (|gold| + |got|)`; 1 when both are empty.
pub fn set_f1<G: AsRef<str>, P: AsRef<str>>(gold: &[G], got: &[P]) -> f64 {
    fn keys<S: AsRef<str>>(names: &[S]) -> BTreeSet<String> {
        names
            .iter()
            .map(|n| text_key(n.as_ref()))
            .filter(|k| !k.is_empty())
            .collect()
    }
    let (gold, got) = (keys(gold), keys(got));
    if gold.is_empty() && got.is_empty() {
        return 1.0;
    }
    let common = gold.intersection(&got).count();
    2.0 * common as f64 / (gold.len() + got.len()) as f64
}

/// The parties in a `documents.csv` cell.
fn split_parties(cell: &str) -> Vec<&str> {
    cell.split(PARTY_SEPARATOR)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A labelled value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// Any field but `parties`.
    One(String),
    /// `parties`.
    Set(Vec<String>),
}

impl Expected {
    /// As it would be written in `documents.csv`.
    fn display(&self) -> String {
        match self {
            Expected::One(v) => v.clone(),
            Expected::Set(names) => names.join(PARTY_SEPARATOR),
        }
    }
}

/// One labelled document.
#[derive(Debug, Clone)]
pub struct Label {
    /// The `document` cell docex writes for it.
    pub document: String,
    /// The group it is reported under (`sroie`, `cuad`, ...).
    pub source: String,
    /// Its labelled fields, in [`FIELDS`] order.
    pub fields: Vec<(&'static str, Comparison, Expected)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelLine {
    document: String,
    source: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

/// Reads labels, one JSON object a line; blank lines are skipped. Fields with an
/// empty value (`""`, `[]`) are not scored.
pub fn parse_labels(text: &str) -> anyhow::Result<Vec<Label>> {
    let mut labels = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label = parse_label(line).with_context(|| format!("line {}", i + 1))?;
        if !seen.insert(label.document.clone()) {
            bail!(
                "line {}: document {:?} is labelled twice",
                i + 1,
                label.document
            );
        }
        labels.push(label);
    }
    Ok(labels)
}

fn parse_label(line: &str) -> anyhow::Result<Label> {
    let raw: LabelLine = serde_json::from_str(line)?;
    if let Some(unknown) = raw
        .fields
        .keys()
        .find(|k| !FIELDS.iter().any(|(f, _)| f == k))
    {
        let known: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
        bail!("unknown field {unknown:?} (fields: {})", known.join(", "));
    }
    let mut fields = Vec::new();
    for (name, comparison) in FIELDS {
        let Some(value) = raw.fields.get(name) else {
            continue;
        };
        let expected = match (comparison, value) {
            (Comparison::Parties, serde_json::Value::Array(items)) => Expected::Set(
                items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| anyhow!("parties: {v} is not a string"))
                    })
                    .collect::<anyhow::Result<_>>()?,
            ),
            (Comparison::Parties, v) => bail!("parties: {v} is not a list of strings"),
            (_, serde_json::Value::String(s)) => Expected::One(s.clone()),
            (_, v) => bail!("{name}: {v} is not a string"),
        };
        let empty = match &expected {
            Expected::One(v) => v.trim().is_empty(),
            Expected::Set(names) => names.iter().all(|n| n.trim().is_empty()),
        };
        if !empty {
            fields.push((name, comparison, expected));
        }
    }
    Ok(Label {
        document: raw.document,
        source: raw.source,
        fields,
    })
}

/// What `documents.csv` says about one document.
#[derive(Debug, Clone)]
pub enum RunRow {
    /// `status` ok: its cells by column name.
    Ok(HashMap<String, String>),
    /// `status` error, with the reason.
    Error(String),
}

/// Reads `documents.csv` into rows by their `document` cell (the first row wins
/// if a name repeats). Both dialects `docex extract` writes are read: plain CSV, and
/// `--excel`'s (a byte-order mark, `;` between cells, amounts with a decimal comma).
/// Text the formula guard prefixed with `'` (`'-5 Corp`) is read as it was written
/// before. Rows that failed (`error`) or were set aside (`quarantined`) are error rows.
pub fn read_documents_csv(path: &Path) -> anyhow::Result<HashMap<String, RunRow>> {
    let bytes = std::fs::read(path)?;
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let header = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let excel = header.contains(&b';') && !header.contains(&b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if excel { b';' } else { b',' })
        .from_reader(text);
    let headers = reader.headers()?.clone();
    for required in ["document", "status"] {
        if !headers.iter().any(|h| h == required) {
            bail!("no {required:?} column: not a docex documents.csv");
        }
    }
    let amount = |column: &str| {
        FIELDS
            .iter()
            .any(|(f, c)| *f == column && *c == Comparison::Amount)
    };
    let mut rows = HashMap::new();
    for record in reader.records() {
        let cells: HashMap<String, String> = headers
            .iter()
            .zip(record?.iter())
            .map(|(h, v)| {
                let v = docex_output::unneutralise(v);
                let v = if excel && amount(h) {
                    v.replace(',', ".")
                } else {
                    v.to_owned()
                };
                (h.to_owned(), v)
            })
            .collect();
        let document = cells["document"].clone();
        let row = match cells["status"].as_str() {
            // a quarantined row's error says so (`quarantined: crashed its worker, ...`)
            "error" | "quarantined" => {
                RunRow::Error(cells.get("error").cloned().unwrap_or_default())
            }
            _ => RunRow::Ok(cells),
        };
        rows.entry(document).or_insert(row);
    }
    Ok(rows)
}

/// Counts for one field of one source, or for all fields of a source.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Score {
    /// The field, or `(all)` for the source's total.
    pub field: String,
    /// Labelled (document, field) pairs.
    pub docs: usize,
    /// Those whose cell matched (parties: F1 = 1).
    pub correct: usize,
    /// `correct / docs`.
    pub accuracy: f64,
    /// Parties only: the mean per-document set F1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_f1: Option<f64>,
    #[serde(skip)]
    f1_sum: f64,
}

impl Score {
    fn add(&mut self, score: f64, is_set: bool) {
        self.docs += 1;
        self.correct += usize::from(score >= 1.0);
        self.accuracy = self.correct as f64 / self.docs as f64;
        if is_set {
            self.f1_sum += score;
            self.mean_f1 = Some(self.f1_sum / self.docs as f64);
        }
    }
}

/// The scores of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// The `source` of its labels.
    pub source: String,
    /// One score per labelled field, in [`FIELDS`] order.
    pub fields: Vec<Score>,
    /// All its labelled fields together.
    pub overall: Score,
}

/// A labelled value the run got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// The document.
    pub document: String,
    /// Its source.
    pub source: String,
    /// The field.
    pub field: String,
    /// The label, as documents.csv would write it.
    pub expected: String,
    /// The cell, `<missing>` when the document has no row, `<error: ...>` for error rows.
    pub got: String,
}

/// The result of scoring a run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Labelled documents.
    pub documents: usize,
    /// Of those, how many have no row in documents.csv.
    pub missing: usize,
    /// Of those, how many have an error row.
    pub errors: usize,
    /// Scores by source, in the order sources first appear in the labels.
    pub sources: Vec<SourceReport>,
    /// Every labelled value the run got wrong, in label order.
    #[serde(skip)]
    pub mismatches: Vec<Mismatch>,
}

/// Scores the rows of a run against the labels.
pub fn score(labels: &[Label], rows: &HashMap<String, RunRow>) -> Report {
    let mut report = Report {
        documents: labels.len(),
        missing: 0,
        errors: 0,
        sources: Vec::new(),
        mismatches: Vec::new(),
    };
    for label in labels {
        let row = rows.get(&label.document);
        match row {
            None => report.missing += 1,
            Some(RunRow::Error(_)) => report.errors += 1,
            Some(RunRow::Ok(_)) => {}
        }
        let i = match report.sources.iter().position(|s| s.source == label.source) {
            Some(i) => i,
            None => {
                report.sources.push(SourceReport {
                    source: label.source.clone(),
                    fields: Vec::new(),
                    overall: Score {
                        field: "(all)".into(),
                        ..Score::default()
                    },
                });
                report.sources.len() - 1
            }
        };
        let source = &mut report.sources[i];
        for (field, comparison, expected) in &label.fields {
            let (got, value) = match row {
                None => ("<missing>".to_owned(), 0.0),
                Some(RunRow::Error(e)) => (format!("<error: {e}>"), 0.0),
                Some(RunRow::Ok(cells)) => {
                    let cell = cells.get(*field).map_or("", String::as_str);
                    let value = match expected {
                        Expected::Set(names) => set_f1(names, &split_parties(cell)),
                        Expected::One(v) => f64::from(u8::from(same_value(*comparison, v, cell))),
                    };
                    (cell.to_owned(), value)
                }
            };
            let is_set = matches!(expected, Expected::Set(_));
            let at = match source.fields.iter().position(|s| s.field == *field) {
                Some(at) => at,
                None => {
                    source.fields.push(Score {
                        field: (*field).to_owned(),
                        ..Score::default()
                    });
                    source.fields.len() - 1
                }
            };
            source.fields[at].add(value, is_set);
            source.overall.add(value, false);
            if value < 1.0 {
                report.mismatches.push(Mismatch {
                    document: label.document.clone(),
                    source: label.source.clone(),
                    field: (*field).to_owned(),
                    expected: expected.display(),
                    got,
                });
            }
        }
    }
    let order = |f: &str| FIELDS.iter().position(|(name, _)| *name == f);
    for source in &mut report.sources {
        source.fields.sort_by_key(|s| order(&s.field));
    }
    report
}

/// The report as a markdown table, then one line on missing and error rows.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from(
        "| source | field | docs | correct | accuracy | mean F1 |\n|---|---|---|---|---|---|\n",
    );
    for source in &report.sources {
        for s in source.fields.iter().chain([&source.overall]) {
            let f1 = s.mean_f1.map(|f| format!("{f:.3}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.3} | {f1} |",
                source.source, s.field, s.docs, s.correct, s.accuracy
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} labelled documents: {} not in documents.csv, {} error rows.",
        report.documents, report.missing, report.errors
    );
    out
}

/// `docex eval`: reads the labels and the run, prints the report, writes the
/// errors CSV if asked. Every failure is a usage error.
pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.labels)
        .with_context(|| format!("reading labels {}", args.labels.display()))?;
    let labels =
        parse_labels(&text).with_context(|| format!("labels {}", args.labels.display()))?;
    if labels.is_empty() {
        bail!("no labels in {}", args.labels.display());
    }
    let csv_path = if args.run.is_dir() {
        args.run.join("documents.csv")
    } else {
        args.run.clone()
    };
    let rows = read_documents_csv(&csv_path).with_context(|| {
        format!(
            "reading {} (give a docex extract output folder or its documents.csv)",
            csv_path.display()
        )
    })?;
    let report = score(&labels, &rows);
    if let Some(path) = &args.errors {
        write_errors(path, &report.mismatches)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", markdown(&report));
    }
    Ok(())
}

fn write_errors(path: &Path, mismatches: &[Mismatch]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    for m in mismatches {
        w.serialize(m)?;
    }
    if mismatches.is_empty() {
        w.write_record(["document", "source", "field", "expected", "got"])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_the_field_columns_of_documents_csv() {
        let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
        assert_eq!(names, docex_output::DOCUMENT_COLUMNS[6..]);
    }

    #[test]
    fn same_value_table() {
        use Comparison::{Amount, Date, Text};
        let cases: &[(Comparison, &str, &str, bool)] = &[
            (Date, "2018-03-12", "2018-03-12", true),
            (Date, "2018-03-12", " 2018-03-12 ", true),
            (Date, "2018-03-12", "2018-12-03", false),
            (Date, "2018-03-12", "", false),
            (Amount, "9.00", "9.0", true),
            (Amount, "9.00", "9", true),
            (Amount, "9", "9.00", true),
            (Amount, "1469.06", "1469.06", true),
            (Amount, "1469.06", "1469.6", false),
            (Amount, "9.00", "90.0", false),
            (Amount, "-5.50", "-5.5", true),
            (Amount, "-5.50", "5.50", false),
            (Amount, "9.00", "", false),
            (Amount, "9.00", "RM9.00", false),
            (Text, "ASIA MART", "Asia Mart", true),
            (Text, "T.K.ENTERPRISES", "TK Enterprises", true),
            (
                Text,
                "SIDDHARTH REAL\nVENTURES LLP .",
                "SIDDHARTH REAL VENTURES LLP",
                true,
            ),
            (Text, "TI-113/19 - 20", "TI-113/19-20", true),
            (Text, "TI-113/19 - 20", "TI-113/19", false),
            (Text, "Müller & Söhne", "MULLER AND SOHNE", true),
            (Text, "ASIA MART", "ASIA MART SDN BHD", false),
            (Text, "P2Y", "P2Y", true),
            (Text, "P2Y", "P24M", false),
            (Text, "New York", "new york", true),
            (Text, "---", "", false),
        ];
        for (comparison, expected, got, want) in cases {
            assert_eq!(
                same_value(*comparison, expected, got),
                *want,
                "{comparison:?} {expected:?} vs {got:?}"
            );
        }
    }

    #[test]
    fn set_f1_table() {
        let cases: &[(&[&str], &[&str], f64)] = &[
            (&["Acme Inc.", "Beta LLC"], &["ACME INC", "beta, llc"], 1.0),
            (&["Acme Inc.", "Beta LLC"], &["Acme Inc."], 2.0 / 3.0),
            (&["Acme Inc.", "Beta LLC"], &["Acme Inc.", "Gamma Ltd"], 0.5),
            (&["Acme Inc."], &[], 0.0),
            (&["Acme Inc."], &["Acme Inc.", "Acme Inc"], 1.0),
            (&[], &[], 1.0),
        ];
        for (gold, got, want) in cases {
            let f1 = set_f1(gold, got);
            assert!((f1 - want).abs() < 1e-12, "{gold:?} vs {got:?}: {f1}");
        }
    }

    #[test]
    fn labels_parse_skip_empty_values_and_reject_unknown_fields() {
        let labels = parse_labels(
            r#"{"document": "a.txt", "source": "s", "fields": {"total_amount": "9.00", "vendor": "", "parties": ["A", "B"]}}

{"document": "b.txt", "source": "t", "fields": {}}"#,
        )
        .unwrap();
        assert_eq!(labels.len(), 2);
        assert_eq!(
            labels[0].fields,
            vec![
                (
                    "total_amount",
                    Comparison::Amount,
                    Expected::One("9.00".into())
                ),
                (
                    "parties",
                    Comparison::Parties,
                    Expected::Set(vec!["A".into(), "B".into()])
                ),
            ]
        );
        let err = |line: &str| format!("{:#}", parse_labels(line).unwrap_err());
        assert!(
            err(r#"{"document": "a", "source": "s", "fields": {"totl": "1"}}"#)
                .contains("unknown field \"totl\"")
        );
        assert!(
            err(r#"{"document": "a", "source": "s", "fields": {"parties": "A"}}"#)
                .contains("not a list")
        );
        assert!(err(r#"{"document": "a", "fields": {}}"#).contains("source"));
        let twice = r#"{"document": "a", "source": "s", "fields": {}}"#;
        assert!(err(&format!("{twice}\n{twice}")).contains("labelled twice"));
    }

    #[test]
    fn documents_csv_reads_back_in_both_dialects_with_guarded_text_and_quarantined_rows() {
        let row = |cells: &[(&str, &str)]| {
            let columns = docex_output::DOCUMENT_COLUMNS;
            let mut r = vec![String::new(); columns.len()];
            for (k, v) in cells {
                r[columns.iter().position(|c| c == k).unwrap()] = (*v).to_owned();
            }
            docex_core::DocumentRows {
                document: cells[0].1.to_owned(),
                document_row: r,
                entity_rows: Vec::new(),
            }
        };
        let rows = [
            row(&[
                ("document", "-credit.txt"),
                ("status", "ok"),
                ("vendor", "=Acme"),
                ("total_amount", "-1234.50"),
            ]),
            row(&[
                ("document", "hang.pdf"),
                ("status", "quarantined"),
                ("error", "quarantined: crashed its worker, twice"),
            ]),
        ];
        for excel in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            docex_output::CsvTables { excel }
                .write(dir.path(), &rows)
                .unwrap();
            let read = read_documents_csv(&dir.path().join("documents.csv")).unwrap();
            let RunRow::Ok(cells) = &read["-credit.txt"] else {
                panic!("{excel}: -credit.txt is not an ok row: {read:?}");
            };
            assert_eq!(cells["vendor"], "=Acme", "{excel}");
            assert_eq!(cells["total_amount"], "-1234.50", "{excel}");
            assert!(
                matches!(&read["hang.pdf"], RunRow::Error(e) if e.starts_with("quarantined")),
                "{excel}: {read:?}"
            );
        }
    }

    #[test]
    fn score_counts_missing_and_error_rows_as_wrong() {
        let labels = parse_labels(
            r#"{"document": "ok.txt", "source": "inv", "fields": {"total_amount": "9.00", "vendor": "Acme"}}
{"document": "gone.txt", "source": "inv", "fields": {"total_amount": "1.00"}}
{"document": "bad.pdf", "source": "con", "fields": {"parties": ["A Inc", "B Ltd"]}}
{"document": "c.txt", "source": "con", "fields": {"parties": ["A Inc", "B Ltd"]}}"#,
        )
        .unwrap();
        let ok = |cells: &[(&str, &str)]| {
            RunRow::Ok(
                cells
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        };
        let rows = HashMap::from([
            (
                "ok.txt".to_owned(),
                ok(&[("total_amount", "9.0"), ("vendor", "ACME CORP")]),
            ),
            ("bad.pdf".to_owned(), RunRow::Error("encrypted".into())),
            ("c.txt".to_owned(), ok(&[("parties", "A Inc.; C Ltd")])),
        ]);
        let report = score(&labels, &rows);
        assert_eq!((report.documents, report.missing, report.errors), (4, 1, 1));
        let inv = &report.sources[0];
        assert_eq!(inv.source, "inv");
        assert_eq!(
            inv.fields
                .iter()
                .map(|s| (s.field.as_str(), s.docs, s.correct))
                .collect::<Vec<_>>(),
            vec![("vendor", 1, 0), ("total_amount", 2, 1)]
        );
        assert_eq!((inv.overall.docs, inv.overall.correct), (3, 1));
        let parties = &report.sources[1].fields[0];
        assert_eq!((parties.docs, parties.correct), (2, 0));
        assert_eq!(parties.mean_f1, Some(0.25));
        let got: Vec<(&str, &str)> = report
            .mismatches
            .iter()
            .map(|m| (m.document.as_str(), m.got.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ok.txt", "ACME CORP"),
                ("gone.txt", "<missing>"),
                ("bad.pdf", "<error: encrypted>"),
                ("c.txt", "A Inc.; C Ltd"),
            ]
        );
        assert_eq!(report.mismatches[2].expected, "A Inc; B Ltd");
    }
}
