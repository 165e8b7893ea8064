//! Errors, one variant per kind, each naming the file (and page where known).

use std::path::PathBuf;

/// Everything that can go wrong reading one input file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read from disk.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The input file.
        file: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes, or only white space and page breaks.
    #[error("{file}: empty file (no bytes, or only white space and page breaks)")]
    Empty {
        /// The input file.
        file: PathBuf,
    },
    /// Neither a PDF (no `%PDF` header) nor a text dump holding the form's words.
    #[error("{file}: not a PDF (no %PDF header), nor a text dump holding the form's words")]
    NotPdf {
        /// The input file.
        file: PathBuf,
    },
    /// A PDF that is damaged or truncated and cannot be parsed.
    #[error("{file}: damaged or truncated PDF: {reason}")]
    Damaged {
        /// The input file.
        file: PathBuf,
        /// What was wrong, as the parser reported it.
        reason: String,
    },
    /// An encrypted PDF that the empty password does not open.
    #[error("{file}: encrypted PDF")]
    Encrypted {
        /// The input file.
        file: PathBuf,
    },
    /// One page's content could not be read.
    #[error("{file}: page {page}: {reason}")]
    Page {
        /// The input file.
        file: PathBuf,
        /// The page number, 1-based.
        page: usize,
        /// Why the page could not be read.
        reason: String,
    },
    /// The PDF has no text layer: its pages are scanned images and need OCR.
    #[error("{file}: no text layer (scanned pages need OCR)")]
    NoTextLayer {
        /// The input file.
        file: PathBuf,
    },
    /// Scanned pages need OCR, but no OCR engine is available.
    #[error("{file}: scanned pages need OCR, which is unavailable: {reason}")]
    OcrUnavailable {
        /// The input file.
        file: PathBuf,
        /// Why OCR is unavailable.
        reason: String,
    },
    /// OCR ran but failed.
    #[error("{file}: OCR failed: {reason}")]
    Ocr {
        /// The input file.
        file: PathBuf,
        /// The failure, as reported.
        reason: String,
    },
    /// The file was read but holds no declaration form.
    #[error("{file}: no form found")]
    NoForm {
        /// The input file.
        file: PathBuf,
    },
    /// Processing the file ran over its time limit.
    #[error("{file}: over the time limit of {seconds} s")]
    Timeout {
        /// The input file.
        file: PathBuf,
        /// The time limit, in seconds.
        seconds: f64,
    },
    /// The PDF has more pages than allowed.
    #[error("{file}: {pages} pages, over the limit of {limit}")]
    TooManyPages {
        /// The input file.
        file: PathBuf,
        /// The number of pages in the file.
        pages: usize,
        /// The page limit.
        limit: usize,
    },
    /// A file over one of the per-file budgets (its size, ...): named.
    #[error("{file}: over the {budget}")]
    TooComplex {
        /// The input file.
        file: PathBuf,
        /// The budget that was exceeded, as text.
        budget: String,
    },
    /// A bug or unexpected failure inside the pipeline.
    #[error("{file}: internal error: {reason}")]
    Internal {
        /// The input file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The form template file could not be read or is invalid.
    #[error("template {file}: {reason}")]
    Template {
        /// The template file.
        file: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// A failure reported by a worker process
    /// ([`crate::run::isolate`]): its code and message as it gave them
    /// (the message names the file).
    #[error("{message}")]
    Reported {
        /// The input file.
        file: PathBuf,
        /// The error code the worker gave (see [`Error::code`]).
        code: String,
        /// The error message the worker gave.
        message: String,
    },
}

impl Error {
    /// A short stable code for the kind, for JSON error lines.
    pub fn code(&self) -> &str {
        match self {
            Error::Io { .. } => "io",
            Error::Empty { .. } => "empty",
            Error::NotPdf { .. } => "not_pdf",
            Error::Damaged { .. } => "damaged",
            Error::Encrypted { .. } => "encrypted",
            Error::Page { .. } => "page",
            Error::NoTextLayer { .. } => "no_text_layer",
            Error::OcrUnavailable { .. } => "ocr_unavailable",
            Error::Ocr { .. } => "ocr",
            Error::NoForm { .. } => "no_form",
            Error::Timeout { .. } => "timeout",
            Error::TooManyPages { .. } => "too_many_pages",
            Error::TooComplex { .. } => "too_complex",
            Error::Internal { .. } => "internal",
            Error::Template { .. } => "template",
            Error::Reported { code, .. } => code,
        }
    }
}

/// A result whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
