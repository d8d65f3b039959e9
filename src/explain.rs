//! `docex explain FILE [--html OUT.html]`: one document, shown the way the
//! pipeline saw it.
//!
//! The pipeline runs in this process ([`docex_pipeline::SingleWorker::explain`]);
//! each page's text is printed with its entities marked, each followed by its field
//! (or, in parentheses, its kind when it plays no role), normalised value and
//! confidence, then the fields chosen for the document (the `documents.csv` row).
//! On a terminal the entities are coloured by field; piped, or with `NO_COLOR`
//! set, they are marked `[[text]]{field=value 0.93}`.
//!
//! `--trace` adds each field's path (docex-fields' trace): the candidates of its kind
//! with their evidence, the document type's evidence, each rule that changed the field
//! or a candidate's role, and the chosen entity.
//!
//! `--html` writes the same as one self-contained page: an OCR'd page shows the
//! image Tesseract read (embedded as PNG) with a box per entity drawn over it,
//! beside the highlighted text; a text-layer page is drawn from its words at their
//! places (PDF points) with the same boxes over them.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;

use anyhow::Context;
use base64::Engine as _;
use docex_core::{DocumentResult, Entity, InputDoc, Role};
use docex_fields::trace::Change;
use docex_output::{rows_of, DOCUMENT_COLUMNS};
use docex_pipeline::{Explained, ExplainedPage};

use crate::{build_pipeline, exit, PipelineArgs};

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The document to explain.
    file: PathBuf,
    /// Also write the explanation as a self-contained HTML page (page images with
    /// the entity boxes, highlighted text).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Also print each field's path: its candidates with their evidence (role,
    /// confidence, the label before them), what decided the document type, every
    /// rule that changed the field, and the choice.
    #[arg(long)]
    trace: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// How many candidates `--trace` lists per field (the field's own role first).
const TRACE_CANDIDATES: usize = 12;

/// One colour per role (`Role::ALL` order) for the HTML boxes and highlights.
const HTML_COLOURS: [&str; 14] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#469990", "#9a6324", "#800000", "#808000", "#000075", "#ffe119",
];
/// The colour of a value that plays no role.
const HTML_NO_ROLE: &str = "#a0a0a0";
/// Terminal background colours (SGR codes), by role (cycled; the label names the field).
const ANSI_COLOURS: [&str; 6] = ["30;43", "30;42", "30;46", "30;45", "97;44", "97;41"];

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let pipeline = build_pipeline(&args.pipeline)?;
    let worker = pipeline.single_worker()?;
    let display = args.file.display().to_string();
    let doc = InputDoc {
        path: args.file.clone(),
        display: display.clone(),
    };
    let explained = match worker.explain(&doc) {
        Ok(e) => e,
        Err(reason) => {
            eprintln!("docex: {display}: {reason}");
            return Ok(exit::SOME_FAILED);
        }
    };
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut text = render_text(&display, pipeline.model_name(), &explained, colour);
    if args.trace {
        text.push_str(&render_trace(&explained));
    }
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `docex explain ... | head` is not an error
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing to stdout")
        }
        _ => {}
    }
    if let Some(out) = &args.html {
        std::fs::write(out, render_html(&display, &explained))
            .with_context(|| format!("writing {}", out.display()))?;
        tracing::info!(html = %out.display(), "written");
    }
    Ok(exit::OK)
}

/// The chosen fields, as the `documents.csv` row has them (column, value), non-empty only.
fn fields(display: &str, explained: &Explained) -> Vec<(&'static str, String)> {
    let rows = rows_of(&DocumentResult {
        document: display.to_owned(),
        outcome: Ok(explained.extraction.clone()),
        content_hash: None,
    });
    DOCUMENT_COLUMNS
        .iter()
        .zip(rows.document_row)
        .skip_while(|(c, _)| **c != "doc_type")
        .filter(|(_, v)| !v.is_empty())
        .map(|(c, v)| (*c, v))
        .collect()
}

fn role_index(role: Option<Role>) -> Option<usize> {
    role.and_then(|r| Role::ALL.iter().position(|&x| x == r))
}

/// `total_amount=12.50 0.93`, or `(date)=2024-01-03 0.50` for a value without a role.
fn label(e: &Entity) -> String {
    let field = match e.role {
        Some(r) => r.field_name().to_owned(),
        None => format!("({})", e.kind.as_str()),
    };
    format!("{field}={} {:.2}", e.value, e.confidence)
}

/// Each page's text cut at its entities: `(text, Some(entity))` for a marked
/// stretch, `(text, None)` between them. An entity overlapping the one before is
/// marked only where it goes past it (its label still follows).
fn segments<'a>(text: &str, entities: &[&'a Entity]) -> Vec<(String, Option<&'a Entity>)> {
    let chars: Vec<char> = text.chars().collect();
    let slice = |a: usize, b: usize| {
        chars[a.min(chars.len())..b.min(chars.len())]
            .iter()
            .collect()
    };
    let mut out = Vec::new();
    let mut pos = 0;
    for e in entities {
        if e.start > pos {
            out.push((slice(pos, e.start), None));
        }
        out.push((slice(e.start.max(pos), e.end.max(pos)), Some(*e)));
        pos = pos.max(e.end);
    }
    out.push((slice(pos, chars.len()), None));
    out
}

fn page_entities<'a>(explained: &'a Explained, page: &ExplainedPage) -> Vec<&'a Entity> {
    explained
        .extraction
        .entities
        .iter()
        .filter(|e| e.page == page.page.number)
        .collect()
}

fn how(page: &ExplainedPage) -> &'static str {
    use docex_core::Extractor;
    match page.page.extractor {
        Extractor::PlainText => "plain text",
        Extractor::PdfText => "PDF text layer",
        Extractor::PdfOcr => "OCR of the PDF page image",
        Extractor::ImageOcr => "OCR",
    }
}

fn render_text(display: &str, model: &str, explained: &Explained, colour: bool) -> String {
    let (bold, dim, reset) = if colour {
        ("\x1b[1m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let x = &explained.extraction;
    let mut s = format!(
        "{bold}{display}{reset}: {}, {} page{}, {} entities (model {model})\n",
        x.doc_type,
        x.pages,
        if x.pages == 1 { "" } else { "s" },
        x.entities.len()
    );
    for page in &explained.pages {
        let _ = writeln!(
            s,
            "\n{bold}--- page {} ({}) ---{reset}",
            page.page.number,
            how(page)
        );
        for (text, entity) in segments(&page.page.text, &page_entities(explained, page)) {
            match entity {
                None => s.push_str(&text),
                Some(e) if colour => {
                    let sgr = role_index(e.role).map_or("4", |i| ANSI_COLOURS[i % 6]);
                    let _ = write!(s, "\x1b[{sgr}m{text}{reset}{dim}{{{}}}{reset}", label(e));
                }
                Some(e) => {
                    let _ = write!(s, "[[{text}]]{{{}}}", label(e));
                }
            }
        }
        s.push('\n');
    }
    let _ = writeln!(s, "\n{bold}--- fields ---{reset}");
    for (column, value) in fields(display, explained) {
        let _ = writeln!(s, "{column:<16} {value}");
    }
    s
}

/// `--trace`: per field, the candidates of its kind with their evidence, the steps that
/// changed it, and the choice; first what decided the document type.
fn render_trace(explained: &Explained) -> String {
    let trace = &explained.trace;
    let x = &explained.extraction;
    let mut s = String::from("\n--- trace ---\n");
    if let Some((doc_type, ev)) = &trace.doc_type {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let _ = writeln!(
            s,
            "doc_type {doc_type}: contract words {}, billing words {}, till words {}, invoice words {}; \
             party named {}, customer {}, due date {}, a total {}",
            ev.contract_words,
            ev.billing_words,
            ev.till_words,
            ev.invoice_words,
            yes(ev.parties),
            yes(ev.customer),
            yes(ev.due_date),
            ev.total.map_or("not asked", yes),
        );
    }
    let mention = |e: &Entity| {
        format!(
            "p{} {}-{} {:?} -> {:?} {} {:.3}",
            e.page,
            e.start,
            e.end,
            e.text.replace('\n', " "),
            e.value,
            e.role.map_or("(no role)", |r| r.field_name()),
            e.confidence
        )
    };
    for role in Role::ALL {
        let field = role.field_name();
        let value = match role {
            Role::Party => x.fields.parties.join("; "),
            _ => x.fields.value(role).unwrap_or_default().to_owned(),
        };
        let candidates: Vec<_> = trace
            .candidates
            .iter()
            .filter(|c| c.entity.kind == role.kind())
            .collect();
        let steps: Vec<_> = trace
            .steps
            .iter()
            .filter_map(|st| {
                let changes: Vec<String> = st
                    .changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::Field {
                            field: f,
                            before,
                            after,
                        } if *f == field => Some(format!("{field} {before:?} -> {after:?}")),
                        Change::Candidate {
                            entity,
                            role_before,
                            confidence_before,
                        } if entity.role == Some(role) || *role_before == Some(role) => {
                            Some(format!(
                                "{} (was {} {:.3})",
                                mention(entity),
                                role_before.map_or("(no role)", |r| r.field_name()),
                                confidence_before
                            ))
                        }
                        Change::Added { entity } if entity.role == Some(role) => {
                            Some(format!("added {}", mention(entity)))
                        }
                        _ => None,
                    })
                    .collect();
                (!changes.is_empty()).then_some((st.family, st.rule, changes))
            })
            .collect();
        if value.is_empty()
            && steps.is_empty()
            && !candidates.iter().any(|c| c.entity.role == Some(role))
        {
            continue;
        }
        let _ = writeln!(s, "\n{field} = {value:?}");
        // the tagger's candidates of this role first, then the others of its kind
        let mut shown: Vec<_> = candidates
            .iter()
            .filter(|c| c.entity.role == Some(role))
            .chain(candidates.iter().filter(|c| c.entity.role != Some(role)))
            .collect();
        let more = shown.len().saturating_sub(TRACE_CANDIDATES);
        shown.truncate(TRACE_CANDIDATES);
        let _ = writeln!(
            s,
            "  candidates ({} of kind {}):",
            candidates.len(),
            role.kind().as_str()
        );
        for c in shown {
            let _ = writeln!(s, "    {}  label {:?}", mention(&c.entity), c.label.trim());
        }
        if more > 0 {
            let _ = writeln!(s, "    ... {more} more");
        }
        for (family, rule, changes) in steps {
            let _ = writeln!(s, "  {family}: {rule}");
            for c in changes {
                let _ = writeln!(s, "    {c}");
            }
        }
        let chosen: Vec<_> = x
            .entities
            .iter()
            .filter(|e| e.role == Some(role) && (role == Role::Party || e.value == value))
            .collect();
        match chosen.first() {
            Some(e) if role != Role::Party => {
                let _ = writeln!(s, "  chosen: {}", mention(e));
            }
            Some(_) => {
                let _ = writeln!(s, "  chosen: {} mention(s)", chosen.len());
            }
            None if value.is_empty() => {
                let _ = writeln!(s, "  chosen: none");
            }
            None => {
                let _ = writeln!(s, "  chosen: {value:?}, no entity");
            }
        }
    }
    s
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn html_colour(e: &Entity) -> &'static str {
    role_index(e.role).map_or(HTML_NO_ROLE, |i| HTML_COLOURS[i])
}

/// `v` as a percentage of `of` (a position on a page image or sheet).
fn pct(v: f32, of: f32) -> f32 {
    100.0 * v / of.max(1.0)
}

/// A text-layer page drawn from its words: each word at its box (the page's own
/// units, PDF points), scaled with the sheet's width (`cqw`), so the entity boxes
/// land on the words as they do on a scan.
fn sheet(s: &mut String, page: &docex_core::Page, w: f32, h: f32) {
    let _ = writeln!(
        s,
        "<div class=\"scan sheet\" style=\"width:{w:.0}px;aspect-ratio:{w:.2}/{h:.2}\">"
    );
    let chars: Vec<char> = page.text.chars().collect();
    for word in &page.words {
        let Some(b) = word.bbox else { continue };
        let text: String = chars
            .get(word.start..word.end.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect();
        let _ = writeln!(
            s,
            "<span class=\"word\" style=\"left:{:.3}%;top:{:.3}%;font-size:{:.3}cqw\">{}</span>",
            pct(b.x, w),
            pct(b.y, h),
            pct(b.height * 0.8, w),
            escape(&text)
        );
    }
}

fn render_html(display: &str, explained: &Explained) -> String {
    let x = &explained.extraction;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>docex explain: {title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1em; color: #222; background: #fff; }}
.page {{ display: flex; gap: 1.5em; align-items: flex-start; margin-bottom: 2em; }}
.scan {{ position: relative; flex: 0 0 auto; max-width: 50%; }}
.scan img {{ display: block; width: 100%; }}
.sheet {{ container-type: inline-size; border: 1px solid #ccc; overflow: hidden; }}
.word {{ position: absolute; white-space: nowrap; line-height: 1; font-family: serif; color: #333; }}
.box {{ position: absolute; box-sizing: border-box; border: 3px solid; }}
pre {{ flex: 1 1 0; margin: 0; white-space: pre-wrap; font: 13px/1.5 ui-monospace, monospace; }}
mark {{ color: inherit; border-radius: 2px; }}
.label {{ font-size: 10px; color: #555; vertical-align: super; }}
table {{ border-collapse: collapse; }} td {{ padding: 2px 1em 2px 0; }}
</style></head><body>
<h1>{title}</h1>
<p>{doc_type}, {pages} page(s), {n} entities. Hover a box or a highlight for its field, value and confidence.</p>
"#,
        title = escape(display),
        doc_type = x.doc_type,
        pages = x.pages,
        n = x.entities.len()
    );
    for page in &explained.pages {
        let entities = page_entities(explained, page);
        let _ = write!(
            s,
            "<h2>Page {} ({})</h2>\n<div class=\"page\">\n",
            page.page.number,
            how(page)
        );
        let frame = match (&page.image, page.page.size) {
            (Some(image), _) => {
                let (w, h) = (image.width, image.height);
                let _ = writeln!(
                    s,
                    "<div class=\"scan\" style=\"width:{w}px\"><img alt=\"page {}\" width=\"{w}\" height=\"{h}\" src=\"data:image/png;base64,{}\">",
                    page.page.number,
                    base64::engine::general_purpose::STANDARD.encode(&image.png)
                );
                Some((w as f32, h as f32))
            }
            (None, Some((w, h))) if page.page.words.iter().any(|w| w.bbox.is_some()) => {
                sheet(&mut s, &page.page, w, h);
                Some((w, h))
            }
            _ => None,
        };
        if let Some((w, h)) = frame {
            for e in &entities {
                let Some(b) = e.bbox else { continue };
                let c = html_colour(e);
                let _ = writeln!(
                    s,
                    "<div class=\"box\" data-field=\"{}\" data-bbox=\"{},{},{},{}\" title=\"{}\" style=\"left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%;border-color:{c};background:{c}22\"></div>",
                    e.role.map_or("", Role::field_name),
                    b.x,
                    b.y,
                    b.width,
                    b.height,
                    escape(&format!("{}: {}", e.text, label(e))),
                    pct(b.x, w),
                    pct(b.y, h),
                    pct(b.width, w),
                    pct(b.height, h),
                );
            }
            s.push_str("</div>\n");
        }
        s.push_str("<pre>");
        for (text, entity) in segments(&page.page.text, &entities) {
            match entity {
                None => s.push_str(&escape(&text)),
                Some(e) => {
                    let _ = write!(
                        s,
                        "<mark style=\"background:{c}55\" title=\"{t}\">{text}</mark><span class=\"label\">{t}</span>",
                        c = html_colour(e),
                        t = escape(&label(e)),
                        text = escape(&text)
                    );
                }
            }
        }
        s.push_str("</pre>\n</div>\n");
    }
    s.push_str("<h2>Fields</h2>\n<table>\n");
    for (column, value) in fields(display, explained) {
        let _ = writeln!(s, "<tr><td>{column}</td><td>{}</td></tr>", escape(&value));
    }
    s.push_str("</table>\n</body></html>\n");
    s
}
