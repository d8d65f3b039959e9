use thiserror::Error;

/// Why a document could not be read.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The bytes are not a type docex reads.
    #[error("unsupported file type (not PDF, PNG, JPEG, TIFF or text)")]
    Unsupported,
    /// The file is empty.
    #[error("empty file")]
    Empty,
    /// The PDF could not be parsed.
    #[error("unreadable PDF")]
    Pdf(#[source] pdf_extract::Error),
    /// The PDF is encrypted with a user password and none was given.
    #[error(
        "PDF is encrypted: give its password with --pdf-password or the DOCEX_PDF_PASSWORD \
         environment variable"
    )]
    Encrypted,
    /// The PDF is encrypted and the password given does not open it.
    #[error("wrong PDF password: the password given does not open this encrypted PDF")]
    WrongPassword,
    /// The password given is the owner (permissions) password of an RC4 or
    /// AES-128 encrypted PDF, which the PDF library cannot decrypt with.
    #[error(
        "the PDF password given is this encrypted PDF's owner password; give its user \
         (open) password instead"
    )]
    OwnerPassword,
    /// pdf-extract failed on a page.
    #[error("text extraction failed on page {page}: {reason}")]
    PdfText {
        /// 1-based page.
        page: usize,
        /// What went wrong.
        reason: String,
    },
    /// A page has neither text nor an image docex can decode.
    #[error("page {page} has no text layer and no decodable image ({reason})")]
    NoPageImage {
        /// 1-based page.
        page: usize,
        /// What was found instead.
        reason: String,
    },
    /// An image could not be decoded.
    #[error("cannot decode image")]
    Image(#[source] image::ImageError),
    /// A TIFF could not be decoded.
    #[error("cannot decode TIFF")]
    Tiff(#[source] tiff::TiffError),
    /// An image is larger than the pixel limit.
    #[error("image of {width}x{height} pixels is over the limit of {limit} pixels")]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
        /// The limit.
        limit: u64,
    },
    /// A document's page images together are over the per-document pixel budget.
    #[error(
        "the document's page images come to {pixels} pixels, over the limit of {limit} \
         pixels per document (max_document_megapixels)"
    )]
    DocumentTooLarge {
        /// Pixels of the pages read so far (or, for a TIFF, of all its frames).
        pixels: u64,
        /// The limit.
        limit: u64,
    },
    /// A JPEG that ends early or has no image data, which decoders fill with grey.
    #[error("truncated JPEG: {0}")]
    TruncatedJpeg(String),
    /// More pages than the page limit.
    #[error("{pages} pages is over the limit of {limit}")]
    TooManyPages {
        /// Pages in the document.
        pages: usize,
        /// The limit.
        limit: usize,
    },
    /// A PDF page's content inflates past the per-page limit.
    #[error(
        "the content of page {page} (its content streams and the forms it draws) inflates \
         past the limit of {limit_mb} MB per page ([limits] max_pdf_content_mb)"
    )]
    PdfContentTooLarge {
        /// 1-based page.
        page: usize,
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// A PDF stream inflates past the per-stream limit.
    #[error(
        "{what} inflates past the limit of {limit_mb} MB per stream ([limits] max_pdf_stream_mb)"
    )]
    PdfStreamTooLarge {
        /// Which stream: "object stream 12 0", "stream 7 0 used by page 3", ...
        what: String,
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// An image's data inflates far past what its declared size needs.
    #[error(
        "the image data on page {page} inflates past {limit_mb} MB, far more than its \
         {width}x{height} pixels need"
    )]
    PdfImageInflatesTooMuch {
        /// 1-based page.
        page: usize,
        /// Declared width.
        width: u64,
        /// Declared height.
        height: u64,
        /// What the data may inflate to, in MB.
        limit_mb: u64,
    },
    /// A PDF's streams together inflate past the per-document limit.
    #[error(
        "the PDF's streams inflate past the limit of {limit_mb} MB per document \
         ([limits] max_pdf_inflated_mb)"
    )]
    PdfInflatesTooMuch {
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// A dynamic XFA form: its content is XML that only an XFA viewer lays out.
    #[error(
        "XFA form: the content of this PDF is an XFA form (XML laid out by the viewer), \
         which docex cannot read; its pages hold only a placeholder"
    )]
    XfaForm,
    /// No page could be read from a PDF's page tree.
    #[error("malformed PDF: no page can be read from its page tree")]
    PdfNoPages,
    /// The document has no pages.
    #[error("document has no pages")]
    NoPages,
    /// Tesseract could not start.
    #[error("cannot start Tesseract for language {lang:?} (is tesseract-ocr-{lang} installed?)")]
    OcrInit {
        /// Language asked for.
        lang: String,
    },
    /// Tesseract refused a setting.
    #[error("cannot set Tesseract's {name} to {value}")]
    OcrSetting {
        /// The Tesseract variable.
        name: &'static str,
        /// The value asked for.
        value: String,
    },
    /// Tesseract failed on a page.
    #[error("OCR failed: {0}")]
    Ocr(String),
}
