//! `docex text FILE... [--words]`: the text the pipeline reads, page by page.
//!
//! The pages are read in this process exactly as `docex extract` reads them (the
//! PDF text layer, or OCR of the page images, with the same pipeline options),
//! without tagging: [`docex_pipeline::SingleWorker::read`]. Each document's pages
//! are printed one after another with a form feed (`\f`) between them, like
//! `pdftotext`; with more than one file, each document starts with a header line
//! `==> FILE <==`, as `head` writes it, after a blank line from the one before.
//!
//! `--words` prints a tab-separated table instead, one word a line after a header
//! line: `document, page, word, x, y, width, height, source, confidence`. The box
//! is in PDF points from the page's top left for text layers, in pixels of the
//! image OCR read for scans, empty where the source has no geometry; `source` is
//! `text layer`, `ocr` or `plain text`; `confidence` (0-1) is OCR's, empty
//! otherwise. Control characters in a cell are escaped (`\t`, `\n`), so every line
//! is one word.
//!
//! A file that cannot be read is a one-line message on stderr naming it; the other
//! files are still printed, and the exit code is 1.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use docex_core::{Extractor, InputDoc, Page};
use docex_output::escape_controls;

use crate::{build_pipeline, exit, printable, PipelineArgs};

/// `docex text`'s arguments.
#[derive(clap::Args)]
pub struct TextArgs {
    /// The documents to read (PDF, PNG, JPEG, TIFF, text).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A table of the words instead (tab-separated: document, page, word, x, y,
    /// width, height, source, confidence).
    #[arg(long)]
    words: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// The `--words` table's header line.
pub const WORDS_HEADER: &str = "document\tpage\tword\tx\ty\twidth\theight\tsource\tconfidence";

/// Prints each file's pages (or words) in order; [`exit::SOME_FAILED`] when a file
/// could not be read.
pub fn run(args: &TextArgs) -> anyhow::Result<u8> {
    let pipeline = build_pipeline(&args.pipeline)?;
    let worker = pipeline.single_worker()?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut code = exit::OK;
    let mut printed = 0usize;
    if args.words {
        writeln!(out, "{WORDS_HEADER}").or_else(ignore_broken_pipe)?;
    }
    for file in &args.files {
        let display = file.display().to_string();
        let doc = InputDoc {
            path: file.clone(),
            display: display.clone(),
        };
        let pages = match worker.read(&doc) {
            Ok(pages) => pages,
            Err(reason) => {
                // what was read before is on stdout before the message
                out.flush().or_else(ignore_broken_pipe)?;
                eprintln!("docex: {}: {}", printable(&display), printable(&reason));
                code = exit::SOME_FAILED;
                continue;
            }
        };
        let text = if args.words {
            words_table(&display, &pages)
        } else {
            let header = (args.files.len() > 1).then(|| {
                let gap = if printed > 0 { "\n" } else { "" };
                format!("{gap}==> {} <==\n", escape_controls(&display))
            });
            header.unwrap_or_default() + &pages_text(&pages)
        };
        printed += 1;
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            // `docex text ... | head` is not an error
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(code),
            other => other.context("writing to stdout")?,
        }
    }
    out.flush().or_else(ignore_broken_pipe)?;
    Ok(code)
}

fn ignore_broken_pipe(e: std::io::Error) -> anyhow::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e).context("writing to stdout")
    }
}

/// The pages' text, `\f` between pages, ending with a line break.
pub fn pages_text(pages: &[Page]) -> String {
    let mut text = pages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\x0c");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The `source` column: where a page's words came from.
pub fn source(extractor: Extractor) -> &'static str {
    match extractor {
        Extractor::PdfText => "text layer",
        Extractor::PdfOcr | Extractor::ImageOcr => "ocr",
        Extractor::PlainText => "plain text",
    }
}

/// The `--words` lines of one document (no header).
pub fn words_table(document: &str, pages: &[Page]) -> String {
    let document = escape_controls(document);
    let mut table = String::new();
    for page in pages {
        let chars: Vec<char> = page.text.chars().collect();
        for word in &page.words {
            let text: String = chars
                .get(word.start..word.end.min(chars.len()))
                .unwrap_or_default()
                .iter()
                .collect();
            let [x, y, width, height] = match word.bbox {
                Some(b) => [b.x, b.y, b.width, b.height].map(number),
                None => Default::default(),
            };
            let confidence = word.confidence.map(|c| format!("{c:.2}"));
            table.push_str(&format!(
                "{document}\t{}\t{}\t{x}\t{y}\t{width}\t{height}\t{}\t{}\n",
                page.number,
                escape_controls(&text),
                source(page.extractor),
                confidence.unwrap_or_default(),
            ));
        }
    }
    table
}

/// A coordinate with at most two decimals, trailing zeros dropped (`72`, `72.5`).
fn number(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::{BBox, Word};

    fn page(number: usize, text: &str, extractor: Extractor, words: Vec<Word>) -> Page {
        Page {
            number,
            text: text.to_owned(),
            words,
            extractor,
            size: None,
        }
    }

    #[test]
    fn pages_are_joined_by_form_feeds_and_end_with_a_line_break() {
        let pages = [
            page(1, "one\n", Extractor::PdfText, vec![]),
            page(2, "two", Extractor::PdfText, vec![]),
        ];
        assert_eq!(pages_text(&pages), "one\n\x0ctwo\n");
    }

    #[test]
    fn words_have_boxes_sources_and_confidences() {
        let words = vec![
            Word {
                start: 0,
                end: 5,
                bbox: Some(BBox {
                    x: 10.0,
                    y: 20.5,
                    width: 30.25,
                    height: 8.0,
                }),
                confidence: Some(0.9),
            },
            Word {
                start: 6,
                end: 9,
                bbox: None,
                confidence: None,
            },
        ];
        let table = words_table(
            "a\tb.png",
            &[page(3, "Total 1,5", Extractor::ImageOcr, words)],
        );
        assert_eq!(
            table,
            "a\\tb.png\t3\tTotal\t10\t20.5\t30.25\t8\tocr\t0.90\n\
             a\\tb.png\t3\t1,5\t\t\t\t\tocr\t\n"
        );
    }

    #[test]
    fn coordinates_drop_trailing_zeros() {
        assert_eq!(number(72.0), "72");
        assert_eq!(number(0.004), "0");
        assert_eq!(number(-0.001), "0");
        assert_eq!(number(1.456), "1.46");
    }
}
