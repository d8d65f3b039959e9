//! Shared types and stage contracts of the docex pipeline.
//!
//! ```text
//!  input file ──► ingest ──► Page{text, words} ──► tagger ──► TaggedSpan ──► normalize ──► Entity / Fields ──► output
//!                 (PDF text, page images, OCR)     (tokenizer + ONNX + Viterbi)   (dates, amounts, parties)    (CSV)
//! ```
//!
//! Every stage depends on this leaf crate and on nothing else of docex, so a stage
//! can be read, tested and replaced on its own. The one invariant that crosses
//! every boundary is the *offset*: a [`Word`], a [`TaggedSpan`] and an [`Entity`]
//! all carry character offsets into their [`Page::text`], and a word carries its
//! box on the page, so every value in the output tables can be traced back to the
//! place in the document it came from.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A box on a page: pixels of the OCR image, or PDF points for text PDFs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl BBox {
    /// The smallest box holding both boxes.
    pub fn union(self, other: BBox) -> BBox {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        let right = (self.x + self.width).max(other.x + other.width);
        let bottom = (self.y + self.height).max(other.y + other.height);
        BBox {
            x,
            y,
            width: right - x,
            height: bottom - y,
        }
    }
}

/// One word of a page: its character range in [`Page::text`] and, when known, its box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// First character (Unicode scalar value index) in the page text.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// Where the word is on the page, if the extractor knows.
    pub bbox: Option<BBox>,
    /// Recognition confidence in [0, 1] (OCR only).
    pub confidence: Option<f32>,
}

/// How a page's text was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Extractor {
    /// The file was plain text.
    PlainText,
    /// The PDF page has a text layer.
    PdfText,
    /// The PDF page was image-only; its image was OCR'd.
    PdfOcr,
    /// A raster image (PNG, JPEG, TIFF frame) was OCR'd.
    ImageOcr,
}

/// One page of a document after extraction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: usize,
    /// The page text; lines separated by `\n`.
    pub text: String,
    /// The words of `text`, in order; may be empty when the extractor has no word boxes.
    pub words: Vec<Word>,
    /// How the text was obtained.
    pub extractor: Extractor,
    /// Width and height of the page in the unit of its word boxes, where the boxes
    /// are not in pixels of an image: PDF points for a text layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<(f32, f32)>,
}

impl Page {
    /// The box covering the words that overlap the character range `start..end`, if any has one.
    pub fn bbox_of(&self, start: usize, end: usize) -> Option<BBox> {
        self.words
            .iter()
            .filter(|w| w.start < end && start < w.end)
            .filter_map(|w| w.bbox)
            .reduce(BBox::union)
    }

    /// The text of the character range `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> String {
        self.text
            .chars()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect()
    }
}

/// The file types docex reads, recognised by content (magic bytes), not by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputKind {
    /// PDF, with text layer, image-only or mixed.
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// TIFF image, possibly multi-page.
    Tiff,
    /// UTF-8 (or Latin-1) plain text.
    Text,
}

/// The entity types the tagger assigns; each is a role a value plays in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Seller, supplier or store.
    Vendor,
    /// Buyer or bill-to party.
    Customer,
    /// Invoice or receipt number.
    InvoiceNumber,
    /// Date of the invoice or receipt.
    InvoiceDate,
    /// Payment due date.
    DueDate,
    /// Amount before tax.
    NetAmount,
    /// Tax amount.
    TaxAmount,
    /// Amount payable.
    TotalAmount,
    /// A party to a contract.
    Party,
    /// Date the contract was made.
    AgreementDate,
    /// Date the contract takes effect.
    EffectiveDate,
    /// Date the contract ends.
    ExpirationDate,
    /// Length of the contract term.
    Term,
    /// Governing law.
    Jurisdiction,
}

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Role; 14] = [
        Role::Vendor,
        Role::Customer,
        Role::InvoiceNumber,
        Role::InvoiceDate,
        Role::DueDate,
        Role::NetAmount,
        Role::TaxAmount,
        Role::TotalAmount,
        Role::Party,
        Role::AgreementDate,
        Role::EffectiveDate,
        Role::ExpirationDate,
        Role::Term,
        Role::Jurisdiction,
    ];

    /// The entity-type name used in the model's BILOU labels (`B-TOTAL` ...).
    pub fn label(self) -> &'static str {
        match self {
            Role::Vendor => "VENDOR",
            Role::Customer => "CUSTOMER",
            Role::InvoiceNumber => "INVOICE_NO",
            Role::InvoiceDate => "INVOICE_DATE",
            Role::DueDate => "DUE_DATE",
            Role::NetAmount => "NET",
            Role::TaxAmount => "TAX",
            Role::TotalAmount => "TOTAL",
            Role::Party => "PARTY",
            Role::AgreementDate => "AGREEMENT_DATE",
            Role::EffectiveDate => "EFFECTIVE_DATE",
            Role::ExpirationDate => "EXPIRATION_DATE",
            Role::Term => "TERM",
            Role::Jurisdiction => "JURISDICTION",
        }
    }

    /// The role of a model label's entity type.
    pub fn from_label(label: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.label() == label)
    }

    /// The name of the role in the output tables (`field` column, `documents.csv` header).
    pub fn field_name(self) -> &'static str {
        match self {
            Role::Vendor => "vendor",
            Role::Customer => "customer",
            Role::InvoiceNumber => "invoice_number",
            Role::InvoiceDate => "invoice_date",
            Role::DueDate => "due_date",
            Role::NetAmount => "net_amount",
            Role::TaxAmount => "tax_amount",
            Role::TotalAmount => "total_amount",
            Role::Party => "parties",
            Role::AgreementDate => "agreement_date",
            Role::EffectiveDate => "effective_date",
            Role::ExpirationDate => "expiration_date",
            Role::Term => "term",
            Role::Jurisdiction => "jurisdiction",
        }
    }

    /// What kind of value the role holds.
    pub fn kind(self) -> EntityKind {
        match self {
            Role::Vendor | Role::Customer | Role::Party => EntityKind::Party,
            Role::InvoiceNumber => EntityKind::Id,
            Role::InvoiceDate
            | Role::DueDate
            | Role::AgreementDate
            | Role::EffectiveDate
            | Role::ExpirationDate => EntityKind::Date,
            Role::NetAmount | Role::TaxAmount | Role::TotalAmount => EntityKind::Amount,
            Role::Term => EntityKind::Duration,
            Role::Jurisdiction => EntityKind::Place,
        }
    }
}

/// The kind of an extracted value, which decides how it is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityKind {
    /// A calendar date, normalised to `YYYY-MM-DD`.
    Date,
    /// A money amount, normalised to a plain decimal.
    Amount,
    /// A person or organisation.
    Party,
    /// An identifier such as an invoice number.
    Id,
    /// A duration, normalised to ISO 8601 (`P2Y`).
    Duration,
    /// A place, such as a governing-law jurisdiction.
    Place,
}

impl EntityKind {
    /// The name in the `kind` column of `entities.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Date => "date",
            EntityKind::Amount => "amount",
            EntityKind::Party => "party",
            EntityKind::Id => "id",
            EntityKind::Duration => "duration",
            EntityKind::Place => "place",
        }
    }
}

/// A span of a page the tagger labelled with a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaggedSpan {
    /// First character in the page text.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The role the tagger gave it.
    pub role: Role,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

/// One value found in a document: a row of `entities.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// 1-based page number.
    pub page: usize,
    /// The role chosen for it, if any.
    pub role: Option<Role>,
    /// What kind of value it is.
    pub kind: EntityKind,
    /// The text as in the document.
    pub text: String,
    /// The normalised value (empty when it could not be normalised).
    pub value: String,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// First character in the page text.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The box on the page, when known.
    pub bbox: Option<BBox>,
    /// Currency of an amount (ISO 4217), when known.
    pub currency: Option<String>,
}

/// What kind of document it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocType {
    /// An invoice or bill.
    Invoice,
    /// A till receipt.
    Receipt,
    /// A contract or agreement.
    Contract,
    /// None of these.
    Other,
}

impl DocType {
    /// The name in the `doc_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Invoice => "invoice",
            DocType::Receipt => "receipt",
            DocType::Contract => "contract",
            DocType::Other => "other",
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The chosen value of each field of a document: one row of `documents.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fields {
    /// Seller, supplier or store.
    pub vendor: Option<String>,
    /// Buyer.
    pub customer: Option<String>,
    /// Invoice or receipt number.
    pub invoice_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub invoice_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Plain decimal.
    pub net_amount: Option<String>,
    /// Plain decimal.
    pub tax_amount: Option<String>,
    /// Plain decimal.
    pub total_amount: Option<String>,
    /// Contract parties, in order of appearance.
    pub parties: Vec<String>,
    /// `YYYY-MM-DD`.
    pub agreement_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub effective_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub expiration_date: Option<String>,
    /// ISO 8601 duration.
    pub term: Option<String>,
    /// Governing law.
    pub jurisdiction: Option<String>,
}

impl Fields {
    /// The value of a role's single-valued field (`None` when it has none, and for
    /// [`Role::Party`], which is a list).
    pub fn value(&self, role: Role) -> Option<&str> {
        match role {
            Role::Vendor => &self.vendor,
            Role::Customer => &self.customer,
            Role::InvoiceNumber => &self.invoice_number,
            Role::InvoiceDate => &self.invoice_date,
            Role::DueDate => &self.due_date,
            Role::NetAmount => &self.net_amount,
            Role::TaxAmount => &self.tax_amount,
            Role::TotalAmount => &self.total_amount,
            Role::AgreementDate => &self.agreement_date,
            Role::EffectiveDate => &self.effective_date,
            Role::ExpirationDate => &self.expiration_date,
            Role::Term => &self.term,
            Role::Jurisdiction => &self.jurisdiction,
            Role::Party => return None,
        }
        .as_deref()
    }

    /// The single-valued slot of a role (`None` for [`Role::Party`], which is a list).
    pub fn slot_mut(&mut self, role: Role) -> Option<&mut Option<String>> {
        Some(match role {
            Role::Vendor => &mut self.vendor,
            Role::Customer => &mut self.customer,
            Role::InvoiceNumber => &mut self.invoice_number,
            Role::InvoiceDate => &mut self.invoice_date,
            Role::DueDate => &mut self.due_date,
            Role::NetAmount => &mut self.net_amount,
            Role::TaxAmount => &mut self.tax_amount,
            Role::TotalAmount => &mut self.total_amount,
            Role::AgreementDate => &mut self.agreement_date,
            Role::EffectiveDate => &mut self.effective_date,
            Role::ExpirationDate => &mut self.expiration_date,
            Role::Term => &mut self.term,
            Role::Jurisdiction => &mut self.jurisdiction,
            Role::Party => return None,
        })
    }
}

/// A constraint between a document's chosen values that they break: the field layer
/// lowers the confidence of the values involved, and the review lists the document.
/// Both read the same checks ([`Check::of`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Check {
    /// Net plus tax differs from the total by more than a cent.
    NetTaxTotal {
        /// The net amount as written in the field.
        net: String,
        /// The tax amount.
        tax: String,
        /// The total amount.
        total: String,
    },
    /// The due date is before the invoice date.
    DueBeforeIssue {
        /// The invoice date (`YYYY-MM-DD`).
        issued: String,
        /// The due date (`YYYY-MM-DD`).
        due: String,
    },
}

impl Check {
    /// The checks that chosen values break: `amounts` are the net, tax and total, each
    /// with its value in cents when it reads as an amount; `dates` the invoice and due
    /// dates as ISO dates (`YYYY-MM-DD`, which compare as strings).
    pub fn of(
        amounts: [(&str, Option<i64>); 3],
        dates: (Option<&str>, Option<&str>),
    ) -> Vec<Check> {
        let mut checks = Vec::new();
        let [(net, n), (tax, t), (total, s)] = amounts;
        if let (Some(n), Some(t), Some(s)) = (n, t, s) {
            if (n + t - s).abs() > 1 {
                checks.push(Check::NetTaxTotal {
                    net: net.to_owned(),
                    tax: tax.to_owned(),
                    total: total.to_owned(),
                });
            }
        }
        if let (Some(issued), Some(due)) = dates {
            if due < issued {
                checks.push(Check::DueBeforeIssue {
                    issued: issued.to_owned(),
                    due: due.to_owned(),
                });
            }
        }
        checks
    }

    /// The roles whose chosen values break the check (the due date, not the invoice date,
    /// is taken for the wrong one).
    pub fn roles(&self) -> &'static [Role] {
        match self {
            Check::NetTaxTotal { .. } => &[Role::NetAmount, Role::TaxAmount, Role::TotalAmount],
            Check::DueBeforeIssue { .. } => &[Role::DueDate],
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::NetTaxTotal { net, tax, total } => write!(
                f,
                "net_amount + tax_amount != total_amount ({net} + {tax} != {total})"
            ),
            Check::DueBeforeIssue { issued, due } => {
                write!(f, "due_date before invoice_date ({due} < {issued})")
            }
        }
    }
}

/// Everything extracted from one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// What kind of document it is.
    pub doc_type: DocType,
    /// Number of pages.
    pub pages: usize,
    /// Pages whose text came out blank, whatever the reason (a blank or
    /// signature page, a page image no decoder here reads, a scan OCR found no
    /// text on).
    #[serde(default)]
    pub empty_pages: usize,
    /// The chosen field values.
    pub fields: Fields,
    /// Every entity found, in page and offset order.
    pub entities: Vec<Entity>,
}

/// The outcome for one input document: a row of `documents.csv` and its entity rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentResult {
    /// The input path as given, or relative to the folder given.
    pub document: String,
    /// The extraction, or a one-line reason why it failed.
    pub outcome: Result<Extraction, String>,
    /// The content hash ([`hash_bytes`]) of the bytes that were read and extracted,
    /// when they could be read: the run records the rows under this hash, not the
    /// one it took before handing the file out (the file may change in between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
}

/// The content hash of a file (BLAKE3, hex) and its size: a document's identity
/// across names, runs and machines. The run's manifest keys documents by it, and a
/// worker names the bytes it extracted by it ([`hash_bytes`]): both sides of the
/// process boundary compute it here, the same way.
pub fn content_hash(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hasher.finalize().to_hex().to_string(), size))
}

/// The content hash of bytes in memory: the same as [`content_hash`] of a file
/// holding them.
pub fn hash_bytes(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// One input to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDoc {
    /// Path to read.
    pub path: PathBuf,
    /// Name in the output tables.
    pub display: String,
}

/// One document's rows of the output tables, as text in column order: what the
/// run manifest stores and every table format writes.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRows {
    /// The document name (the tables' key).
    pub document: String,
    /// Its `documents.csv` row.
    pub document_row: Vec<String>,
    /// Its `entities.csv` rows.
    pub entity_rows: Vec<Vec<String>>,
}

/// Where results go: the output stage's boundary. A writer replaces the whole set
/// of tables in a folder with the rows of every finished document, atomically per
/// file: a crash at any moment leaves the previous tables or the new ones, never
/// half a row. `docex-output`'s CSV tables are one writer; other formats are
/// further writers, not changes to the pipeline.
pub trait TableWriter: Send + Sync {
    /// Writes the tables of `rows` into `dir`.
    fn write_tables(
        &self,
        dir: &std::path::Path,
        rows: &[DocumentRows],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_what_disagrees_and_the_roles_to_doubt() {
        let sum = |n, t, s| [("n", Some(n)), ("t", Some(t)), ("s", Some(s))];
        // a cent either way is rounding
        assert!(Check::of(sum(1000, 200, 1201), (None, None)).is_empty());
        let broken = Check::of(
            sum(1000, 200, 1300),
            (Some("2024-01-31"), Some("2024-01-30")),
        );
        assert_eq!(
            broken.iter().map(Check::to_string).collect::<Vec<_>>(),
            [
                "net_amount + tax_amount != total_amount (n + t != s)",
                "due_date before invoice_date (2024-01-30 < 2024-01-31)"
            ]
        );
        assert_eq!(broken[0].roles().len(), 3);
        assert_eq!(broken[1].roles(), [Role::DueDate]);
        // a missing value checks nothing
        let missing = [("n", Some(1)), ("t", None), ("s", Some(5))];
        assert!(Check::of(missing, (Some("2024-01-31"), None)).is_empty());
    }
}
